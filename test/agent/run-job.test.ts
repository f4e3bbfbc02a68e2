// runJob, the pipeline the CLI and the app share, with the local workspace, the real Go
// verifier and a code host that records what it was told.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { createAnthropicModelClient } from "../../src/agent/anthropic-client.js";
import { loadAgentDefinition } from "../../src/agent/definition.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import type { CodeHost, JobDeps, JobResult } from "../../src/jobs/ports.js";
import { runJob } from "../../src/jobs/run-job.js";
import { verify } from "../../src/verify/verify.js";
import { createLocalWorkspace } from "../../src/workspace/local-workspace.js";
import { testToolchain } from "../golang/support.js";
import { cliTask, GO_ENGINEER, git, type LedgerCheckout, ledgerCheckout } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  startScriptedModel,
  tool,
} from "../support/scripted-model.js";

let toolchain: GoToolchain;
let checkout: LedgerCheckout;
let server: ScriptedModelServer;

beforeAll(async () => {
  toolchain = await testToolchain();
});

afterEach(async () => {
  await server.close();
  await checkout.cleanup();
});

function recordingHost() {
  const stages: string[] = [];
  const published: JobResult[] = [];
  const host: CodeHost = {
    reportProgress(stage, detail, progress) {
      if (!progress) stages.push(stage);
      else if (progress.event === "tool_call") stages.push(`${stage}:${detail}`);
    },
    async publish(result) {
      published.push(result);
    },
  };
  return { host, stages, published };
}

async function job(script: ScriptStep[], overrides: Partial<JobDeps> = {}) {
  checkout = await ledgerCheckout();
  server = await startScriptedModel({ script });
  const rec = recordingHost();
  const result = await runJob(cliTask("Add a Version constant."), {
    workspace: createLocalWorkspace({ repoDir: checkout.dir, branch: "backend-go/test" }),
    codeHost: rec.host,
    modelClient: createAnthropicModelClient({ apiKey: "sk-ant-test", baseURL: server.url, maxRetries: 0 }),
    toolchain,
    verify: (dir, changedFiles, signal) => verify(toolchain, { dir, changedFiles, signal }),
    loadAgent: () => loadAgentDefinition(GO_ENGINEER),
    resolveModel: (m) => (m === "opus" ? "claude-opus-4-5" : m),
    author: { name: "backend-go-agent", email: "bot@example.com" },
    coAuthor: { name: "Tester", email: "tester@example.com" },
    ...overrides,
  });
  return { result, ...rec };
}

const REPORT = GO_ENGINEER_SECTIONS.map(
  (s) => `## ${s}\n${s === "Summary" ? "Added ledger.Version." : "Done."}`,
).join("\n\n");

describe("runJob", () => {
  it("prepares, runs, verifies, commits with the summary as subject, and publishes once", async () => {
    const { result, stages, published } = await job([
      tool("write_file", {
        path: "ledger/version.go",
        content: 'package ledger\n\nconst Version   = "1.0.0"\n',
      }),
      say(REPORT),
    ]);
    expect(stages).toEqual([
      "cloning",
      "agent",
      "agent:write_file ledger/version.go",
      "verifying",
      "pushing",
    ]);
    expect(published).toEqual([result]);
    expect(result.outcome.kind).toBe("completed");
    expect(result.outcome.changedFiles).toEqual(["ledger/version.go"]);
    expect(result.agent).toEqual({ name: "backend-engineer-golang", version: "1.1.0" });
    expect(result.outcome.model).toBe("claude-opus-4-5");
    // The verifier sees what the agent left: gofmt flags the misaligned constant.
    expect(result.verdict?.overall).toBe("fail");
    expect(result.verdict?.checks.find((c) => c.name === "gofmt")?.status).toBe("fail");
    expect(result.commit).toEqual({
      branch: "backend-go/test",
      baseSha: git(checkout.dir, "rev-parse", "main"),
      sha: git(checkout.dir, "rev-parse", "HEAD"),
      pushed: false,
    });
    expect(git(checkout.dir, "log", "-1", "--format=%an <%ae>|%s")).toBe(
      "backend-go-agent <bot@example.com>|Added ledger.Version",
    );
    expect(git(checkout.dir, "log", "-1", "--format=%B")).toMatch(
      /\n\nCo-authored-by: Tester <tester@example.com>$/,
    );
  });

  it("commits nothing and publishes the reason when the run fails", async () => {
    const write = tool("write_file", { path: "half.go", content: "package ledger\n" });
    const { result, published } = await job([write, write], { budgets: { maxTurns: 2 } });
    expect(result.outcome.kind).toBe("failed");
    expect(published[0]?.outcome).toMatchObject({ kind: "failed", budget: "turns" });
    expect(result.commit).toBeUndefined();
    expect(git(checkout.dir, "log", "--all", "--format=%s")).toBe("ledger-service fixture");
  });

  it("turns a workspace failure into a failed outcome with its reason", async () => {
    const { result } = await job([say(REPORT)], {
      workspace: createLocalWorkspace({ repoDir: "/nonexistent-repo-dir" }),
    });
    expect(result.outcome.kind).toBe("failed");
    if (result.outcome.kind !== "failed") return;
    expect(result.outcome.reason).toMatch(/^the job failed: /);
    expect(server.requests).toHaveLength(0);
  });

  it("refuses a checkout with uncommitted changes before calling the model", async () => {
    const { result } = await job([say(REPORT)], {
      workspace: {
        ...createLocalWorkspace({ repoDir: "." }),
        prepare: async () => {
          writeFileSync(join(checkout.dir, "dirty.txt"), "x");
          return createLocalWorkspace({ repoDir: checkout.dir }).prepare();
        },
      },
    });
    expect(result.outcome.kind).toBe("failed");
    if (result.outcome.kind !== "failed") return;
    expect(result.outcome.reason).toMatch(/uncommitted changes; commit or stash them first/);
    expect(server.requests).toHaveLength(0);
  });

  it("keeps going when a progress update fails", async () => {
    const rec = recordingHost();
    const { result } = await job([say(REPORT)], {
      codeHost: {
        reportProgress: () => Promise.reject(new Error("comment edit rate-limited")),
        publish: rec.host.publish,
      },
    });
    expect(result.outcome.kind).toBe("completed");
    expect(rec.published).toEqual([result]);
  });
});
