// What both adapters share around the handler: one attempt with its outcome classified,
// the backoff curve, and the set of running attempts that shutdown drains.
import { classifyError, errorSummary, type FailureKind, JobCancelled } from "../pipeline/job-errors.js";
import type { TaskRequest } from "../pipeline/task.js";
import type { JobContext, JobHandler } from "./job-queue.js";
import type { JobRecordPatch } from "./job-record.js";
import { cleanPatch } from "./job-record.js";

export type AttemptResult =
  | { kind: "succeeded"; patch: JobRecordPatch }
  | { kind: "failed"; failure: FailureKind; error: string; patch?: JobRecordPatch }
  /** The worker aborted the attempt (shutdown past grace, lost lease): hand the job back. */
  | { kind: "interrupted"; error: string }
  /** Someone stopped the job (`/agent stop`): it ends cancelled, never retried. */
  | { kind: "cancelled"; error: string; patch?: JobRecordPatch }
  /** Another job writes the same branch: back in line, no attempt spent. */
  | { kind: "waiting"; error: string; branch: string };

export async function runAttempt(
  handler: JobHandler,
  task: TaskRequest,
  ctx: JobContext,
): Promise<AttemptResult> {
  try {
    const out = await handler(task, ctx);
    const patch = out?.record ? cleanPatch(out.record) : {};
    const d = out?.disposition ?? { kind: "done" };
    switch (d.kind) {
      case "done":
      case "refused":
        return { kind: "succeeded", patch };
      case "retry":
        return { kind: "failed", failure: "transient", error: d.reason, patch };
      case "resume":
        return { kind: "interrupted", error: d.reason };
      case "failed":
        return { kind: "failed", failure: "permanent", error: d.reason, patch };
      case "cancelled":
        return { kind: "cancelled", error: d.reason, patch };
      case "wait":
        return { kind: "waiting", error: d.reason, branch: d.branch };
    }
  } catch (err) {
    if (ctx.signal.reason instanceof JobCancelled)
      return { kind: "cancelled", error: ctx.signal.reason.message };
    if (ctx.signal.aborted) return { kind: "interrupted", error: errorSummary(err) };
    return { kind: "failed", failure: classifyError(err), error: errorSummary(err) };
  }
}

/** Delay before the retry that follows failure number `failures` (1-based). */
export function backoffDelay(baseMs: number, failures: number): number {
  return baseMs * 2 ** Math.max(0, failures - 1);
}

/** When a transient failure of the coming attempt would be retried; undefined on the last one. */
export function retryDelay(baseMs: number, failuresSoFar: number, maxAttempts: number): number | undefined {
  return failuresSoFar + 1 < maxAttempts ? backoffDelay(baseMs, failuresSoFar + 1) : undefined;
}

/** Whether a transient failure on this attempt leaves room for another. */
export function shouldRetry(result: AttemptResult, failuresSoFar: number, maxAttempts: number): boolean {
  return result.kind === "failed" && result.failure === "transient" && failuresSoFar + 1 < maxAttempts;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Attempts running in this process, so shutdown can wait for them and then abort them. */
export class RunningAttempts {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  get size(): number {
    return this.running.size;
  }

  has(jobId: string): boolean {
    return this.running.has(jobId);
  }

  ids(): string[] {
    return [...this.running.keys()];
  }

  /** Registers an attempt; `run` receives its abort signal. */
  track<T>(jobId: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const done = run(controller.signal).finally(() => this.running.delete(jobId));
    this.running.set(jobId, { controller, done });
    return done;
  }

  /** A string reason is a shutdown or a lost lease; a JobCancelled is a stop request. */
  abort(jobId: string, reason: string | Error): void {
    this.running.get(jobId)?.controller.abort(typeof reason === "string" ? new Error(reason) : reason);
  }

  /** Waits up to ms for every running attempt to settle; true when none is left. */
  async settle(ms: number): Promise<boolean> {
    const all = Promise.allSettled([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
    return this.running.size === 0;
  }

  /**
   * Shutdown: wait for running attempts up to graceMs, then abort the rest and give them
   * a moment to hand their jobs back. Returns the ids still running after that.
   */
  async drain(graceMs: number, abortWaitMs = Math.min(2_000, Math.max(100, graceMs))): Promise<string[]> {
    if (await this.settle(graceMs)) return [];
    for (const id of this.ids()) this.abort(id, "worker shutting down");
    await this.settle(abortWaitMs);
    // Let the settled attempts' own finally/then handlers write their results first.
    await sleep(0);
    return this.ids();
  }
}
