// The eval's judge and the services a task declares: the configuration is read from the task's
// own first commit (what the agent did to the file changes nothing); a worker lacking a service
// does not judge the task (and the self-check counts that as wrong, never as checked); a hidden
// test that skipped for want of its database, or none that ran, is no pass. On real servers:
// a task judged with its PostgreSQL even when the agent took `verify.services` out of the file.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { loadTask } from "../../src/eval/eval-task.js";
import { judgeTree } from "../../src/eval/judge.js";
import { checkoutTask } from "../../src/eval/run-task.js";
import { checkLineText, checkTask } from "../../src/eval/self-check.js";
import { loadTaskConfig } from "../../src/eval/task-config.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { createLocalServices } from "../../src/services/local-services.js";
import { testToolchain } from "../golang/support.js";
import { servicesDescribe } from "../services/support.js";
import { git, REPO_ROOT } from "../support/model-checkout.js";

const WALLETS = join(REPO_ROOT, "evals", "go-backend", "pg-wallet-transfer");
const CONFIG = join(".github", "backend-go-agent.yml");

let toolchain: GoToolchain;
let base: string;
beforeAll(async () => {
  toolchain = await testToolchain();
  base = await mkdtemp(join(tmpdir(), "bga-judge-services-"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let n = 0;
/** A checkout of the wallet task with the reference solution laid over it, and its before-commit. */
async function solved(task = loadTask(WALLETS)) {
  const dir = join(base, `checkout-${++n}`, task.id);
  const before = await checkoutTask(task, dir);
  cpSync(task.solutionDir!, dir, { recursive: true });
  return { task, dir, before };
}

/** A copy of the wallet task whose repository declares `config` instead of its own. */
function taskWithConfig(config: string) {
  const dir = join(base, `task-${++n}`, "pg-wallet-transfer");
  cpSync(WALLETS, dir, { recursive: true });
  writeFileSync(join(dir, "repo", CONFIG), config);
  return loadTask(dir);
}

describe("the eval judge and the task's services", () => {
  it("reads the task's configuration from its first commit, not from what the agent committed", async () => {
    const { dir, before } = await solved();
    writeFileSync(join(dir, CONFIG), "verify:\n  tags: [integration]\n");
    git(dir, "commit", "-qam", "the agent drops the services");
    expect((await loadTaskConfig(dir, "HEAD")).verify.services).toEqual({});
    const config = await loadTaskConfig(dir, before);
    expect(config.verify.services.postgres).toBeDefined();
    expect(config.verify.tags).toEqual(["integration"]);
  });

  it("does not judge a task whose service the worker lacks: not passed, and it says why", async () => {
    const { task, dir, before } = await solved();
    const config = await loadTaskConfig(dir, before);
    const noPostgres = createLocalServices({ dataDir: join(base, "data"), postgres: null });
    for (const services of [noPostgres, undefined]) {
      const got = await judgeTree(task, {
        toolchain,
        checkoutDir: dir,
        config,
        ...(services ? { services } : {}),
      });
      expect(got).toMatchObject({
        passed: false,
        failingTests: [],
        unjudged: "PostgreSQL requested, not installed on this worker",
        summary: "not judged: PostgreSQL requested, not installed on this worker",
      });
    }
    // The suite's self-check counts such a task as wrong, never as checked.
    const lines = await checkTask(task, { toolchain, services: noPostgres });
    expect(lines.map((l) => `${l.variant}:${l.ok}`)).toEqual([
      "solution:false",
      "before:false",
      "wrong:false",
    ]);
    expect(checkLineText(lines[1]!)).toMatch(
      /^BAD {2}pg-wallet-transfer before: not judged, want fail \(not judged: PostgreSQL requested/,
    );
  }, 120_000);

  it("passes no hidden test that skipped for want of its database, nor a judge that ran none", async () => {
    // A task that forgot `verify.services`: the hidden tests build and skip.
    const skipping = taskWithConfig("verify:\n  tags: [integration]\n");
    const a = await solved(skipping);
    const skipped = await judgeTree(skipping, {
      toolchain,
      checkoutDir: a.dir,
      config: await loadTaskConfig(a.dir, a.before),
    });
    expect(skipped.passed).toBe(false);
    expect(skipped.failingTests).toContain(
      "example.com/wallets/internal/wallets.TestHiddenTransferMovesMoneyAndRecordsIt (skipped)",
    );
    expect(skipped.summary).toMatch(/: 4 skipped — TestHidden\w+: DATABASE_URL is not set$/);

    // Nor the tag: the integration-tagged hidden tests are not even built.
    const untagged = taskWithConfig("{}\n");
    const b = await solved(untagged);
    const none = await judgeTree(untagged, {
      toolchain,
      checkoutDir: b.dir,
      config: await loadTaskConfig(b.dir, b.before),
    });
    expect(none).toMatchObject({ passed: false, summary: expect.stringMatching(/: no hidden test ran$/) });
  }, 120_000);
});

servicesDescribe("the eval judge on a real PostgreSQL", () => {
  const dataDir = join(tmpdir(), `bga-judge-services-data-${process.pid}`);
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("judges with the services of the task's own commit even when the agent removed them", async () => {
    const { task, dir, before } = await solved();
    mkdirSync(join(dir, ".github"), { recursive: true });
    writeFileSync(join(dir, CONFIG), "verify:\n  tags: [integration]\n");
    git(dir, "commit", "-qam", "the agent drops the services");
    const got = await judgeTree(task, {
      toolchain,
      checkoutDir: dir,
      config: await loadTaskConfig(dir, before),
      services: createLocalServices({ dataDir }),
    });
    expect(got).toMatchObject({ passed: true, failingTests: [] });
    expect(got.services?.labels).toEqual([expect.stringMatching(/^PostgreSQL \d+/)]);
    expect(got.services!.startMs).toBeGreaterThan(0);
  }, 180_000);
});
