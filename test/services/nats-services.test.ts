// A job's NATS on this machine's real nats-server: in a network namespace of its own, bridged
// to a Unix socket, and reached by the job's sandboxed Go runs at NATS_URL through the bridge in
// theirs. A nats.go test publishes and receives; two jobs get separate servers; no port opens on
// the worker's network; a stopped job (or a dead worker's) leaves no process behind.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { parseRepoConfig } from "../../src/repo/repo-config.js";
import { createLocalServices, type LocalServices } from "../../src/services/local-services.js";
import type { JobServices } from "../../src/services/services.js";
import { reportServices, SERVICES_ROW } from "../../src/services/services-verdict.js";
import { withServices } from "../../src/services/with-services.js";
import { verify } from "../../src/verify/verify.js";
import { checkoutFixture, NO_BUBBLEWRAP, testToolchain } from "../golang/support.js";
import { natsDescribe } from "./support.js";

const nats = parseRepoConfig({ verify: { services: ["nats"] } }, "f").verify.services;
const TAGS = ["integration"];

/** Speaks NATS' text protocol over the job's socket: sends lines, returns all it received once PONG comes. */
function natsSession(socket: string) {
  const sock = connect(socket);
  let received = "";
  sock.setEncoding("utf8");
  sock.on("data", (d: string) => {
    received += d;
  });
  const pongs = () => received.split("\r\n").filter((l) => l === "PONG").length;
  return {
    /** Sends the lines and a PING; resolves with everything received so far once its PONG arrives. */
    async send(...lines: string[]): Promise<string> {
      const want = pongs() + 1;
      sock.write(`${[...lines, "PING"].join("\r\n")}\r\n`);
      const deadline = Date.now() + 5_000;
      while (pongs() < want) {
        if (Date.now() > deadline) throw new Error(`no PONG from ${socket}; got ${received}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return received;
    },
    close: () => sock.destroy(),
  };
}

/** The server_id in the INFO line the server greets with. */
async function serverId(socket: string): Promise<string> {
  const s = natsSession(socket);
  try {
    const got = await s.send('CONNECT {"verbose":false}');
    return /"server_id":"(\w+)"/.exec(got)?.[1] ?? "";
  } finally {
    s.close();
  }
}

/** Pids of processes whose command line names the directory. */
function processesUnder(dir: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
        return cmd.includes(dir) && !readFileSync(`/proc/${p}/stat`, "utf8").includes(") Z ");
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether anything listens on TCP port 4222 in the worker's own network namespace. */
function hostListensOn4222(): boolean {
  return ["/proc/net/tcp", "/proc/net/tcp6"].some((f) => {
    try {
      return readFileSync(f, "utf8")
        .split("\n")
        .some((l) => /^\s*\d+: [0-9A-F]+:107E [0-9A-F]+:0000 0A /.test(l));
    } catch {
      return false;
    }
  });
}

natsDescribe("NATS for a job, on this machine's nats-server", () => {
  let tc: GoToolchain;
  let dataDir: string;
  let services: LocalServices;
  let checkout: { dir: string; cleanup: () => Promise<void> };
  const jobsRoot = () => join(dataDir, "services", "jobs");

  beforeAll(async () => {
    if (NO_BUBBLEWRAP) throw new Error(`the Go sandbox is needed: ${NO_BUBBLEWRAP}`);
    tc = await testToolchain();
    expect(tc.isolation).toBe("bubblewrap");
    dataDir = await mkdtemp(join(tmpdir(), "bga-nats-"));
    services = createLocalServices({ dataDir });
    checkout = await checkoutFixture("services-broker");
    const download = await tc.go(["mod", "download"], {
      cwd: checkout.dir,
      network: true,
      timeoutMs: 300_000,
    });
    expect(download.stderr).toBe("");
  }, 600_000);
  afterAll(async () => {
    await checkout?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("is reached by the job's sandboxed go test through NATS_URL: a nats.go test publishes and receives", async () => {
    const job = await services.start(nats, { checkoutDir: checkout.dir, sandboxed: true });
    try {
      expect(job.problems).toEqual([]);
      expect(job.used.map((u) => u.label)).toEqual([expect.stringMatching(/^NATS \d+\.\d+/)]);
      expect(job.env).toEqual({ NATS_URL: "nats://127.0.0.1:4222" });
      const res = await withServices(tc, job, TAGS).go(
        ["test", "-count=1", "-v", "-run", "TestPublishedTransferArrives", "./events"],
        { cwd: checkout.dir, timeoutMs: 300_000 },
      );
      expect(res.stdout).toMatch(/--- PASS: TestPublishedTransferArrives/);
      expect(res.stdout).toMatch(/server \d+\.\d+\.\d+/);
      expect(res.exitCode).toBe(0);
      // The same run without the job's bridge finds nothing there: the sandbox has no network.
      const alone = await withServices(tc, { env: job.env, socketDirs: job.socketDirs }, TAGS).go(
        ["test", "-count=1", "-run", "TestPublishedTransferArrives", "./events"],
        { cwd: checkout.dir, timeoutMs: 300_000 },
      );
      expect(alone.exitCode).not.toBe(0);
      expect(alone.stdout).toMatch(/connect nats:\/\/127\.0\.0\.1:4222: .*(refused|no servers)/);
      // A run with the network (a module download) shares the worker's network namespace: it
      // gets no bridge, so nothing listens on the worker's 127.0.0.1:4222 for it.
      const dial = ["-c", "exec 3<>/dev/tcp/127.0.0.1/4222 && head -c 4 <&3"];
      const jobs = withServices(tc, job, TAGS);
      const offline = await jobs.run("bash", dial, { cwd: checkout.dir, timeoutMs: 30_000 });
      expect(offline.stdout).toBe("INFO");
      const online = await jobs.run("bash", dial, { cwd: checkout.dir, timeoutMs: 30_000, network: true });
      expect(online.exitCode).not.toBe(0);
      expect(online.stderr).toMatch(/Connection refused/);
    } finally {
      await job.stop();
    }
  }, 600_000);

  it("gives two jobs at once their own server, and opens no port on the worker's network", async () => {
    const [a, b] = await Promise.all([
      services.start(nats, { checkoutDir: checkout.dir, sandboxed: true }),
      services.start(nats, { checkoutDir: checkout.dir, sandboxed: true }),
    ]);
    const socketOf = (job: JobServices) => join(job.socketDirs[0]!, "nats.sock");
    const sessions: ReturnType<typeof natsSession>[] = [];
    try {
      expect(hostListensOn4222()).toBe(false);
      expect(await serverId(socketOf(a))).not.toBe(await serverId(socketOf(b)));
      const inA = natsSession(socketOf(a));
      const inB = natsSession(socketOf(b));
      const alsoA = natsSession(socketOf(a));
      sessions.push(inA, inB, alsoA);
      await inA.send('CONNECT {"verbose":false}', "SUB ledger.transfers 1");
      await inB.send('CONNECT {"verbose":false}', "PUB ledger.transfers 6", "from-b");
      await alsoA.send('CONNECT {"verbose":false}', "PUB ledger.transfers 6", "from-a");
      const seen = await inA.send();
      expect(seen).toMatch(/MSG ledger\.transfers 1 6\r\nfrom-a/);
      expect(seen).not.toContain("from-b");
    } finally {
      for (const s of sessions) s.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 120_000);

  it("leaves no process and no directory once the job stops, and a dead worker's NATS is swept", async () => {
    const job = await services.start(nats, { checkoutDir: checkout.dir, sandboxed: true });
    const [dir] = readdirSync(jobsRoot());
    const jobDir = join(jobsRoot(), dir!);
    // bubblewrap, the bridge and nats-server.
    expect(processesUnder(jobDir).length).toBeGreaterThanOrEqual(3);
    await job.stop();
    expect(processesUnder(jobDir)).toEqual([]);
    expect(readdirSync(jobsRoot())).toEqual([]);

    const orphan = await services.start(nats, { checkoutDir: checkout.dir, sandboxed: true });
    const [left] = readdirSync(jobsRoot());
    const leftDir = join(jobsRoot(), left!);
    const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(leftDir, "owner"), `${dead}\n`);
    try {
      expect(await services.sweep()).toEqual([leftDir]);
      for (let i = 0; i < 100 && processesUnder(leftDir).length; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(processesUnder(leftDir)).toEqual([]);
    } finally {
      await orphan.stop();
    }
  }, 120_000);

  it("runs the integration test in the verdict's go test, and the verdict names NATS", async () => {
    const job = await services.start(nats, { checkoutDir: checkout.dir, sandboxed: true });
    try {
      const verdict = await verify(withServices(tc, job, TAGS), { dir: checkout.dir });
      expect(verdict.checks.find((c) => c.name === "go test")).toMatchObject({
        status: "pass",
        summary: "2 passed, 0 failed, 1 skipped in 2 packages",
      });
      const reported = await reportServices(verdict, {
        root: checkout.dir,
        declared: true,
        tags: TAGS,
        job,
        costMs: 300,
      });
      const row = reported?.checks.find((c) => c.name === SERVICES_ROW);
      expect(row?.status).toBe("pass");
      // The RabbitMQ test skips itself (AMQP_URL unset): counted skipped, not passed.
      expect(row?.summary).toMatch(
        /^NATS \d+\.\d+\.\d+ for this job \(0\.3 s\); integration tests: 1 passed, 1 skipped$/,
      );
    } finally {
      await job.stop();
    }
  }, 600_000);

  it("is not started where the job's Go runs are not sandboxed, or without bubblewrap, and says why", async () => {
    const unsandboxed = await services.start(nats, { checkoutDir: checkout.dir, sandboxed: false });
    const withoutBwrap = createLocalServices({ dataDir, bwrap: null });
    const noBwrap = await withoutBwrap.start(nats, { checkoutDir: checkout.dir, sandboxed: true });
    // Nothing to build ahead where NATS cannot run; the bridge where it can.
    expect(await withoutBwrap.prepare()).toBeUndefined();
    expect(await services.prepare()).toMatch(/\/services\/programs\/bridge-\w+\/bridge$/);
    for (const job of [unsandboxed, noBwrap]) {
      expect(job.used).toEqual([]);
      expect(job.env).toEqual({});
      expect(job.runWrapper).toBeUndefined();
      await job.stop();
    }
    expect(unsandboxed.problems).toEqual([
      {
        service: "nats",
        kind: "not-supported",
        reason: expect.stringMatching(/^NATS requested, not supported on this worker \(.*not sandboxed/),
      },
    ]);
    expect(noBwrap.problems[0]?.reason).toMatch(/without bubblewrap/);
    expect(readdirSync(jobsRoot())).toEqual([]);
  });
});
