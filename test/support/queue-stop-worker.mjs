// A worker process for the cross-process stop test, run from the compiled dist/. Its handler
// waits until its job is aborted, logs the abort reason to LOG_FILE and ends the job the way
// runJob does for a stop (disposition cancelled). Config comes from the environment:
//   ADAPTER=sqlite|bullmq, QUEUE_FILE (sqlite), REDIS_URL + QUEUE_NAME (bullmq), OPTS (JSON).
import { appendFileSync } from "node:fs";

const { ADAPTER, QUEUE_FILE, REDIS_URL, QUEUE_NAME, OPTS, LOG_FILE } = process.env;
const opts = JSON.parse(OPTS ?? "{}");
const queue =
  ADAPTER === "bullmq"
    ? new (await import("../../dist/queue/bullmq-queue.js")).BullMqJobQueue(
        { url: REDIS_URL, queueName: QUEUE_NAME },
        opts,
      )
    : new (await import("../../dist/queue/sqlite-queue.js")).SqliteJobQueue(QUEUE_FILE, opts);

const log = (line) => appendFileSync(LOG_FILE, `${line}\n`);

queue.start(
  async (_task, ctx) => {
    log(`start ${ctx.jobId} pid=${process.pid}`);
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    const reason = ctx.signal.reason;
    log(`aborted ${ctx.jobId} at=${Date.now()} reason=${reason?.name}: ${reason?.message}`);
    return { disposition: { kind: "cancelled", reason: reason?.message ?? "aborted" } };
  },
  { concurrency: 1 },
);
log(`ready pid=${process.pid}`);

const { installGracefulShutdown } = await import("../../dist/queue/shutdown.js");
installGracefulShutdown(queue, { graceMs: 2_000 });
