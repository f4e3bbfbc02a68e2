// NATS and RabbitMQ in `verify.services`: a worker without nats-server or rabbitmq-server, or
// one that cannot keep the server to the job, names the service in the verdict, starts
// nothing for it, and the tests that need it are counted skipped, never passed. Where nothing
// is declared, the verdict suggests the keys. Real Go runs the broker fixture (nats.go and
// amqp091-go behind `//go:build integration`).
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { parseRepoConfig } from "../../src/repo/repo-config.js";
import { startJobServices } from "../../src/services/job-services.js";
import { createLocalServices } from "../../src/services/local-services.js";
import { reportServices, SERVICES_ROW } from "../../src/services/services-verdict.js";
import { withServices } from "../../src/services/with-services.js";
import { SERVICES_CHECK, verify } from "../../src/verify/verify.js";
import { checkoutFixture, testToolchain } from "../golang/support.js";

const config = (services: unknown) => parseRepoConfig({ verify: { services, tags: ["integration"] } }, "f");
const brokers = config(["nats", "rabbitmq"]);

describe("NATS and RabbitMQ a worker cannot give a job", () => {
  let dataDir: string;
  const jobDirs = () => {
    const dir = join(dataDir, "services", "jobs");
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bga-broker-services-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("are named not installed when their servers are missing, and nothing starts", async () => {
    const without = createLocalServices({ dataDir, nats: null, rabbitmq: null });
    const job = await without.start(brokers.verify.services, { checkoutDir: dataDir });
    expect(job.problems).toEqual([
      { service: "nats", kind: "not-installed", reason: "NATS requested, not installed on this worker" },
      {
        service: "rabbitmq",
        kind: "not-installed",
        reason: "RabbitMQ requested, not installed on this worker",
      },
    ]);
    expect(job.used).toEqual([]);
    expect(job.env).toEqual({});
    expect(job.socketDirs).toEqual([]);
    await job.stop();
    expect(jobDirs()).toEqual([]);
  });

  it("never runs an installed rabbitmq-server, which would listen on a host port, and says why", async () => {
    const bin = join(dataDir, "bin");
    const ran = join(dataDir, "rabbitmq-ran");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "rabbitmq-server"), `#!/bin/sh\ntouch ${ran}\nsleep 30\n`);
    chmodSync(join(bin, "rabbitmq-server"), 0o755);
    const services = createLocalServices({ dataDir, searchPath: bin, nats: null });
    expect(services.rabbitmq?.server).toBe(join(bin, "rabbitmq-server"));
    const job = await services.start(config(["rabbitmq"]).verify.services, { checkoutDir: dataDir });
    expect(job.problems).toEqual([
      {
        service: "rabbitmq",
        kind: "not-supported",
        reason: expect.stringMatching(/^RabbitMQ requested, not supported on this worker \(.*TCP/),
      },
    ]);
    expect(job.used).toEqual([]);
    await job.stop();
    expect(existsSync(ran)).toBe(false);
    expect(jobDirs()).toEqual([]);
  });

  it("are named missing on a worker with no services at all, and the job's build tags are left off", async () => {
    const started = await startJobServices(undefined, config({ nats: { url: "BUS_URL" } }), dataDir);
    expect(started.declared).toBe(true);
    expect(started.tags).toEqual([]);
    expect(started.job?.problems.map((p) => p.reason)).toEqual([
      "NATS requested, not installed on this worker",
    ]);
  });
});

describe("the verdict of a module whose integration tests need NATS and RabbitMQ", () => {
  let tc: GoToolchain;
  let checkout: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    tc = await testToolchain();
    checkout = await checkoutFixture("services-broker");
  }, 120_000);
  afterAll(async () => {
    await checkout?.cleanup();
  });

  it("counts their tests skipped, not passed, and names the missing servers", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "bga-broker-verdict-"));
    try {
      const services = createLocalServices({ dataDir, nats: null, rabbitmq: null });
      const started = await startJobServices(services, brokers, checkout.dir);
      expect(started.tags).toEqual([]);
      const job = started.job!;
      const verdict = await verify(withServices(tc, job, started.tags), { dir: checkout.dir });
      const reported = await reportServices(verdict, {
        root: checkout.dir,
        declared: true,
        tags: started.tags,
        job,
        costMs: started.costMs,
      });
      expect(reported?.overall).toBe("pass");
      expect(reported?.checks.find((c) => c.name === "go test")?.summary).toBe(
        "1 passed, 0 failed, 0 skipped in 2 packages",
      );
      expect(reported?.checks.find((c) => c.name === SERVICES_CHECK)).toMatchObject({
        status: "skipped",
        summary: "skipped: needs NATS (1 test), needs RabbitMQ (1 test)",
      });
      const row = reported?.checks.find((c) => c.name === SERVICES_ROW);
      expect(row?.status).toBe("skipped");
      expect(row?.summary).toBe(
        "NATS requested, not installed on this worker; RabbitMQ requested, not installed on this worker; tests that need them are skipped, not passed",
      );
      expect(reported?.summary).toMatch(/needs NATS \(1 test\), needs RabbitMQ \(1 test\)/);
      await job.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 600_000);

  it("without services declared, suggests the keys that would run them", async () => {
    const verdict = await verify(tc, { dir: checkout.dir });
    const reported = await reportServices(verdict, {
      root: checkout.dir,
      declared: false,
      tags: [],
      costMs: 0,
    });
    const row = reported?.checks.find((c) => c.name === SERVICES_CHECK);
    expect(row?.status).toBe("skipped");
    expect(row?.summary).toBe(
      "skipped: needs NATS (1 test), needs RabbitMQ (1 test) — 1 test needs NATS, 1 test needs RabbitMQ: add `verify.services: [nats, rabbitmq]` and `verify.tags: [integration]` to run them",
    );
  }, 600_000);
});
