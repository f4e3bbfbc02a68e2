import { tmpdir } from "node:os";
import { describe, expect, it } from "@jest/globals";
import { branchNameProblem, issueBranchName, validateBranchName } from "../../src/workspace/branch-name.js";
import { InvalidBranchNameError } from "../../src/workspace/workspace-errors.js";
import { git } from "../support/git-repos.js";

const gitAccepts = (name: string) =>
  git(["check-ref-format", "--branch", name], { cwd: tmpdir() }).then(
    () => true,
    () => false,
  );

const VALID = ["main", "backend-go/issue-42", "feature/wallet_v2", "release-1.2", "user/ünïcode", "a.b/c-d"];
// Names git itself refuses: our rules must refuse them too.
const GIT_REFUSES = [
  "-x",
  "a..b",
  "a b",
  "tab\there",
  "nl\nhere",
  "del\u007fhere",
  "a~1",
  "a^",
  "a:b",
  "a?",
  "a*",
  "a[b",
  "a\\b",
  "a@{1}",
  "x.lock",
  "a/b.lock/c",
  "a/",
  "/a",
  "a//b",
  "a.",
  ".hidden",
  "a/.b",
  "HEAD",
  "",
];
// Names git would take but we do not: they mislead a reviewer or name a full ref.
const WE_REFUSE = ["@", "refs/heads/main", "bidi\u202eevil", "zero\u200bwidth", "x".repeat(201)];

describe("branch names", () => {
  it("accepts ordinary names, and git agrees", async () => {
    for (const name of VALID) {
      expect(validateBranchName(name)).toBe(name);
      expect(await gitAccepts(name)).toBe(true);
    }
    expect(issueBranchName(42)).toBe("backend-go/issue-42");
  });

  it("refuses every name git refuses", async () => {
    for (const name of GIT_REFUSES) {
      expect({ name, gitAccepts: await gitAccepts(name) }).toEqual({ name, gitAccepts: false });
      expect(() => validateBranchName(name)).toThrow(InvalidBranchNameError);
    }
  });

  it("refuses full refs, invisible characters and overlong names that git would take", () => {
    for (const name of WE_REFUSE) {
      expect(branchNameProblem(name)).toEqual(expect.any(String));
    }
    expect(() => issueBranchName(0)).toThrow(InvalidBranchNameError);
    expect(() => issueBranchName(1.5)).toThrow(InvalidBranchNameError);
  });

  it("shows control characters escaped in the error message", () => {
    expect(() => validateBranchName("evil\nINFO forged")).toThrow('"evil\\x0aINFO forged"');
  });
});
