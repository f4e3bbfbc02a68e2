// Stopping a target's jobs (`/agent stop`): what the queue port's cancel() reports, and the
// abort reason a worker hands the running job, so runJob ends it with disposition `cancelled`.
import { JobCancelled } from "../pipeline/job-errors.js";

export interface CancelResult {
  /** Jobs that had not started (queued, retrying, interrupted): now `cancelled`. */
  queued: string[];
  /** Jobs that were running: their worker, in whichever process, aborts them shortly. */
  running: string[];
}

/** The abort reason of a stopped job; its message is what the tracking comment says. */
export function stopReason(by: string): JobCancelled {
  return new JobCancelled(`stopped by @${by}`);
}

/** The record's error line for a job stopped before it ran. */
export function stoppedBeforeStart(by: string): string {
  return `stopped by @${by} before it started`;
}

/** Before anything is committed or pushed: a stopped job leaves the branch as it was. */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted && signal.reason instanceof JobCancelled) throw signal.reason;
}
