// The process survives its queue: a worker process (the compiled dist/, as the app runs it)
// whose SQLite file another process holds locked for writing — every purge and claim fails
// with SQLITE_BUSY for a while — logs those failures, keeps running, and takes the next job
// once the file is free again. Before, a failed purge was an unhandled rejection, which ended
// the process.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "@jest/globals";
import Database from "better-sqlite3";
import { SqliteJobQueue, sqliteQueueFile } from "../../src/queue/sqlite-queue.js";
import { makeTask, until } from "../support/queue-task.js";

const root = process.cwd();
const dir = mkdtempSync(join(tmpdir(), "jobs-faults-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

it("a purge and polls that throw (the file locked by another process) do not end the worker process", async () => {
  if (!existsSync(join(root, "dist/queue/sqlite-queue.js"))) throw new Error("run npm run build first");
  const file = sqliteQueueFile(join(dir, "data"));
  const logFile = join(dir, "worker.log");
  const startWhen = join(dir, "start");
  let stderr = "";
  const child = spawn(process.execPath, [join(root, "test/support/queue-crash-worker.mjs")], {
    env: {
      PATH: process.env.PATH,
      ADAPTER: "sqlite",
      QUEUE_FILE: file,
      OPTS: JSON.stringify({ pollMs: 50, leaseMs: 1_000 }),
      LOG_FILE: logFile,
      START_WHEN: startWhen,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  await until(
    () => existsSync(logFile) && readFileSync(logFile, "utf8").includes("opened"),
    "the queue to open",
  );
  // Another process's connection holds the file's write lock, then the worker starts: its
  // first purge and its polls (each claim is a write transaction) meet SQLITE_BUSY, each
  // after the 5 s busy timeout.
  const locker = new Database(file);
  locker.exec("BEGIN IMMEDIATE");
  writeFileSync(startWhen, "");
  await until(
    () => stderr.includes("purging old job records failed"),
    "the failed purge to be logged",
    30_000,
  );
  await until(() => stderr.includes("polling again"), "a failed poll to be logged", 30_000);
  expect(child.exitCode).toBeNull();
  expect(child.signalCode).toBeNull();

  locker.exec("COMMIT");
  locker.close();
  const q = new SqliteJobQueue(file);
  try {
    const { jobId } = await q.enqueue(makeTask("after-the-lock"));
    await until(
      async () => (await q.get(jobId))?.status === "succeeded",
      "the job to run after the lock",
      30_000,
    );
    const lines = readFileSync(logFile, "utf8");
    expect(lines).toContain(`done ${jobId}`);
    expect(child.exitCode).toBeNull();
    expect(stderr).not.toMatch(/Unhandled|uncaught/i);
  } finally {
    await q.close();
    child.kill("SIGTERM");
  }
}, 90_000);
