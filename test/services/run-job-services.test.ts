// runJob with services, end to end on real things: the scripted model through the real SDK,
// the ledger fixture (pgx + go-redis, `//go:build integration`) in a git checkout whose
// configuration declares PostgreSQL and Redis, real servers, real Go in the sandbox. The
// agent's own go test reaches the database; a wrong SQL statement goes back to it with the
// database's error; the servers are gone when the job ends, and when it is stopped.
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "@jest/globals";
import { createAnthropicModelClient } from "../../src/agent/model/anthropic-client.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { JobCancelled } from "../../src/pipeline/job-errors.js";
import type { CodeHost } from "../../src/pipeline/ports.js";
import { runJob } from "../../src/pipeline/run-job.js";
import { createLocalServices, type LocalServices } from "../../src/services/local-services.js";
import { SERVICES_ROW } from "../../src/services/services-verdict.js";
import { createLocalWorkspace } from "../../src/workspace/local-workspace.js";
import { FIXTURES, testToolchain } from "../golang/support.js";
import { recordingHost } from "../support/local-host.js";
import { cliTask, git } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  startScriptedModel,
  tool,
  toolResults,
} from "../support/scripted-model.js";
import { servicesDescribe } from "./support.js";

const CONFIG = "verify:\n  services: [postgres, redis]\n  tags: [integration]\n";
const REPORT = GO_ENGINEER_SECTIONS.map(
  (s) => `## ${s}\n${s === "Summary" ? "Transfers credit the target account." : "Done."}`,
).join("\n\n");

