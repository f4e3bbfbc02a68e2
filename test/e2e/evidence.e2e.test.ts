// The evidence rows through the whole job: the real app (dist/), the GitHub stand-in and the
// scripted model. A data race the change brings is red and goes to a repair round, which fixes
// it; a new test that passes without the change is flagged and sent to the agent as a warning,
// and the stronger test of its next round is proven fail → pass in the PR; an issue that asks
// for speed gets benchstat's comparison of the base and the change in the PR.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  callTools,
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptStep,
  say,
  tool,
} from "../support/scripted-model.js";
import { fastJoin, joinTests, slowJoin } from "../verify/evidence/join-fixture.js";
import { type E2EWorld, labelledIssuePr, lastMessage, startWorld } from "./world.js";

const OWNER = "acme";

let world: E2EWorld;

const GO_MOD = "module example.com/textkit\n\ngo 1.21\n";
const CLAMP_BASE =
  "package num\n\n// Clamp keeps n in [lo, hi].\nfunc Clamp(n, lo, hi int) int { return n }\n";

beforeAll(async () => {
  world = await startWorld();
  const { gh } = world;
  for (const repo of ["words", "clamp", "join"]) {
    await gh.createRepo(OWNER, repo);
    gh.setPermission(OWNER, repo, "alice", "write");
    await gh.git.commitFiles(`${OWNER}/${repo}`, "main", {
      "go.mod": GO_MOD,
      "num/num.go": CLAMP_BASE,
      "verbs/verbs.go": 'package verbs\n\n// Be is the verb.\nconst Be = "be"\n',
      ...(repo === "join"
        ? { "text/join.go": slowJoin("text"), "text/join_test.go": joinTests("text") }
        : {}),
    });
  }
  await world.startApp();
}, 120_000);

afterAll(async () => {
  await world?.close();
});

const runIssue = (repo: string, title: string, script: ScriptStep[]) =>
  labelledIssuePr(world, OWNER, repo, { title, body: "With a test." }, script);

const COUNT = (guarded: boolean) => `package words

import "sync"

// Count counts each word, two halves at once.
func Count(words []string) map[string]int {
	counts := map[string]int{}
${guarded ? "\tvar mu sync.Mutex\n" : ""}	var wg sync.WaitGroup
	half := len(words) / 2
	for _, part := range [][]string{words[:half], words[half:]} {
		wg.Add(1)
		go func(part []string) {
			defer wg.Done()
			for _, w := range part {
${guarded ? "\t\t\t\tmu.Lock()\n\t\t\t\tcounts[w]++\n\t\t\t\tmu.Unlock()\n" : "\t\t\t\tcounts[w]++\n"}			}
		}(part)
	}
	wg.Wait()
	return counts
}
`;

const COUNT_TEST = `package words

import "testing"

func TestCount(t *testing.T) {
	got := Count([]string{"a", "b", "a", "c"})
	if got["a"] != 2 || got["b"] != 1 || got["c"] != 1 {
		t.Fatalf("Count = %v", got)
	}
}
`;

const REPORT = report(GO_ENGINEER_SECTIONS, "Done; `go test ./...` passes.");

