// Typed failures of the git workspace. Messages are written for the person who triggered
// the job (what went wrong, what to do) and never carry the installation token: every
// message built from git's output goes through `redactValues` (src/secrets.ts) first.

export type GitWorkspaceErrorCode =
  | "invalid-branch"
  | "invalid-url"
  | "invalid-argument"
  | "branch-missing"
  | "auth-failed"
  | "push-rejected"
  | "not-prepared"
  | "unsafe-environment"
  | "nested-repository"
  | "git-failed"
  /** The job was stopped while git ran; its command was killed. */
  | "aborted";

export class GitWorkspaceError extends Error {
  override name = "GitWorkspaceError";
  constructor(
    readonly code: GitWorkspaceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class InvalidBranchNameError extends GitWorkspaceError {
  override name = "InvalidBranchNameError";
  constructor(
    readonly branch: string,
    reason: string,
  ) {
    super("invalid-branch", `"${printable(branch)}" is not a usable branch name: ${reason}.`);
  }
}

/** Shows control characters as escapes so a hostile name cannot forge log lines. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
