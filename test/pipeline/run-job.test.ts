// runJob, the pipeline the CLI and the app share: the local code host and workspace over a
// temporary checkout (never the project's own), the real Go verifier, the scripted model
// through the real SDK. The host records what it was told.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import type { CodeHost, JobDeps, JobMade, JournalEntry } from "../../src/pipeline/ports.js";
import { runJob } from "../../src/pipeline/run-job.js";
import { serializeEntry } from "../../src/queue/job-journal.js";
import { testToolchain } from "../golang/support.js";
import { localJob } from "../support/local-job.js";
import { cliTask, git, type LedgerCheckout, ledgerCheckout } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  httpError,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  startScriptedModel,
  tool,
  toolResults,
} from "../support/scripted-model.js";

let toolchain: GoToolchain;
let checkout: LedgerCheckout | undefined;
let server: ScriptedModelServer | undefined;

beforeAll(async () => {
  toolchain = await testToolchain();
});

afterEach(async () => {
  await server?.close();
  await checkout?.cleanup();
  server = undefined;
  checkout = undefined;
});

async function job(
  script: ScriptStep[],
  overrides: Partial<JobDeps> | ((host: CodeHost) => Partial<JobDeps>) = {},
  prepare?: (dir: string) => void,
) {
  checkout = await ledgerCheckout();
  prepare?.(checkout.dir);
  server = await startScriptedModel({ script });
  const { deps, ...rec } = localJob({
    repoDir: checkout.dir,
    branch: "backend-go/test",
    modelUrl: server.url,
    toolchain,
  });
  const result = await runJob(cliTask("Add a Version constant."), {
    ...deps,
    ...(typeof overrides === "function" ? overrides(rec.host) : overrides),
  });
  return { result, ...rec, requests: server.requests };
}

function commitConfig(dir: string, yaml: string): void {
  mkdirSync(join(dir, ".github"), { recursive: true });
  writeFileSync(join(dir, ".github", "backend-go-agent.yml"), yaml);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "configure the bot");
}

const REPORT = GO_ENGINEER_SECTIONS.map(
  (s) => `## ${s}\n${s === "Summary" ? "Added ledger.Version." : "Done."}`,
).join("\n\n");

const MISALIGNED = tool("write_file", {
  path: "ledger/version.go",
  content: 'package ledger\n\nconst Version   = "1.0.0"\n',
});

