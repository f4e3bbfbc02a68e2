// A worker process is SIGKILLed in the middle of a job; a new worker process picks the
// job up again (SQLite: the lease expires; BullMQ: the stalled check), tells the handler
// it restarted, and the job completes exactly once. Runs the compiled dist/ in children
// (test/setup/global-setup.js builds it first when it is older than src/).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { BullMqJobQueue } from "../../src/queue/bullmq-queue.js";
import type { JobQueue, JobQueueOptions } from "../../src/queue/job-queue.js";
import { SqliteJobQueue, sqliteQueueFile } from "../../src/queue/sqlite-queue.js";
import { makeTask, until } from "../support/queue-task.js";
import { type RedisServer, startRedis } from "../support/redis-server.js";

const root = process.cwd();
const workerScript = join(root, "test/support/queue-crash-worker.mjs");
const OPTS: JobQueueOptions = { leaseMs: 1_000, pollMs: 25, backoffMs: 50, maxRestarts: 1 };

let redis: RedisServer;
const dir = mkdtempSync(join(tmpdir(), "jobs-crash-"));
const children: ChildProcess[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Adapter {
  name: string;
  env: Record<string, string>;
  open(): JobQueue;
}

function adapters(): Adapter[] {
  const file = sqliteQueueFile(join(dir, "sqlite"));
  return [
    {
      name: "SQLite",
      env: { ADAPTER: "sqlite", QUEUE_FILE: file },
      open: () => new SqliteJobQueue(file, OPTS),
    },
    {
      name: "BullMQ",
      env: { ADAPTER: "bullmq", REDIS_URL: "", QUEUE_NAME: "crash" },
      open: () => new BullMqJobQueue({ url: redis.url, queueName: "crash" }, OPTS),
    },
  ];
}

function spawnWorker(a: Adapter, logFile: string, hang: boolean): ChildProcess {
  const env = {
    ...a.env,
    REDIS_URL: redis.url,
    OPTS: JSON.stringify(OPTS),
    LOG_FILE: logFile,
    HANG: hang ? "1" : "0",
  };
  const child = spawn(process.execPath, [workerScript], {
    env: { PATH: process.env.PATH, ...env },
    stdio: "inherit",
  });
  children.push(child);
  return child;
}

const logLines = (f: string) => (existsSync(f) ? readFileSync(f, "utf8").trim().split("\n") : []);

describe.each(adapters().map((a) => [a.name, a] as const))("crash recovery: %s", (_name, a) => {
  it("completes a job exactly once after its worker process is SIGKILLed mid-job", async () => {
    const logFile = join(dir, `${a.name}.log`);
    const q = a.open();
    try {
      const { jobId } = await q.enqueue(makeTask(`crash-${a.name}`));
      const first = spawnWorker(a, logFile, true);
      await until(
        () => logLines(logFile).some((l) => l.startsWith(`start ${jobId}`)),
        "the first worker to start the job",
      );
      first.kill("SIGKILL");
      await once(first, "exit");
      expect((await q.get(jobId))?.status).toBe("running");

      const second = spawnWorker(a, logFile, false);
      const rec = await until(async () => {
        const r = await q.get(jobId);
        return r?.status === "succeeded" ? r : undefined;
      }, "the job to succeed on the second worker");
      const exited = once(second, "exit");
      second.kill("SIGTERM");
      const [code] = await exited;

      const lines = logLines(logFile).filter((l) => !l.startsWith("ready"));
      expect(lines.map((l) => l.replace(/ pid=\d+/, ""))).toEqual([
        `start ${jobId} attempt=1 restarted=false`,
        `start ${jobId} attempt=2 restarted=true`,
        `done ${jobId}`,
      ]);
      expect(lines[2]).toContain(`pid=${second.pid}`);
      expect(rec).toMatchObject({ attempts: 2, restarts: 1, prUrl: "https://github.com/acme/svc/pull/1" });
      expect(code).toBe(0);
    } finally {
      await q.close();
    }
  });

  it("fails a job that kills its worker more than maxRestarts times, without running it again", async () => {
    const logFile = join(dir, `${a.name}-poison.log`);
    const q = a.open();
    try {
      const { jobId } = await q.enqueue(makeTask(`poison-${a.name}`, { number: 2 }));
      const starts = () => logLines(logFile).filter((l) => l.startsWith(`start ${jobId}`)).length;
      // OPTS.maxRestarts is 1: one restart is allowed, the second death fails the job.
      for (let run = 1; run <= 2; run++) {
        const w = spawnWorker(a, logFile, true);
        await until(() => starts() === run, `run ${run} of the job to start`);
        w.kill("SIGKILL");
        await once(w, "exit");
      }
      const third = spawnWorker(a, logFile, true);
      const rec = await until(async () => {
        const r = await q.get(jobId);
        return r?.status === "failed" ? r : undefined;
      }, "the job to be failed");
      expect(starts()).toBe(2);
      expect(rec.error).toMatch(/stopped|stalled/);
      third.kill("SIGKILL");
      await once(third, "exit");
    } finally {
      await q.close();
    }
  });
});
