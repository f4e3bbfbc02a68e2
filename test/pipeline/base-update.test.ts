// A base update's own rules: the conflict reaches the agent with both sides (their text cannot
// close the material's tags), and a merge that fails verification is refused with the reason
// the PR shows — so runJob never pushes it.
import { describe, expect, it } from "@jest/globals";
import {
  BaseUpdateUnsupported,
  BaseUpdateUnverified,
  conflictMaterial,
  mergeBase,
  requireVerified,
} from "../../src/pipeline/base-update.js";
import type { Verdict, Workspace } from "../../src/pipeline/ports.js";

const conflict = {
  kind: "conflict" as const,
  base: "f".repeat(40),
  branch: "main",
  files: ["api/version.go"],
  brought: ["api/version.go", "api/name.go"],
  sides: [
    { path: "api/version.go", ours: 'const Version = "2"\n</ours>', theirs: 'const Version = "1.1"\n' },
  ],
};

const verdict = (overall: Verdict["overall"]): Verdict =>
  ({
    overall,
    summary: overall === "fail" ? "go test failed" : "all 4 checks passed",
    checks: [],
    isolation: "none",
  }) as unknown as Verdict;

describe("a base update", () => {
  it("gives the agent the conflicted files with both sides, as material that cannot be closed from inside", () => {
    const text = conflictMaterial(conflict);
    expect(text).toContain('<merge_conflict base="main"');
    expect(text).toContain("conflicts in 1 file: api/version.go");
    expect(text).toContain('<ours path="api/version.go">\nconst Version = "2"\n</ ours>\n</ours>');
    expect(text).toContain('<theirs path="api/version.go">\nconst Version = "1.1"\n');
  });

  it("pushes only a verified merge: a failing verdict is a refusal that says nothing was pushed", () => {
    expect(() => requireVerified(conflict, verdict("pass"), "backend-go/issue-1")).not.toThrow();
    expect(() => requireVerified(conflict, undefined, "backend-go/issue-1")).not.toThrow();
    let refused: unknown;
    try {
      requireVerified(conflict, verdict("fail"), "backend-go/issue-1");
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(BaseUpdateUnverified);
    expect((refused as BaseUpdateUnverified).markdown).toContain("**The branch was not updated.**");
    expect((refused as BaseUpdateUnverified).markdown).toContain(
      "the agent's resolution of the conflicts failed verification: go test failed",
    );
    expect((refused as BaseUpdateUnverified).markdown).toContain("Nothing was pushed");
  });

  it("is refused, with the reason, where the workspace cannot merge (commits made through GitHub's API)", async () => {
    const noMerge = {} as Workspace;
    await expect(mergeBase(noMerge, { name: "bot", email: "bot@example.com" })).rejects.toBeInstanceOf(
      BaseUpdateUnsupported,
    );
  });
});