describe("evidence through the whole job", () => {
  it("a data race the change brings is red under -race and repaired in a repair round; its new test is proven fail → pass", async () => {
    const script: ScriptStep[] = [
      callTools(
        { name: "write_file", input: { path: "words/words.go", content: COUNT(false) } },
        { name: "write_file", input: { path: "words/words_test.go", content: COUNT_TEST } },
      ),
      tool("go", { args: ["test", "./words"] }),
      say(REPORT),
      tool("write_file", { path: "words/words.go", content: COUNT(true) }),
      say(REPORT),
    ];
    const { pr, requests } = await runIssue("words", "Count words in parallel", script);
    const repairAsk = requests.find((r) => lastMessage(r).includes("repair round 1 of 2"));
    expect(lastMessage(repairAsk!)).toContain("data race in example.com/textkit/words");
    expect(lastMessage(repairAsk!)).toContain("WARNING: DATA RACE");
    expect(pr.pull!.draft).toBe(false);
    expect(pr.body).toMatch(/\| go test -race \| ✅ pass \| no data race in the tests of 1 package \|/);
    expect(pr.body).toContain(
      "| fail → pass | ✅ pass | 1 of 1 new or changed test fails without the change and passes with it |",
    );
    expect(pr.body).toContain(
      "✓ TestCount (example.com/textkit/words, added): does not compile without the change, passes with it",
    );
    expect(pr.body).toContain("Round 1: go test -race failed → fixed go test -race; all checks pass");
  }, 480_000);

  it("a new test that passes without the change is flagged, sent to the agent, and its stronger successor proven", async () => {
    const fixed =
      "package num\n\n// Clamp keeps n in [lo, hi].\nfunc Clamp(n, lo, hi int) int {\n\tif n < lo {\n\t\treturn lo\n\t}\n\tif n > hi {\n\t\treturn hi\n\t}\n\treturn n\n}\n";
    const weak =
      'package num\n\nimport "testing"\n\nfunc TestClamp(t *testing.T) {\n\tif Clamp(5, 0, 10) != 5 {\n\t\tt.Fatal("Clamp(5, 0, 10)")\n\t}\n}\n';
    const strong = weak.replace("Clamp(5, 0, 10) != 5", "Clamp(5, 0, 10) != 5 || Clamp(12, 0, 10) != 10");
    const script: ScriptStep[] = [
      callTools(
        { name: "write_file", input: { path: "num/num.go", content: fixed } },
        { name: "write_file", input: { path: "num/num_test.go", content: weak } },
      ),
      say(REPORT),
      tool("write_file", { path: "num/num_test.go", content: strong }),
      say(REPORT),
    ];
    const { pr, requests } = await runIssue("clamp", "Clamp must clamp", script);
    const repairAsk = requests.find((r) => lastMessage(r).includes("repair round 1 of 2"));
    expect(lastMessage(repairAsk!)).toContain("passed, with warnings");
    expect(lastMessage(repairAsk!)).toContain(
      "TestClamp in example.com/textkit/num passes on the base commit",
    );
    expect(pr.pull!.draft).toBe(false);
    expect(pr.body).toContain(
      "✓ TestClamp (example.com/textkit/num, added): fails without the change, passes with it",
    );
    expect(pr.body).toContain("Round 1: fail → pass warned → resolved fail → pass; no warning left");
    expect(pr.body).toContain("| exported API | ✅ pass | no change to the exported API of 1 package |");
    // The issue asks for behaviour, not speed: no benchmark row.
    expect(pr.body).not.toContain("| benchmarks |");
  }, 480_000);

  it("an issue that asks for speed gets benchstat's comparison of the base and the change in the PR", async () => {
    const script: ScriptStep[] = [
      tool("write_file", { path: "text/join.go", content: fastJoin("text") }),
      say(REPORT),
    ];
    const { pr } = await runIssue("join", "Speed up Join: it copies the whole string per word", script);
    expect(pr.pull!.draft).toBe(false);
    expect(pr.body).toMatch(
      /\| benchmarks \| ✅ pass \| 1 benchmark, base [0-9a-f]{7} → change \(benchstat, 6 runs each\); better: Join sec\/op −[\d.]+%, Join B\/op −[\d.]+%, Join allocs\/op −[\d.]+% \|/,
    );
    // benchstat's own table, in the row's folded details.
    expect(pr.body).toMatch(/<details><summary>benchmarks: 1 benchmark/);
    expect(pr.body).toMatch(/│\s+base\s+│\s+change\s+│/);
    expect(pr.body).toMatch(/Join-\d+\s+.*-\d+\.\d+% \(p=0\.\d+ n=6\)/);
  }, 480_000);
});
