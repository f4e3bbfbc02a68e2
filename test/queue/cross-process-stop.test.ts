// `/agent stop` reaches a worker in another process: the job runs in a child process (the
// compiled dist/, which test/setup/global-setup.js builds when stale), this process asks the
// queue to stop its target, and the child's handler sees its signal aborted with
// JobCancelled; the record ends cancelled. SQLite (the cancel
// flag polled beside the lease) and BullMQ (a Redis key polled by the worker).
import { type ChildProcess, spawn } from "node:child_process";
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
const workerScript = join(root, "test/support/queue-stop-worker.mjs");
const OPTS: JobQueueOptions = { leaseMs: 3_000, pollMs: 100 };

let redis: RedisServer;
const dir = mkdtempSync(join(tmpdir(), "jobs-stop-"));
const children: ChildProcess[] = [];
beforeAll(async () => {
  redis = await startRedis();
}, 180_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const adapters: { name: string; env: () => Record<string, string>; open: () => JobQueue }[] = [
  {
    name: "SQLite",
    env: () => ({ ADAPTER: "sqlite", QUEUE_FILE: sqliteQueueFile(join(dir, "sqlite")) }),
    open: () => new SqliteJobQueue(sqliteQueueFile(join(dir, "sqlite")), OPTS),
  },
  {
    name: "BullMQ",
    env: () => ({ ADAPTER: "bullmq", REDIS_URL: redis.url, QUEUE_NAME: "stop-x" }),
    open: () => new BullMqJobQueue({ url: redis.url, queueName: "stop-x" }, OPTS),
  },
];

describe.each(adapters)("a stop asked in this process, on $name", (a) => {
  it("aborts the job running in another process with JobCancelled; the record ends cancelled", async () => {
    const logFile = join(dir, `${a.name}.log`);
    const read = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
    const child = spawn(process.execPath, [workerScript], {
      env: { PATH: process.env.PATH, ...a.env(), OPTS: JSON.stringify(OPTS), LOG_FILE: logFile },
      stdio: "inherit",
    });
    children.push(child);
    const q = a.open();
    try {
      const { jobId } = await q.enqueue(makeTask(`x-${a.name}`, { number: 21 }));
      await until(() => read().includes(`start ${jobId}`), "the child to start the job", 30_000);
      const asked = Date.now();
      const res = await q.cancel("acme/svc#21", "alice");
      expect(res).toEqual({ running: [jobId], queued: [] });
      const rec = await until(async () => {
        const r = await q.get(jobId);
        return r?.status === "cancelled" ? r : undefined;
      }, "the record to be cancelled");
      const abortedAt = Number(/aborted \S+ at=(\d+)/.exec(read())?.[1]);
      console.log(
        `[measure] ${a.name} cross-process: stop to abort in the child ${abortedAt - asked} ms, to cancelled record ${Date.now() - asked} ms`,
      );
      expect(read()).toContain(`aborted ${jobId}`);
      expect(read()).toMatch(/reason=JobCancelled: stopped by @alice/);
      expect(rec).toMatchObject({ error: "stopped by @alice", attempts: 1 });
    } finally {
      child.kill("SIGTERM");
      await q.close();
    }
  }, 120_000);
});
