// The verdict on a real repository, end to end through the real app: a fixture with real
// third-party modules (shopspring/decimal, google/uuid), a go vet finding and a failing test
// already on main. Fresh DATA_DIR, so the module cache starts empty, as on a first install.

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubStandIn } from "../support/github-server.js";
import { issuesLabeled } from "../support/github-webhooks.js";
import { REPO_ROOT } from "../support/model-checkout.js";
import {
  callTools,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  tool,
  toolResults,
} from "../support/scripted-model.js";
import { waitFor } from "./harness.js";
import { type E2EWorld, startWorld } from "./world.js";

const OWNER = "acme";
const FIXTURE = join(REPO_ROOT, "test", "fixtures", "ledgerkit");

let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;

beforeAll(async () => {
  world = await startWorld();
  ({ gh, model } = world);
  for (const repo of ["kit-a", "kit-b", "kit-c"]) {
    await gh.createRepo(OWNER, repo, { fromDir: FIXTURE });
    gh.setPermission(OWNER, repo, "alice", "write");
  }
  // The whole module, so the checks reach legacy/ and meet what is broken on main.
  await gh.git.commitFiles(`${OWNER}/kit-a`, "main", {
    ".github/backend-go-agent.yml": "verify:\n  scope: all\n",
  });
  await world.startApp();
}, 120_000);

afterAll(() => world?.close());

const REPORT = [
  "## Summary\nAdded money.Sub.\n",
  "## Implementation\nSub mirrors Add.\n",
  "## Files Changed\n- `money/sub.go`\n- `money/sub_test.go`\n",
  "## Testing\n`go test ./money` passes.\n",
  "## Next Steps\nNone.\n",
].join("\n");

const SUB = `package money

import "fmt"

// Sub returns a-b; both must be in the same currency.
func Sub(a, b Amount) (Amount, error) {
	if a.Currency != b.Currency {
		return Amount{}, fmt.Errorf("money: sub %s from %s", b.Currency, a.Currency)
	}
	return Amount{Value: a.Value.Sub(b.Value), Currency: a.Currency}, nil
}
`;
const SUB_WRONG = SUB.replace("a.Value.Sub(b.Value)", "a.Value.Add(b.Value)");
const SUB_TEST = `package money

import "testing"

func TestSub(t *testing.T) {
	a, _ := New("5.50", "EUR")
	b, _ := New("2.25", "EUR")
	got, err := Sub(a, b)
	if err != nil || got.String() != "3.25 EUR" {
		t.Fatalf("Sub = %v, %v; want 3.25 EUR", got, err)
	}
}
`;

function change(sub: string): ScriptStep[] {
  return [
    callTools(
      { name: "write_file", input: { path: "money/sub.go", content: sub } },
      { name: "write_file", input: { path: "money/sub_test.go", content: SUB_TEST } },
    ),
    tool("go", { args: ["test", "./money"] }),
    say(REPORT),
  ];
}

async function runIssue(repo: string, script: ScriptStep[]) {
  const issue = gh.createIssue(OWNER, repo, {
    title: "Add money.Sub",
    body: "With a table test.",
    user: "alice",
  });
  model.add(...script);
  const before = model.requests.length;
  await world.deliver(
    "issues",
    issuesLabeled(gh, { owner: OWNER, repo, number: issue.number, label: "backend-go", sender: "alice" }),
  );
  const pr = await waitFor(
    `the pull request on ${repo}`,
    () => gh.state.pulls(OWNER, repo).find((p) => p.pull?.head === `backend-go/issue-${issue.number}`),
    230_000,
  );
  return { pr, requests: model.requests.slice(before) };
}

describe("a verdict about the change", () => {
  it("a correct change on a fresh repository: modules ready for the agent's first go test, a ready green PR, pre-existing problems apart", async () => {
    const { pr, requests } = await runIssue("kit-a", change(SUB));
    // The agent's first Go run (go test ./money) passed offline without any go mod call by it.
    const goResult = toolResults(requests[2]!)[0]!;
    expect(goResult.is_error).toBe(false);
    expect(goResult.content).toContain("ok");
    expect(goResult.content).not.toContain("module cache");
    expect(pr.pull!.draft).toBe(false);
    expect(pr.body).toContain("Pre-existing on");
    expect(pr.body).toContain("legacy/legacy.go:17:2: result of fmt.Sprintf call not used");
    expect(pr.body).toContain("TestRoundCentsHalfUp");
    expect(pr.body).toContain("tested all 5 packages");
    expect(pr.body).not.toContain("Repair:");
  }, 240_000);

  it("a change that breaks its test gets one repair round and ends green", async () => {
    const script = [
      ...change(SUB_WRONG),
      tool("write_file", { path: "money/sub.go", content: SUB }),
      tool("go", { args: ["test", "./money"] }),
      say(REPORT),
    ];
    const { pr, requests } = await runIssue("kit-b", script);
    const repairAsk = requests.find((r) =>
      JSON.stringify(r.messages?.at(-1) ?? "").includes("repair round 1 of 2"),
    );
    expect(JSON.stringify(repairAsk?.messages?.at(-1))).toContain("TestSub");
    expect(JSON.stringify(repairAsk?.messages?.at(-1))).not.toContain("TestRoundCentsHalfUp");
    expect(pr.pull!.draft).toBe(false);
    expect(pr.body).toContain("tested 3 of 5 packages: those the change can affect");
    expect(pr.body).toContain("1 round before publishing");
    expect(pr.body).toMatch(/Round 1: go test failed → fixed go test/);
  }, 240_000);

  it("a change that leaves its own test red after the rounds is a draft naming that test", async () => {
    const script = [...change(SUB_WRONG), say(REPORT), say(REPORT)];
    const { pr } = await runIssue("kit-c", script);
    expect(pr.pull!.draft).toBe(true);
    expect(pr.body).toContain("TestSub");
    expect(pr.body).toContain("2 rounds before publishing");
  }, 240_000);
});
