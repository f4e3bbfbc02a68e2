// The one suite both JobQueue adapters must pass. Each adapter's test file calls
// queueContract with a harness that opens queues over fresh, shared storage.
import { afterEach, describe, expect, it } from "@jest/globals";
import { PermanentError, TransientError } from "../../src/pipeline/job-errors.js";
import type { TaskRequest } from "../../src/pipeline/task.js";
import type { HandledJob, JobContext, JobQueue, JobQueueOptions } from "../../src/queue/job-queue.js";
import type { JobRecord } from "../../src/queue/job-record.js";
import { gate, makeTask, until } from "../support/queue-task.js";

export interface QueueHarness {
  /** Fresh storage for one test; every queue opened on it shares it, like processes would. */
  fresh(): Promise<{ open(opts?: JobQueueOptions): Promise<JobQueue> }>;
}

/** Small delays so retries, polling and leases happen within a test. */
export const FAST: JobQueueOptions = { backoffMs: 60, pollMs: 25, leaseMs: 1_000, maxAttempts: 3 };

export function queueContract(name: string, harness: QueueHarness): void {
  describe(`JobQueue contract: ${name}`, () => {
    const opened: JobQueue[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((q) => q.close()));
    });
    async function setup(opts: JobQueueOptions = {}) {
      const storage = await harness.fresh();
      const open = async (more: JobQueueOptions = {}) => {
        const q = await storage.open({ ...FAST, ...opts, ...more });
        opened.push(q);
        return q;
      };
      return { q: await open(), open };
    }
    const status = (q: JobQueue, id: string) => q.get(id).then((r) => r?.status);
    const finished = (q: JobQueue, id: string) =>
      until(async () => {
        const r = await q.get(id);
        return r && (r.status === "succeeded" || r.status === "failed") ? r : undefined;
      }, `job ${id} to finish`);

    it("dedupes by delivery id and records a summary of the task, never its bodies", async () => {
      const { q } = await setup();
      const first = await q.enqueue(makeTask("d-1"));
      const again = await q.enqueue(makeTask("d-1"));
      expect(first.created).toBe(true);
      expect(again).toEqual({ jobId: first.jobId, created: false });
      const jobs = await q.list();
      expect(jobs).toHaveLength(1);
      const rec = jobs[0] as JobRecord;
      expect(rec).toMatchObject({
        id: first.jobId,
        deliveryId: "d-1",
        target: "acme/svc#1",
        targetKind: "issue",
        trigger: { kind: "issue_label", actor: "octocat" },
        status: "queued",
        attempts: 0,
      });
      expect(JSON.stringify(rec)).not.toMatch(/SECRET-INSTRUCTION|THREAD-BODY/);
    });

    it("turns 50 concurrent enqueues of 10 distinct delivery ids into 10 jobs, each run once", async () => {
      const { q } = await setup();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => q.enqueue(makeTask(`burst-${i % 10}`, { number: i % 10 }))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(10);
      expect(new Set(results.map((r) => r.jobId)).size).toBe(10);
      const runs: string[] = [];
      q.start(
        async (_t, ctx) => {
          runs.push(ctx.jobId);
        },
        { concurrency: 4 },
      );
      await until(async () => (await q.stats()).succeeded === 10, "10 jobs to succeed");
      expect(runs.sort()).toEqual([...new Set(results.map((r) => r.jobId))].sort());
      expect(await q.list({ limit: 100 })).toHaveLength(10);
    });

    it("runs a job and keeps its record, with what the handler recorded, newest first", async () => {
      const { q } = await setup();
      const a = await q.enqueue(makeTask("rec-a", { number: 1 }));
      const contexts: JobContext[] = [];
      q.start(
        async (task, ctx) => {
          contexts.push(ctx);
          expect(task.trigger.instruction).toContain("SECRET-INSTRUCTION");
          await q.update(ctx.jobId, { model: "claude-opus-4-5", inputTokens: 1200 });
          return {
            disposition: { kind: "done" },
            record: {
              agent: "backend-engineer-golang@1.1.0",
              outputTokens: 300,
              costUsd: 0.42,
              prUrl: "https://github.com/acme/svc/pull/7",
            },
          };
        },
        { concurrency: 1 },
      );
      const rec = await finished(q, a.jobId);
      expect(rec).toMatchObject({
        status: "succeeded",
        attempts: 1,
        restarts: 0,
        agent: "backend-engineer-golang@1.1.0",
        model: "claude-opus-4-5",
        inputTokens: 1200,
        outputTokens: 300,
        costUsd: 0.42,
        prUrl: "https://github.com/acme/svc/pull/7",
      });
      expect(rec.startedAt).toBeGreaterThanOrEqual(rec.createdAt);
      expect(rec.finishedAt).toBeGreaterThanOrEqual(rec.startedAt as number);
      expect(contexts.map((c) => [c.attempt, c.restarted])).toEqual([[1, false]]);
      // A redelivery after the job finished is still the same job, and it does not run again.
      expect(await q.enqueue(makeTask("rec-a", { number: 1 }))).toEqual({ jobId: a.jobId, created: false });
      const b = await q.enqueue(makeTask("rec-b", { number: 2 }));
      await finished(q, b.jobId);
      expect(contexts).toHaveLength(2);
      expect((await q.list()).map((r) => r.id)).toEqual([b.jobId, a.jobId]);
      const stats = await q.stats();
      expect(stats.succeeded).toBe(2);
      expect(stats.queued + stats.running + stats.failed).toBe(0);
    });

    it("runs one job per target at a time, in order, while other targets proceed", async () => {
      const { q } = await setup();
      const events: string[] = [];
      const holdA1 = gate();
      const a1 = await q.enqueue(makeTask("ser-a1", { number: 1 }));
      const a2 = await q.enqueue(makeTask("ser-a2", { number: 1 }));
      const a3 = await q.enqueue(makeTask("ser-a3", { number: 1 }));
      const b1 = await q.enqueue(makeTask("ser-b1", { number: 2 }));
      const names = new Map([
        [a1.jobId, "a1"],
        [a2.jobId, "a2"],
        [a3.jobId, "a3"],
        [b1.jobId, "b1"],
      ]);
      q.start(
        async (_t, ctx) => {
          const n = names.get(ctx.jobId);
          events.push(`${n}:start`);
          if (n === "a1") await holdA1.promise;
          await new Promise((r) => setTimeout(r, 5));
          events.push(`${n}:end`);
        },
        { concurrency: 4 },
      );
      await finished(q, b1.jobId);
      expect(events).toContain("a1:start");
      expect(events).not.toContain("a1:end");
      expect(await status(q, a2.jobId)).toBe("queued");
      holdA1.open();
      await finished(q, a3.jobId);
      expect(events.filter((e) => e.startsWith("a"))).toEqual([
        "a1:start",
        "a1:end",
        "a2:start",
        "a2:end",
        "a3:start",
        "a3:end",
      ]);
    });

    it("runs one writer per branch: a job whose branch another job holds waits, unpolled, with no attempt spent", async () => {
      // Two processes on one queue, like two machines: an issue's job and a job on its PR
      // (two targets) that write one branch.
      const { q, open } = await setup();
      const other = await open();
      const branch = "acme/svc:backend-go/issue-1";
      const hold = gate();
      const runs: string[] = [];
      const handler = async (task: TaskRequest, ctx: JobContext): Promise<HandledJob> => {
        runs.push(task.deliveryId);
        if (!(await ctx.claimBranch!(branch))) {
          return { disposition: { kind: "wait", reason: "branch busy", branch } };
        }
        if (task.deliveryId === "br-issue") await hold.promise;
        return { disposition: { kind: "done" } };
      };
      q.start(handler, { concurrency: 2 });
      const first = await q.enqueue(makeTask("br-issue", { number: 1 }));
      await until(() => runs.includes("br-issue"), "the issue job to start");
      other.start(handler, { concurrency: 2 });
      const second = await q.enqueue(makeTask("br-pr", { number: 2 }));
      await until(() => runs.includes("br-pr"), "the PR job to try its branch");
      // Twenty polls later it has not run again: it waits for the branch, not on a timer.
      await new Promise((r) => setTimeout(r, 20 * FAST.pollMs!));
      expect(runs.filter((d) => d === "br-pr")).toHaveLength(1);
      const waiting = await q.get(second.jobId);
      expect(waiting).toMatchObject({ status: "queued", attempts: 0, branch });
      expect(waiting?.startedAt).toBeUndefined();
      expect((await q.get(first.jobId))?.branch).toBe(branch);
      hold.open();
      const done = await finished(q, second.jobId);
      expect(done).toMatchObject({ status: "succeeded", attempts: 1, branch });
      expect((await q.get(first.jobId))?.status).toBe("succeeded");
      expect(runs).toEqual(["br-issue", "br-pr", "br-pr"]);
    });

    it("runs up to `concurrency` jobs at once and no more", async () => {
      const { q } = await setup();
      let running = 0;
      let max = 0;
      let done = 0;
      const total = 6;
      for (let i = 0; i < total; i++) await q.enqueue(makeTask(`conc-${i}`, { number: 100 + i }));
      q.start(
        async () => {
          running++;
          max = Math.max(max, running);
          // Pairs meet here: with a concurrency of 1 this never passes and the test fails.
          await until(() => running >= 2 || done + running === total, "a second job to run alongside");
          await new Promise((r) => setTimeout(r, 10));
          running--;
          done++;
        },
        { concurrency: 2 },
      );
      await until(async () => (await q.stats()).succeeded === total, "all jobs to succeed");
      expect(max).toBe(2);
    });

    it("retries transient failures with exponential backoff up to the limit, and permanent ones never", async () => {
      const { q } = await setup();
      const starts = new Map<string, number[]>();
      const flaky = await q.enqueue(makeTask("retry-flaky", { number: 1 }));
      const down = await q.enqueue(makeTask("retry-down", { number: 2 }));
      const perm = await q.enqueue(makeTask("retry-perm", { number: 3 }));
      const bug = await q.enqueue(makeTask("retry-bug", { number: 4 }));
      const http503 = await q.enqueue(makeTask("retry-503", { number: 5 }));
      q.start(
        async (task: TaskRequest, ctx) => {
          const list = starts.get(task.deliveryId) ?? [];
          list.push(Date.now());
          starts.set(task.deliveryId, list);
          switch (task.deliveryId) {
            case "retry-flaky":
              if (ctx.attempt < 3) throw new TransientError(`overloaded (attempt ${ctx.attempt})`);
              return;
            case "retry-down":
              throw new TransientError("network down");
            case "retry-perm":
              throw new PermanentError("the repository is archived");
            case "retry-bug":
              throw new TypeError("cannot read properties of undefined");
            default:
              throw Object.assign(new Error("GitHub said 503"), { status: 503 });
          }
        },
        { concurrency: 5 },
      );
      expect(await finished(q, flaky.jobId)).toMatchObject({ status: "succeeded", attempts: 3 });
      expect(await finished(q, down.jobId)).toMatchObject({
        status: "failed",
        attempts: 3,
        error: "TransientError: network down",
      });
      expect(await finished(q, perm.jobId)).toMatchObject({
        status: "failed",
        attempts: 1,
        error: "PermanentError: the repository is archived",
      });
      expect(await finished(q, bug.jobId)).toMatchObject({ status: "failed", attempts: 1 });
      expect(await finished(q, http503.jobId)).toMatchObject({ status: "failed", attempts: 3 });
      // Backoff doubles: the second retry waits at least twice the base delay.
      const [s1, s2, s3] = starts.get("retry-flaky") as [number, number, number];
      expect(s2 - s1).toBeGreaterThanOrEqual((FAST.backoffMs as number) - 5);
      expect(s3 - s2).toBeGreaterThanOrEqual(2 * (FAST.backoffMs as number) - 5);
    });

    it("on stop, finishes the running job within the grace period and leaves waiting ones for the next start", async () => {
      const { q, open } = await setup();
      const hold = gate();
      const seen: string[] = [];
      const j1 = await q.enqueue(makeTask("stop-1", { number: 1 }));
      const j2 = await q.enqueue(makeTask("stop-2", { number: 2 }));
      q.start(
        async (task) => {
          seen.push(task.deliveryId);
          await hold.promise;
        },
        { concurrency: 1 },
      );
      await until(() => seen.length === 1, "the first job to start");
      const stopped = q.stop(30_000);
      hold.open();
      await stopped;
      expect(seen).toEqual(["stop-1"]);
      expect(await status(q, j1.jobId)).toBe("succeeded");
      expect(await status(q, j2.jobId)).toBe("queued");
      const next = await open();
      const later: JobContext[] = [];
      next.start(
        async (_t, ctx) => {
          later.push(ctx);
        },
        { concurrency: 1 },
      );
      await finished(next, j2.jobId);
      expect(later.map((c) => [c.jobId, c.attempt, c.restarted])).toEqual([[j2.jobId, 1, false]]);
    });

    it("past the grace period, aborts the running job and hands it back; it resumes as a restart", async () => {
      const { q, open } = await setup();
      const j = await q.enqueue(makeTask("grace-1"));
      let started = false;
      q.start(
        (_t, ctx) =>
          new Promise((_, reject) => {
            started = true;
            ctx.signal.addEventListener("abort", () => reject(new Error("aborted")));
          }),
        { concurrency: 1 },
      );
      await until(() => started, "the job to start");
      await q.stop(50);
      expect(await status(q, j.jobId)).toBe("interrupted");
      const next = await open();
      const ctxs: JobContext[] = [];
      next.start(
        async (_t, ctx) => {
          ctxs.push(ctx);
        },
        { concurrency: 1 },
      );
      const rec = await finished(next, j.jobId);
      expect(rec).toMatchObject({ status: "succeeded", attempts: 2, restarts: 1 });
      expect(ctxs.map((c) => [c.attempt, c.restarted])).toEqual([[2, true]]);
    });

    it("returns from stop after the grace period even when a handler ignores its abort signal", async () => {
      const warnings: string[] = [];
      const logger = {
        info() {},
        error() {},
        warn: (_o: object, msg?: string) => void warnings.push(msg ?? ""),
      };
      const { q } = await setup({ logger });
      const j = await q.enqueue(makeTask("stubborn-1"));
      const never = gate();
      let started = false;
      q.start(
        async () => {
          started = true;
          await never.promise;
        },
        { concurrency: 1 },
      );
      await until(() => started, "the job to start");
      // If stop waited for this handler, it would never return and the test would time out.
      await q.stop(50);
      expect(["running", "interrupted"]).toContain(await status(q, j.jobId));
      expect(warnings).toContain("job queue: jobs still running after shutdown grace");
      never.open();
    });

    it("purges finished records past the retention, never unfinished ones", async () => {
      const { q } = await setup();
      const done = await q.enqueue(makeTask("purge-done", { number: 1 }));
      const hold = gate();
      q.start(
        async (task) => {
          if (task.deliveryId === "purge-wait") await hold.promise;
        },
        { concurrency: 2 },
      );
      await finished(q, done.jobId);
      const waiting = await q.enqueue(makeTask("purge-wait", { number: 2 }));
      await until(async () => (await status(q, waiting.jobId)) === "running", "the second job to run");
      expect(await q.purge(1)).toBe(0);
      expect(await q.purge(0)).toBe(1);
      expect(await q.get(done.jobId)).toBeUndefined();
      expect(await status(q, waiting.jobId)).toBe("running");
      hold.open();
      await finished(q, waiting.jobId);
    });
  });
}
