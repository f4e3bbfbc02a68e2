// Branch names reach git from webhook payloads (a PR's head ref) and from our own naming.
// They are checked here, before any git process runs, with git's own rules
// (`git check-ref-format --branch`) plus a few of ours: no leading "-" so a name can never
// be read as an option, and no invisible or bidi characters that would mislead a reviewer.
import { InvalidBranchNameError } from "./workspace-errors.js";

const MAX_LENGTH = 200;

/** The branch an issue job works on; re-triggering the issue reuses it. */
export function issueBranchName(issueNumber: number, prefix = "backend-go"): string {
  if (!Number.isSafeInteger(issueNumber) || issueNumber <= 0) {
    throw new InvalidBranchNameError(String(issueNumber), "an issue number must be a positive whole number");
  }
  return validateBranchName(`${prefix}/issue-${issueNumber}`);
}

/** Returns the name unchanged when git (and we) accept it as a branch; throws otherwise. */
export function validateBranchName(name: string): string {
  const reason = branchNameProblem(name);
  if (reason) throw new InvalidBranchNameError(name, reason);
  return name;
}

export function branchNameProblem(name: string): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "it is empty";
  if (name.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  if (name.startsWith("-")) return 'it starts with "-"';
  if (name === "HEAD" || name === "@") return `"${name}" is reserved`;
  if (name.startsWith("refs/")) return 'give the branch name without "refs/"';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
  if (/[\u0000-\u0020\u007f-\u009f]/.test(name)) return "it contains a space or a control character";
  if (/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/.test(name)) {
    return "it contains an invisible or bidirectional-control character";
  }
  const bad = /[~^:?*[\\]/.exec(name);
  if (bad) return `it contains "${bad[0]}"`;
  if (name.includes("..")) return 'it contains ".."';
  if (name.includes("@{")) return 'it contains "@{"';
  if (name.startsWith("/") || name.endsWith("/")) return 'it starts or ends with "/"';
  if (name.includes("//")) return 'it contains "//"';
  if (name.endsWith(".")) return 'it ends with "."';
  for (const part of name.split("/")) {
    if (part.startsWith(".")) return 'a part of it starts with "."';
    if (part.endsWith(".lock")) return 'a part of it ends with ".lock"';
  }
  return undefined;
}
