// Real Go against real servers: the ledger fixture's `//go:build integration` tests (pgx over
// DATABASE_URL, go-redis over REDIS_URL) run in the verdict's go test, in the sandbox, and so
// does the agent's own `go test`; a wrong SQL statement turns the verdict red with the
// database's own error, which the repair round is given.
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { runTool } from "../../src/agent/tools/registry.js";
import type { ToolContext } from "../../src/agent/tools/types.js";
import { renderVerdictMarkdown } from "../../src/github/publish/render-verdict.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import type { Toolchain } from "../../src/golang/toolchain.js";
import { parseRepoConfig } from "../../src/repo/repo-config.js";
import { createLocalServices, type LocalServices } from "../../src/services/local-services.js";
import type { JobServices } from "../../src/services/services.js";
import { reportServices, SERVICES_ROW } from "../../src/services/services-verdict.js";
import { withServices } from "../../src/services/with-services.js";
import { repairMessage } from "../../src/verify/repair-feedback.js";
import { SERVICES_CHECK, verify } from "../../src/verify/verify.js";
import { BUILTIN_PROTECTED_GLOBS } from "../../src/workspace/safe-path.js";
import { checkoutFixture, testToolchain } from "../golang/support.js";
import { servicesDescribe } from "./support.js";

const both = parseRepoConfig({ verify: { services: ["postgres", "redis"] } }, "f").verify.services;
const TAGS = ["integration"];

function toolContext(root: string, toolchain: Toolchain): ToolContext {
  const real = realpathSync(root);
  return {
    root: real,
    policy: { root: real, protectedGlobs: [...BUILTIN_PROTECTED_GLOBS] },
    toolchain,
    signal: new AbortController().signal,
    goTimeoutMs: 300_000,
    maxFileBytes: 1 << 20,
    touched: new Set(),
  };
}

servicesDescribe("integration tests against the job's PostgreSQL and Redis", () => {
  let tc: GoToolchain;
  let dataDir: string;
  let services: LocalServices;
  let checkout: { dir: string; cleanup: () => Promise<void> };
  let job: JobServices;
  let toolchain: GoToolchain;

  beforeAll(async () => {
    tc = await testToolchain();
    dataDir = await mkdtemp(join(tmpdir(), "bga-services-verify-"));
    services = createLocalServices({ dataDir });
    checkout = await checkoutFixture("services-ledger");
    job = await services.start(both, { checkoutDir: checkout.dir });
    toolchain = withServices(tc, job, TAGS);
  }, 120_000);
  afterAll(async () => {
    await job?.stop();
    await checkout?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("runs them in the verdict's go test, and the verdict names the servers and the integration tests", async () => {
    const verdict = await verify(toolchain, { dir: checkout.dir });
    const test = verdict.checks.find((c) => c.name === "go test");
    expect(test).toMatchObject({ status: "pass", summary: "4 passed, 0 failed, 0 skipped in 2 packages" });
    expect(verdict.checks.find((c) => c.name === SERVICES_CHECK)).toBeUndefined();

    const reported = await reportServices(verdict, {
      root: checkout.dir,
      declared: true,
      tags: TAGS,
      job,
      costMs: 800,
    });
    expect(reported?.overall).toBe("pass");
    const row = reported?.checks.find((c) => c.name === SERVICES_ROW);
    expect(row?.status).toBe("pass");
    expect(row?.summary).toMatch(
      /^PostgreSQL [\d.]+, Redis [\d.]+ for this job \(0\.8 s\); integration tests: 3 passed$/,
    );
    expect(reported?.servicesRun?.integration).toEqual({ tests: 3, passed: 3, failed: 0, skipped: 0 });
    // The PR and the check run show the row as it is.
    expect(renderVerdictMarkdown(reported!)).toMatch(
      /\| services \| .* \| PostgreSQL [\d.]+, Redis [\d.]+ for this job \(0\.8 s\); integration tests: 3 passed \|/,
    );
  }, 600_000);

  it("gives the agent's own go test the same database", async () => {
    const res = await runTool(
      "go",
      { args: ["test", "-count=1", "-v", "-run", "TestTransferMovesMoney", "./store"] },
      toolContext(checkout.dir, toolchain),
    );
    expect(res.isError).toBeFalsy();
    expect(res.content).toMatch(/--- PASS: TestTransferMovesMoney/);
  }, 300_000);

  it("turns red on a wrong SQL statement, with the database's error for the repair round", async () => {
    const file = join(checkout.dir, "store", "store.go");
    const good = readFileSync(file, "utf8");
    writeFileSync(
      file,
      good.replace("UPDATE accounts SET balance = balance + $1", "UPDATE acounts SET balance = balance + $1"),
    );
    try {
      const verdict = await verify(toolchain, { dir: checkout.dir });
      const test = verdict.checks.find((c) => c.name === "go test");
      expect(test?.status).toBe("fail");
      expect(test?.details).toMatch(/TestTransferMovesMoney/);
      expect(test?.details).toMatch(/relation "acounts" does not exist \(SQLSTATE 42P01\)/);
      const reported = await reportServices(verdict, {
        root: checkout.dir,
        declared: true,
        tags: TAGS,
        job,
        costMs: 0,
      });
      expect(reported?.servicesRun?.integration).toEqual({ tests: 3, passed: 2, failed: 1, skipped: 0 });
      expect(repairMessage(reported!, 1, 2)).toMatch(/relation "acounts" does not exist/);
    } finally {
      writeFileSync(file, good);
    }
  }, 600_000);

  it("without services declared, skips them and suggests the keys that would run them", async () => {
    const verdict = await verify(tc, { dir: checkout.dir });
    const reported = await reportServices(verdict, {
      root: checkout.dir,
      declared: false,
      tags: [],
      costMs: 0,
    });
    const row = reported?.checks.find((c) => c.name === SERVICES_CHECK);
    expect(row?.status).toBe("skipped");
    expect(row?.summary).toMatch(
      / — 2 tests need PostgreSQL, 1 test needs Redis: add `verify\.services: \[postgres, redis\]` and `verify\.tags: \[integration\]` to run them$/,
    );
  }, 600_000);

  it("names a service the worker lacks, and counts its tests as skipped, not passed", async () => {
    const without = createLocalServices({ dataDir, postgres: null });
    const lacking = await without.start(both, { checkoutDir: checkout.dir });
    try {
      // The job keeps the tags off when a service is missing: the tests are found as needing it.
      const verdict = await verify(withServices(tc, lacking, []), { dir: checkout.dir });
      const reported = await reportServices(verdict, {
        root: checkout.dir,
        declared: true,
        tags: [],
        job: lacking,
        costMs: 0,
      });
      expect(reported?.overall).toBe("pass");
      const row = reported?.checks.find((c) => c.name === SERVICES_ROW);
      expect(row?.status).toBe("skipped");
      expect(row?.summary).toMatch(/PostgreSQL requested, not installed on this worker/);
      expect(reported?.summary).toMatch(/needs PostgreSQL \(2 tests\)/);
    } finally {
      await lacking.stop();
    }
  }, 600_000);
});
