// A worker process for the crash test, run from the compiled dist/. It logs each start
// and finish of a job to LOG_FILE; with HANG=1 its handler never returns, so the test
// can SIGKILL it mid-job. Config comes from the environment:
//   ADAPTER=sqlite|bullmq, QUEUE_FILE (sqlite), REDIS_URL + QUEUE_NAME (bullmq), OPTS (JSON).
// With START_WHEN set, it logs "opened" once the queue is open and starts taking jobs only
// when that file exists (so a test can break the storage between the two).
import { appendFileSync, existsSync } from "node:fs";

const { ADAPTER, QUEUE_FILE, REDIS_URL, QUEUE_NAME, OPTS, LOG_FILE, HANG, START_WHEN } = process.env;
const opts = JSON.parse(OPTS ?? "{}");
const queue =
  ADAPTER === "bullmq"
    ? new (await import("../../dist/queue/bullmq-queue.js")).BullMqJobQueue(
        { url: REDIS_URL, queueName: QUEUE_NAME },
        opts,
      )
    : new (await import("../../dist/queue/sqlite-queue.js")).SqliteJobQueue(QUEUE_FILE, opts);

const log = (line) => appendFileSync(LOG_FILE, `${line}\n`);

if (START_WHEN) {
  log("opened");
  while (!existsSync(START_WHEN)) await new Promise((r) => setTimeout(r, 20));
}

queue.start(
  async (task, ctx) => {
    log(`start ${ctx.jobId} attempt=${ctx.attempt} restarted=${ctx.restarted} pid=${process.pid}`);
    if (HANG === "1") await new Promise(() => {});
    log(`done ${ctx.jobId} pid=${process.pid}`);
    return {
      disposition: { kind: "done" },
      record: { prUrl: `https://github.com/${task.target.owner}/${task.target.repo}/pull/1` },
    };
  },
  { concurrency: 1 },
);
log(`ready pid=${process.pid}`);

const { installGracefulShutdown } = await import("../../dist/queue/shutdown.js");
installGracefulShutdown(queue, { graceMs: 5_000 });
