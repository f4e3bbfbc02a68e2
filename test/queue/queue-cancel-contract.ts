// `/agent stop` at the queue: both adapters stop a target's jobs the same way, from another
// queue instance on the same storage (as another process would), running or waiting.
import { afterEach, describe, expect, it } from "@jest/globals";
import { JobCancelled } from "../../src/pipeline/job-errors.js";
import type { JobQueue, JobQueueOptions } from "../../src/queue/job-queue.js";
import { gate, makeTask, until } from "../support/queue-task.js";
import { FAST, type QueueHarness } from "./queue-contract.js";

export function queueCancelContract(name: string, harness: QueueHarness): void {
  describe(`JobQueue cancel: ${name}`, () => {
    const opened: JobQueue[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((q) => q.close()));
    });
    async function setup(opts: JobQueueOptions = {}) {
      const storage = await harness.fresh();
      const open = async () => {
        const q = await storage.open({ ...FAST, ...opts });
        opened.push(q);
        return q;
      };
      return { worker: await open(), other: await open() };
    }
    const record = (q: JobQueue, id: string, status: string) =>
      until(async () => {
        const r = await q.get(id);
        return r?.status === status ? r : undefined;
      }, `job ${id} to be ${status}`);

    it("stops the running job from another instance and cancels the one waiting behind it", async () => {
      const { worker, other } = await setup();
      const running = await worker.enqueue(makeTask("c-run", { number: 5 }));
      const waiting = await worker.enqueue(makeTask("c-wait", { number: 5 }));
      const elsewhere = await worker.enqueue(makeTask("c-else", { number: 6 }));
      const started = gate();
      const reasons: unknown[] = [];
      const ran: string[] = [];
      worker.start(
        async (_task, ctx) => {
          ran.push(ctx.jobId);
          if (ctx.jobId !== running.jobId) return;
          started.open();
          await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
          reasons.push(ctx.signal.reason);
          const reason = (ctx.signal.reason as Error).message;
          return { disposition: { kind: "cancelled", reason }, record: { inputTokens: 12 } };
        },
        { concurrency: 2 },
      );
      await started.promise;
      const res = await other.cancel("acme/svc#5", "alice");
      expect(res).toEqual({ running: [running.jobId], queued: [waiting.jobId] });
      const rec = await record(other, running.jobId, "cancelled");
      expect(rec).toMatchObject({ error: "stopped by @alice", inputTokens: 12 });
      expect(reasons[0]).toBeInstanceOf(JobCancelled);
      expect(await other.get(waiting.jobId)).toMatchObject({ status: "cancelled" });
      await record(other, elsewhere.jobId, "succeeded");
      expect(ran).not.toContain(waiting.jobId);
      expect((await other.stats()).cancelled).toBe(2);
      expect((await other.list({ status: "cancelled" })).map((j) => j.id).sort()).toEqual(
        [running.jobId, waiting.jobId].sort(),
      );
      // The target is free again: a new job on it runs.
      const next = await other.enqueue(makeTask("c-next", { number: 5 }));
      await record(other, next.jobId, "succeeded");
    });

    it("ends a handler that throws on abort as cancelled, not failed or retried", async () => {
      const { worker, other } = await setup();
      const job = await worker.enqueue(makeTask("c-throw", { number: 7 }));
      const started = gate();
      worker.start(
        async (_task, ctx) => {
          started.open();
          await new Promise((_r, reject) =>
            ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
          );
        },
        { concurrency: 1 },
      );
      await started.promise;
      await other.cancel("acme/svc#7", "bob");
      const rec = await record(other, job.jobId, "cancelled");
      expect(rec.attempts).toBe(1);
      expect(rec.error).toBe("stopped by @bob");
    });

    it("says there was nothing to stop when the target has no unfinished job", async () => {
      const { worker, other } = await setup();
      const done = await worker.enqueue(makeTask("c-done", { number: 8 }));
      worker.start(async () => undefined, { concurrency: 1 });
      await record(worker, done.jobId, "succeeded");
      expect(await other.cancel("acme/svc#8", "alice")).toEqual({ running: [], queued: [] });
      expect(await other.cancel("acme/svc#999", "alice")).toEqual({ running: [], queued: [] });
      expect(await other.get(done.jobId)).toMatchObject({ status: "succeeded" });
    });

    it("cancels a job queued while no worker runs; it never starts later", async () => {
      const { worker, other } = await setup();
      const job = await other.enqueue(makeTask("c-idle", { number: 9 }));
      expect(await other.cancel("acme/svc#9", "alice")).toEqual({ running: [], queued: [job.jobId] });
      const ran: string[] = [];
      worker.start(
        async (_t, ctx) => {
          ran.push(ctx.jobId);
        },
        { concurrency: 1 },
      );
      const rec = await record(other, job.jobId, "cancelled");
      expect(rec).toMatchObject({ attempts: 0, error: "stopped by @alice before it started" });
      await new Promise((r) => setTimeout(r, 200));
      expect(ran).toEqual([]);
    });
  });
}
