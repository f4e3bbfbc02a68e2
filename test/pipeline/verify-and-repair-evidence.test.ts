// Evidence warnings in the repair loop, on a real module with the real Go toolchain: a new test
// that passes without the change goes back to the agent once, as a warning; the agent's next
// round (here: the edit an agent would make, through the resume port) is verified again, and the
// round is told as a warning round.
import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import type { CompletedOutcome } from "../../src/agent/outcome.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { verifyAndRepair } from "../../src/pipeline/verify-and-repair.js";
import { parseRepoConfig } from "../../src/repo/repo-config.js";
import { clearBaseCache } from "../../src/verify/base-comparison.js";
import { clearFailPassCache, FAIL_PASS_CHECK } from "../../src/verify/evidence/fail-pass.js";
import { repairLine } from "../../src/verify/repair-feedback.js";
import { testToolchain } from "../golang/support.js";
import { goRepo, type Repo } from "../verify/evidence/support.js";

let toolchain: GoToolchain;
let repo: Repo | undefined;
beforeAll(async () => {
  toolchain = await testToolchain();
});
afterEach(async () => {
  clearBaseCache();
  clearFailPassCache();
  await repo?.cleanup();
});

const outcome: CompletedOutcome = {
  kind: "completed",
  report: "## Summary\nAdds Clamp.",
  sections: [],
  usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  costUsd: 0,
  turns: 1,
  model: "scripted",
  transcript: [],
  changedFiles: [],
};

const WEAK_TEST = `package num

import "testing"

func TestClamp(t *testing.T) {
	if Clamp(5, 0, 10) != 5 {
		t.Fatal("Clamp(5, 0, 10) != 5")
	}
}
`;

describe("verify and repair with evidence", () => {
  it("sends a test that passes without the change to the agent once, and verifies its answer", async () => {
    repo = await goRepo({
      "num/num.go":
        "package num\n\n// Clamp keeps n in [lo, hi].\nfunc Clamp(n, lo, hi int) int { return n }\n",
    });
    const r = repo;
    let changed = r.change({
      "num/num.go":
        "package num\n\n// Clamp keeps n in [lo, hi].\nfunc Clamp(n, lo, hi int) int {\n\tif n < lo {\n\t\treturn lo\n\t}\n\tif n > hi {\n\t\treturn hi\n\t}\n\treturn n\n}\n",
      "num/num_test.go": WEAK_TEST,
    });
    const messages: string[] = [];
    const result = await verifyAndRepair({
      toolchain,
      dir: r.dir,
      baseSha: r.base,
      config: parseRepoConfig(
        { verify: { race: "off", commands: ["go build ./...", "go test ./..."] } },
        "f",
      ),
      outcome,
      changedFiles: async () => changed,
      resume: async (message) => {
        messages.push(message);
        // The agent strengthens its test so that it fails on the old Clamp.
        changed = [
          ...new Set([
            ...changed,
            ...r.change({
              "num/num_test.go": WEAK_TEST.replace(
                "Clamp(5, 0, 10) != 5",
                "Clamp(5, 0, 10) != 5 || Clamp(12, 0, 10) != 10",
              ),
            }),
          ]),
        ];
        return outcome;
      },
    });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("Verification of your change passed, with warnings");
    expect(messages[0]).toContain(
      "- fail → pass: TestClamp in example.com/evidence/num passes on the base commit",
    );
    const fp = result.verdict?.checks.find((c) => c.name === FAIL_PASS_CHECK);
    expect(fp?.summary).toBe("1 of 1 new or changed test fails without the change and passes with it");
    expect(fp?.warnings).toBeUndefined();
    expect(result.verdict?.repairs?.map(repairLine)).toEqual([
      "Round 1: fail → pass warned → resolved fail → pass; no warning left",
    ]);
  }, 240_000);

  it("does not spend a second round on a warning the agent chose to leave", async () => {
    repo = await goRepo({
      "num/num.go":
        "package num\n\n// Clamp keeps n in [lo, hi].\nfunc Clamp(n, lo, hi int) int { return n }\n",
    });
    const r = repo;
    const changed = r.change({ "num/num_test.go": WEAK_TEST });
    let rounds = 0;
    const result = await verifyAndRepair({
      toolchain,
      dir: r.dir,
      baseSha: r.base,
      config: parseRepoConfig(
        { verify: { race: "off", repair_rounds: 3, commands: ["go test ./..."] } },
        "f",
      ),
      outcome,
      changedFiles: async () => changed,
      resume: async () => {
        rounds++;
        return outcome;
      },
    });
    expect(rounds).toBe(1);
    expect(result.verdict?.repairs?.map(repairLine)).toEqual([
      "Round 1: fail → pass warned → resolved nothing; still warning: fail → pass",
    ]);
  }, 240_000);
});
