// What the agent did, where reviewers look: the check run's details and the PR body list each
// tool call with its target and outcome, then the totals. Rendering on its own, then one
// real job (the GitHub job handler against the stand-in, real git and Go).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { AgentOutcome, TranscriptEntry } from "../../src/agent/outcome.js";
import { CHECK_NAME } from "../../src/github/publish/check-run.js";
import {
  CHECK_TEXT_LIMIT,
  checkRunText,
  clippedRunLog,
  renderRunLog,
} from "../../src/github/publish/run-log.js";
import type { HandledJob } from "../../src/queue/job-queue.js";
import { registerSecret } from "../../src/secrets.js";
import { parseTriggerEvent } from "../../src/triggers/parse-event.js";
import { BALANCE_HANDLER, BALANCE_ROUTE_EDIT, BALANCE_TEST } from "../agent/ledger-code.js";
import { appKeyPair } from "../e2e/harness.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import { issuesLabeled } from "../support/github-webhooks.js";
import { inProcessJobHandler } from "../support/job-handler.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import {
  callTools,
  type ScriptedModelServer,
  say,
  startScriptedModel,
  tool,
} from "../support/scripted-model.js";

const usage = {
  input_tokens: 1200,
  output_tokens: 300,
  cache_read_input_tokens: 800,
  cache_creation_input_tokens: 0,
};

function outcomeWith(transcript: TranscriptEntry[]): AgentOutcome {
  return {
    kind: "failed",
    reason: "x",
    usage,
    costUsd: 0.0421,
    turns: 3,
    model: "claude-test",
    transcript,
    changedFiles: [],
  };
}

const call = (
  turn: number,
  name: string,
  input: unknown,
  output = "ok",
  isError = false,
): TranscriptEntry => ({
  kind: "tool_call",
  turn,
  id: `t${turn}`,
  name,
  input,
  output,
  isError,
  durationMs: 1500,
});

describe("the run log", () => {
  it("names each tool's target and outcome, the notes, then turns, tokens, cost and duration", () => {
    const text = renderRunLog({
      durationMs: 95_000,
      outcome: outcomeWith([
        call(1, "read_file", { path: "api/server.go" }),
        call(2, "write_file", { path: "api/balance.go", content: "package api" }),
        call(2, "go", { args: ["test", "./..."] }, "$ go test ./...\n--- FAIL: TestBalance\nFAIL", true),
        {
          kind: "note",
          turn: 3,
          text: "report missing sections (Testing); asking once for a complete report",
        },
      ]),
    });
    expect(text).toContain("1. turn 1: **read api/server.go** — ok");
    expect(text).toContain("2. turn 2: **wrote api/balance.go** — ok");
    expect(text).toContain("3. turn 2: **ran go test ./...** — failed: --- FAIL: TestBalance");
    expect(text).toContain("_report missing sections (Testing); asking once for a complete report_");
    expect(text).toMatch(
      /3 turns · 2,000 input \/ 300 output tokens \(800 from cache\) · \$0\.04 · 1\.6 min\*\* on claude-test/,
    );
  });

  it("escapes what the model and its code wrote, and redacts secrets", () => {
    registerSecret("s3cr3t-value-for-run-log");
    const text = renderRunLog({
      durationMs: 1000,
      outcome: outcomeWith([
        call(1, "read_file", { path: "<img src=x>@admin #12 `x`.go" }),
        call(1, "go", { args: ["test", "-run", "s3cr3t-value-for-run-log"] }, "boom\n<script>", true),
      ]),
    });
    expect(text).not.toContain("<img");
    expect(text).not.toContain("@admin");
    expect(text).not.toContain("s3cr3t-value-for-run-log");
    expect(text).toContain("redacted");
  });

  it("stays within GitHub's check run limit, cut with the one marker, totals kept", () => {
    const many = Array.from({ length: 5_000 }, (_, i) => call(i, "read_file", { path: `pkg/file_${i}.go` }));
    const log = clippedRunLog({ durationMs: 1000, outcome: outcomeWith(many) }, 30_000);
    expect(log.length).toBeLessThanOrEqual(30_000);
    expect(log).toMatch(/more lines cut/);
    expect(log).toMatch(/3 turns/);
    const text = checkRunText(log, "x".repeat(60_000));
    expect(text.length).toBeLessThanOrEqual(CHECK_TEXT_LIMIT);
  });
});

describe("a job's check run and pull request body", () => {
  const { privateKey, publicKey } = appKeyPair();
  let gh: GitHubStandIn;
  let model: ScriptedModelServer;
  let dataDir: string;

  beforeAll(async () => {
    gh = await startGitHubServer({ appPublicKey: publicKey });
    model = await startScriptedModel({ script: [] });
    dataDir = await mkdtemp(join(tmpdir(), "bga-runlog-"));
    await gh.createRepo("acme", "ledger", { fromDir: LEDGER_FIXTURE });
    gh.setPermission("acme", "ledger", "alice", "write");
  }, 60_000);
  afterAll(async () => {
    await model?.close();
    await gh?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("name the files read and written and the go commands run", async () => {
    const handler = await inProcessJobHandler({ gh, privateKey, modelUrl: model.url, dataDir });
    const issue = gh.createIssue("acme", "ledger", { title: "Add a balance endpoint" });
    model.add(
      tool("read_file", { path: "api/server.go" }),
      callTools(
        { name: "write_file", input: { path: "api/balance.go", content: BALANCE_HANDLER } },
        { name: "write_file", input: { path: "api/balance_test.go", content: BALANCE_TEST } },
        { name: "edit_file", input: BALANCE_ROUTE_EDIT },
      ),
      tool("go", { args: ["test", "./..."] }),
      say(
        [
          "## Summary\nAdded the balance endpoint.\n",
          "## Implementation\nA handler.\n",
          "## Files Changed\n- `api/balance.go`\n",
          "## Testing\n`go test ./...` passes.\n",
          "## Next Steps\nNone.\n",
        ].join("\n"),
      ),
    );
    const parsed = parseTriggerEvent(
      "issues",
      "runlog-1",
      issuesLabeled(gh, {
        owner: "acme",
        repo: "ledger",
        number: issue.number,
        label: "backend-go",
        sender: "alice",
      }),
    );
    if (parsed.kind !== "task") throw new Error(parsed.reason);
    const handled = (await handler(parsed.task, {
      jobId: "job-runlog-1",
      attempt: 1,
      restarted: false,
      signal: new AbortController().signal,
    })) as HandledJob;
    expect(handled.disposition).toEqual({ kind: "done" });

    const run = gh.state.checkRuns.find((r) => r.name === CHECK_NAME);
    const text = String(run?.output?.text ?? "");
    expect(text).toContain("### What the agent did");
    expect(text).toContain("**read api/server.go** — ok");
    expect(text).toContain("**wrote api/balance.go** — ok");
    expect(text).toContain("**wrote api/balance\\_test.go** — ok");
    expect(text).toContain("**edited api/server.go** — ok");
    expect(text).toContain("**ran go test ./...** — ok");
    expect(text).toMatch(/4 turns · [\d,]+ input \/ [\d,]+ output tokens/);
    expect(text.length).toBeLessThanOrEqual(CHECK_TEXT_LIMIT);

    const pr = gh.state.pulls("acme", "ledger")[0];
    expect(pr?.body).toContain("<details>");
    expect(pr?.body).toContain("**ran go test ./...** — ok");
  }, 120_000);
});