servicesDescribe("runJob with the repository's services", () => {
  let toolchain: GoToolchain;
  let dataDir: string;
  let services: LocalServices;
  let base: string | undefined;
  let server: ScriptedModelServer | undefined;

  beforeAll(async () => {
    toolchain = await testToolchain();
    dataDir = await mkdtemp(join(tmpdir(), "bga-services-job-"));
    services = createLocalServices({ dataDir });
  });
  afterEach(async () => {
    await server?.close();
    if (base) await rm(base, { recursive: true, force: true });
    server = undefined;
    base = undefined;
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const jobsLeft = () => readdirSync(join(dataDir, "services", "jobs"));

  async function job(
    script: ScriptStep[],
    hostFor: (host: CodeHost) => CodeHost = (h) => h,
    signal?: AbortSignal,
  ) {
    base = await mkdtemp(join(tmpdir(), "bga-services-job-checkout-"));
    const dir = join(base, "ledger");
    cpSync(join(FIXTURES, "services-ledger"), dir, { recursive: true });
    mkdirSync(join(dir, ".github"));
    writeFileSync(join(dir, ".github", "backend-go-agent.yml"), CONFIG);
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "ledger fixture");
    server = await startScriptedModel({ script });
    const rec = recordingHost(dir);
    const url = server.url;
    const result = await runJob(cliTask("Make transfers credit the target account."), {
      host: hostFor(rec.host),
      workspace: () => createLocalWorkspace({ repoDir: dir, branch: "backend-go/test" }),
      toolchain: () => toolchain,
      services,
      modelClient: createAnthropicModelClient({ apiKey: "sk-ant-test", baseURL: url, maxRetries: 0 }),
      resolveModel: (m) => (m === "opus" ? "claude-opus-4-5" : m),
      author: { name: "backend-go-agent", email: "bot@example.com" },
      ...(signal ? { signal } : {}),
    });
    return { result, dir, requests: server.requests };
  }

  const storeGo = () => readFileSync(join(FIXTURES, "services-ledger", "store", "store.go"), "utf8");
  const withComment = (text: string) =>
    text.replace("// Transfer moves amount", "// Transfer moves amount (checked)");

  it("lets the agent test against the database, sends a wrong statement back with the database's error, and ends green", async () => {
    const broken = withComment(storeGo()).replace(
      "UPDATE accounts SET balance = balance + $1",
      "UPDATE acounts SET balance = balance + $1",
    );
    const { result, requests } = await job([
      tool("go", { args: ["test", "-count=1", "-run", "TestTransferMovesMoney", "-v", "./store"] }),
      tool("write_file", { path: "store/store.go", content: broken }),
      say(REPORT),
      // The repair round.
      tool("write_file", { path: "store/store.go", content: withComment(storeGo()) }),
      say(REPORT),
    ]);
    // The agent was told what it has.
    expect(JSON.stringify(requests[0])).toMatch(
      /## Services for this job.*PostgreSQL [\d.]+ and Redis [\d.]+ run for this job alone.*`DATABASE_URL`, `PGHOST`, `REDIS_URL`/,
    );
    // The agent's own go test ran the integration test against the job's PostgreSQL.
    const [ownTest] = toolResults(requests[1]!);
    expect(ownTest?.is_error).toBeFalsy();
    expect(String(ownTest?.content)).toMatch(/--- PASS: TestTransferMovesMoney/);
    // The repair round was told what the database said.
    const repair = JSON.stringify(requests[3]);
    expect(repair).toMatch(/relation \\+"acounts\\+" does not exist/);
    const verdict = result.verdict!;
    expect(verdict.overall).toBe("pass");
    expect(verdict.repairs?.[0]).toMatchObject({
      round: 1,
      before: ["go test"],
      after: [],
      fixed: ["go test"],
    });
    const row = verdict.checks.find((c) => c.name === SERVICES_ROW);
    expect(row?.status).toBe("pass");
    // The store package's two: the change cannot affect the cache package, which is not tested.
    expect(row?.summary).toMatch(
      /^PostgreSQL [\d.]+, Redis [\d.]+ for this job \([\d.]+ s\); integration tests: 2 passed$/,
    );
    expect(result.commit?.sha).toBeTruthy();
    // Nothing of the servers outlives the job.
    expect(jobsLeft()).toEqual([]);
  }, 600_000);

  it("checks the change's migration up, down and up, and sends a broken down step back to the agent", async () => {
    const up = "ALTER TABLE accounts ADD COLUMN email text;\n";
    const { result, requests } = await job([
      tool("write_file", { path: "migrations/0002_add_email.up.sql", content: up }),
      tool("write_file", {
        path: "migrations/0002_add_email.down.sql",
        content: "ALTER TABLE accounts DROP COLUMN emial;\n",
      }),
      say(REPORT),
      tool("write_file", {
        path: "migrations/0002_add_email.down.sql",
        content: "ALTER TABLE accounts DROP COLUMN email;\n",
      }),
      say(REPORT),
    ]);
    expect(JSON.stringify(requests[3])).toContain(
      'migrations/0002_add_email.down.sql:1 (down): ERROR: column \\"emial\\" of relation \\"accounts\\" does not exist',
    );
    const verdict = result.verdict!;
    expect(verdict.overall).toBe("pass");
    expect(verdict.checks.find((c) => c.name === "migrations")).toMatchObject({
      status: "pass",
      summary: "2 up, 1 down (0002_add_email) and up again on a scratch database",
    });
    expect(verdict.repairs?.[0]).toMatchObject({ before: ["migrations"], fixed: ["migrations"] });
    expect(jobsLeft()).toEqual([]);
  }, 600_000);

  it("leaves no server process and no data directory when the job is stopped", async () => {
    const stop = new AbortController();
    let pids: string[] = [];
    const { result } = await job(
      [tool("go", { args: ["test", "-count=1", "./store"] }), tool("go", { args: ["version"] }), say(REPORT)],
      (host) => ({
        ...host,
        reportProgress(stage, detail, progress) {
          // Stopped while the agent works, with its servers running.
          if (progress?.event === "tool_call" && !stop.signal.aborted) {
            const [dir] = jobsLeft();
            pids = ["postgres.pid", "redis.pid"].map((f) =>
              readFileSync(join(dataDir, "services", "jobs", dir!, f), "utf8").trim(),
            );
            stop.abort(new JobCancelled("stopped by a maintainer"));
          }
          return host.reportProgress(stage, detail, progress);
        },
      }),
      stop.signal,
    );
    expect(result.disposition.kind).toBe("cancelled");
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(readdirSync("/proc")).not.toContain(pid);
    expect(jobsLeft()).toEqual([]);
  }, 600_000);
});