describe("runJob", () => {
  it("walks gate, context, prepare, agent, verify, commit and publish once, in that order", async () => {
    const { result, stages, published } = await job([MISALIGNED, say(REPORT)]);
    expect(stages).toEqual([
      "cloning",
      "agent",
      "agent:write_file ledger/version.go",
      "verifying",
      "pushing",
    ]);
    const { published: links, ...published1 } = result;
    expect(published).toEqual([published1]);
    expect(links).toEqual({});
    expect(result.disposition).toEqual({ kind: "done" });
    expect(result.outcome.kind).toBe("completed");
    expect(result.outcome.changedFiles).toEqual(["ledger/version.go"]);
    expect(result.agent).toEqual({ name: "backend-engineer-golang", version: "1.1.0" });
    expect(result.outcome.model).toBe("claude-opus-4-5");
    // The verifier sees what the agent left: gofmt flags the misaligned constant.
    expect(result.verdict?.overall).toBe("fail");
    expect(result.verdict?.checks.find((c) => c.name === "gofmt")?.status).toBe("fail");
    const dir = checkout!.dir;
    expect(result.commit).toEqual({
      branch: "backend-go/test",
      baseSha: git(dir, "rev-parse", "main"),
      startedFrom: "base-branch",
      sha: git(dir, "rev-parse", "HEAD"),
      pushed: false,
    });
    expect(git(dir, "log", "-1", "--format=%an <%ae>|%s")).toBe(
      "backend-go-agent <bot@example.com>|Added ledger.Version",
    );
  });

  it("journals each step, every model turn and tool call as they happen, and the verdict's rows", async () => {
    const entries: JournalEntry[] = [];
    const { result } = await job([MISALIGNED, say(REPORT)], { journal: (e) => entries.push(e) });
    expect(result.outcome.kind).toBe("completed");
    const steps = entries.flatMap((e) => (e.kind === "step" ? [e.step] : []));
    expect([...new Set(steps)]).toEqual([
      "gate",
      "context",
      "cloning",
      "agent",
      "verifying",
      "pushing",
      "publishing",
    ]);
    const kinds = entries.map((e) => (e.kind === "step" ? `step:${e.step}` : e.kind));
    // The tool call is journaled between the agent step and the verdict, as it ran.
    expect(kinds.indexOf("model_call")).toBeGreaterThan(kinds.indexOf("step:agent"));
    expect(kinds.indexOf("tool_call")).toBeGreaterThan(kinds.indexOf("model_call"));
    expect(kinds.indexOf("verdict")).toBeGreaterThan(kinds.lastIndexOf("tool_call"));
    expect(entries.find((e) => e.kind === "tool_call")).toMatchObject({
      name: "write_file",
      input: { path: "ledger/version.go" },
    });
    expect(entries.filter((e) => e.kind === "model_call")).toHaveLength(2);
    const verdict = entries.find((e) => e.kind === "verdict");
    expect(verdict).toMatchObject({ overall: "fail" });
    expect(verdict?.kind === "verdict" && verdict.rows.find((r) => r.name === "gofmt")?.status).toBe("fail");
    expect(entries.at(-1)).toMatchObject({ kind: "step", step: "publishing", detail: "done" });
    const stored = entries.reduce((n, e) => n + Buffer.byteLength(serializeEntry(e)), 0);
    console.log(
      `[measure] journal of a 2-turn job with a verdict: ${stored} bytes, ${Math.round(stored / 2)} per turn`,
    );
  });

  it("finishes the job when the journal's writer throws", async () => {
    const { result } = await job([MISALIGNED, say(REPORT)], {
      journal: () => {
        throw new Error("store down");
      },
    });
    expect(result.outcome.kind).toBe("completed");
    expect(result.disposition).toEqual({ kind: "done" });
  });

  it("applies the repository's configuration: its verify commands and its protected paths", async () => {
    const { result, requests } = await job(
      [MISALIGNED, tool("write_file", { path: "migrations/001.sql", content: "select 1;\n" }), say(REPORT)],
      {},
      (dir) =>
        commitConfig(
          dir,
          'verify:\n  commands:\n    - ["go", "build", "./..."]\nprotected_paths: [migrations/**]\n',
        ),
    );
    // The tool refused the protected path, and said so to the model.
    const [refusal] = toolResults(requests[2]!);
    expect(refusal).toMatchObject({ is_error: true });
    expect(refusal?.content).toMatch(/protected/);
    expect(result.outcome.changedFiles).toEqual(["ledger/version.go"]);
    // Of the commands, only go build ran: the misaligned file would have failed gofmt. The
    // evidence rows (fail → pass, -race, API) have keys of their own and stay on.
    const checks = result.verdict?.checks ?? [];
    expect(checks.filter((c) => !c.evidence).map((c) => c.name)).toEqual(["go build"]);
    expect(result.verdict?.overall).toBe("pass");
  });

  it("ends at the gate with the file's own words when the configuration is invalid, before any model call", async () => {
    const { result, published, requests } = await job([say(REPORT)], {}, (dir) =>
      commitConfig(dir, "budgets:\n  max_usd: -3\n"),
    );
    expect(requests).toHaveLength(0);
    expect(result.step).toBe("gate");
    expect(result.disposition).toEqual({
      kind: "failed",
      reason: 'local/ledger-service:.github/backend-go-agent.yml: key "budgets.max_usd": must be above 0',
    });
    expect(published).toHaveLength(1);
    expect(result.commit).toBeUndefined();
  });

  it("refuses quietly when the gate says so: nothing is prepared, run or published", async () => {
    const { result, published, requests } = await job([say(REPORT)], (host) => ({
      host: { ...host, gate: async () => ({ kind: "refused", reason: "not a trigger here" }) },
    }));
    expect(result.disposition).toEqual({ kind: "refused", reason: "not a trigger here" });
    expect(published).toEqual([]);
    expect(requests).toHaveLength(0);
    expect(git(checkout!.dir, "branch", "--format=%(refname:short)")).toBe("main");
  });

  it("ends in the context step when the agent asked for does not exist", async () => {
    const { result, requests } = await job([say(REPORT)], (host) => ({
      host: {
        ...host,
        taskContext: (task, plan) => host.taskContext({ ...task, agent: "no-such-agent" }, plan),
      },
    }));
    expect(requests).toHaveLength(0);
    expect(result.step).toBe("context");
    expect(result.disposition.kind).toBe("failed");
    expect(result.outcome.kind === "failed" && result.outcome.reason).toMatch(/no-such-agent/);
  });

  it("commits nothing and publishes the reason when the run fails", async () => {
    const write = tool("write_file", { path: "half.go", content: "package ledger\n" });
    const { result, published } = await job([write, write], { budgetOverrides: { maxTurns: 2 } });
    expect(result.outcome.kind).toBe("failed");
    expect(published[0]?.outcome).toMatchObject({ kind: "failed", budget: "turns" });
    expect(result.commit).toBeUndefined();
    expect(git(checkout!.dir, "log", "--all", "--format=%s")).toBe("ledger-service fixture");
  });

  it("asks for a retry when the cause may pass and the queue has another attempt, and fails otherwise", async () => {
    const overloaded = [httpError(529, "overloaded")];
    const retried = await job(overloaded, { attempt: { number: 1, retryInMs: 30_000 } });
    expect(retried.result.disposition).toMatchObject({ kind: "retry", afterMs: 30_000 });
    await server?.close();
    await checkout?.cleanup();
    const last = await job(overloaded, { attempt: { number: 3 } });
    expect(last.result.disposition.kind).toBe("failed");
  });

  it("refuses a checkout with uncommitted changes before calling the model", async () => {
    const { result, requests } = await job([say(REPORT)], {}, (dir) =>
      writeFileSync(join(dir, "dirty.txt"), "x"),
    );
    expect(result.outcome.kind).toBe("failed");
    expect(result.outcome.kind === "failed" && result.outcome.reason).toMatch(
      /uncommitted changes; commit or stash them first/,
    );
    expect(requests).toHaveLength(0);
  });

  it("keeps going when a progress update fails", async () => {
    const { result, published } = await job([say(REPORT)], (host) => ({
      host: { ...host, reportProgress: () => Promise.reject(new Error("comment edit rate-limited")) },
    }));
    expect(result.outcome.kind).toBe("completed");
    expect(published).toHaveLength(1);
  });

  it("publishes the failure when publishing fails, and retries when GitHub's error may pass", async () => {
    let calls = 0;
    const { result, published } = await job([say(REPORT)], (host) => ({
      attempt: { number: 1, retryInMs: 1_000 },
      host: {
        ...host,
        publish: async (r) => {
          calls++;
          if (calls === 1) throw Object.assign(new Error("Bad Gateway"), { status: 502 });
          return host.publish(r);
        },
      },
    }));
    expect(calls).toBe(2);
    expect(published).toHaveLength(1);
    expect(result.step).toBe("publishing");
    expect(result.outcome.kind === "failed" && result.outcome.reason).toBe(
      "publishing the result failed: Bad Gateway",
    );
    expect(result.disposition).toMatchObject({ kind: "retry" });
  });

  it("records what it made as it goes; the retry after a publish failure publishes it without a checkout or a model call", async () => {
    const recorded: JobMade[] = [];
    const writes = tool("write_file", {
      path: "ledger/version.go",
      content: 'package ledger\n\n// Version is the ledger\'s version.\nconst Version = "1.0.0"\n',
    });
    const first = await job([writes, say(REPORT)], (host) => ({
      attempt: { number: 1, retryInMs: 1_000 },
      onMade: async (made) => void recorded.push(structuredClone(made)),
      host: {
        ...host,
        publish: async () => {
          throw Object.assign(new Error("Bad Gateway"), { status: 502 });
        },
      },
    }));
    expect(first.result.disposition).toMatchObject({ kind: "retry" });
    // Counted before the model was called, then the finished result, with its verdict.
    expect(recorded.map((m) => [m.agentRuns, Boolean(m.result)])).toEqual([
      [1, false],
      [1, true],
    ]);
    const made = recorded.at(-1)!;
    expect(made.result?.verdict?.overall).toBe("pass");
    expect(made.result?.commit?.sha).toMatch(/^[0-9a-f]{40}$/);

    const requestsBefore = first.requests.length;
    const published = localJob({
      repoDir: checkout!.dir,
      branch: "backend-go/test",
      modelUrl: server!.url,
      toolchain,
    });
    const again = await runJob(cliTask("Add a Version constant."), {
      ...published.deps,
      workspace: () => {
        throw new Error("the retry must not prepare a checkout");
      },
      attempt: { number: 2 },
      made,
      onMade: async (m) => void recorded.push(m),
    });
    expect(again.disposition).toEqual({ kind: "done" });
    expect(server!.requests.length).toBe(requestsBefore);
    expect(published.published).toHaveLength(1);
    expect(published.published[0]!.verdict?.overall).toBe("pass");
    expect(published.published[0]!.commit?.sha).toBe(made.result?.commit?.sha);
    expect(recorded).toHaveLength(2);
  });
});
