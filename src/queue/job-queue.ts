// The JobQueue port: durable jobs, dedupe by delivery id, one running job per target.
// Two adapters implement it with the same semantics (test/queue/queue-contract.ts):
// SqliteJobQueue (embedded, the default) and BullMqJobQueue (Redis, scale-out workers).

import type { Disposition } from "../pipeline/ports.js";
import type { TaskRequest } from "../pipeline/task.js";
import type { CancelResult } from "./cancel.js";
import type { JournalEntry, JournalEvent } from "./job-journal.js";
import type { JobRecord, JobRecordPatch, JobStats, JobStatus } from "./job-record.js";

export interface JobContext {
  jobId: string;
  /** 1 for the first run; counts every start, restarts included. */
  attempt: number;
  /** True when an earlier run of this job was cut off (its process died or shut down). */
  restarted: boolean;
  /** Aborted when the worker shuts down past its grace period or loses the job's lease. */
  signal: AbortSignal;
  /**
   * If this attempt fails transiently, the queue runs the job again after this long;
   * undefined on the last attempt. Lets the handler tell people "retrying in 30 s".
   */
  retryInMs?: number;
  /**
   * Claims the branch this job writes (`owner/repo:branch`) while the job runs: false when
   * another running job holds it, in this process or any other sharing the queue. One writer
   * per branch: a job that cannot claim ends its attempt with disposition `wait`.
   */
  claimBranch?(branch: string): Promise<boolean>;
  /** What earlier attempts of this job recorded they made (JSON, see JobMade in ports.ts). */
  made?: string;
  /** Writes on the job's record at once (what the job made so far), not at the attempt's end. */
  record?(patch: JobRecordPatch): Promise<void>;
  /** Appends to the job's journal, in order, without waiting; a failed write is logged, never thrown. */
  journal?(entry: JournalEntry): void;
}

/** What a run of a job decided (its disposition) and leaves on the job's record. */
export interface HandledJob {
  disposition: Disposition;
  record?: JobRecordPatch;
}

/**
 * Runs one job and says what happens next (runJob's result, see ports.ts). Resolving with
 * nothing means done. A handler that throws has hit something unexpected: the error is
 * classified once (src/pipeline/job-errors.ts) — retried with backoff when it may pass, failed otherwise.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to record may simply return.
export type JobHandler = (task: TaskRequest, ctx: JobContext) => Promise<HandledJob | void>;

export interface EnqueueResult {
  jobId: string;
  /** False when a job for this delivery id already existed (a redelivered webhook). */
  created: boolean;
}

export interface ListOptions {
  /** Default 50, at most 500. */
  limit?: number;
  status?: JobStatus;
}

/** Observers for job metrics; src/metrics.ts provides one. */
export interface JobObserver {
  jobStarted(record: JobRecord, waitSeconds: number): void;
  jobFinished(record: JobRecord, durationSeconds: number): void;
}

export interface JobQueueOptions {
  /** Most times a job runs when it keeps failing transiently (first run included). Default 3. */
  maxAttempts?: number;
  /** Backoff before retry n is backoffMs * 2^(n-1). Default 30 s. */
  backoffMs?: number;
  /** How long a worker's claim on a running job lasts without a heartbeat. Default 60 s. */
  leaseMs?: number;
  /** How often an idle worker looks for due jobs, and how often a job waiting on a busy target rechecks. Default 1 s. */
  pollMs?: number;
  /** A job whose worker died more often than this fails. Default 2. */
  maxRestarts?: number;
  /** Finished job records older than this are purged. Default 30. */
  retentionDays?: number;
  observer?: JobObserver;
  logger?: QueueLogger;
}

export interface QueueLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StartOptions {
  concurrency: number;
}

export interface JobQueue {
  readonly kind: "sqlite" | "bullmq";
  /** Durable once resolved. Deduplicates on task.deliveryId. */
  enqueue(task: TaskRequest): Promise<EnqueueResult>;
  /** Starts taking jobs in this process. Call once. */
  start(handler: JobHandler, opts: StartOptions): void;
  /**
   * Stops taking jobs, lets running ones finish within graceMs, then aborts the rest and
   * hands them back; they resume (restarted) on the next start or on another worker.
   */
  stop(graceMs: number): Promise<void>;
  get(jobId: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(opts?: ListOptions): Promise<JobRecord[]>;
  stats(): Promise<JobStats>;
  /** Records model, tokens, cost or the PR link on a job (absolute values). */
  update(jobId: string, patch: JobRecordPatch): Promise<void>;
  /**
   * Stops the target's ("owner/repo#number") unfinished jobs on behalf of `by`: jobs not yet
   * started end `cancelled` at once; a running one is aborted (JobCancelled) by its worker,
   * in this process or another, within about pollMs, and ends `cancelled`.
   */
  cancel(target: string, by: string): Promise<CancelResult>;
  /** Appends to the job's journal (redacted and clipped here); a job that does not exist is ignored. */
  appendJournal(jobId: string, entry: JournalEntry): Promise<void>;
  /** The job's journal after the event `after` (default 0: from the start), oldest first; at most `limit` (default 500). */
  journal(jobId: string, after?: number, limit?: number): Promise<JournalEvent[]>;
  /** Deletes finished records (and their journals) older than the retention; returns how many. */
  purge(olderThanDays?: number): Promise<number>;
  /** Stops (grace 0 if still started) and releases the database or Redis connections. */
  close(): Promise<void>;
}

export const DEFAULTS = {
  maxAttempts: 3,
  backoffMs: 30_000,
  leaseMs: 60_000,
  pollMs: 1_000,
  maxRestarts: 2,
  retentionDays: 30,
} as const;

export type ResolvedOptions = Required<Omit<JobQueueOptions, "observer">> & Pick<JobQueueOptions, "observer">;

/** Without a logger, problems still reach stderr rather than vanishing. */
const stderrLogger: QueueLogger = {
  info() {},
  warn: (obj, msg) => console.error(msg ?? "job queue warning", obj),
  error: (obj, msg) => console.error(msg ?? "job queue error", obj),
};

export function resolveOptions(opts: JobQueueOptions = {}): ResolvedOptions {
  const o = { ...DEFAULTS, logger: stderrLogger, ...opts };
  for (const key of ["maxAttempts", "backoffMs", "leaseMs", "pollMs", "retentionDays"] as const) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) {
      throw new RangeError(`JobQueue option ${key} must be a positive number, got ${o[key]}.`);
    }
  }
  if (!(Number.isInteger(o.maxRestarts) && o.maxRestarts >= 0)) {
    throw new RangeError(`JobQueue option maxRestarts must be a whole number >= 0, got ${o.maxRestarts}.`);
  }
  return o;
}

export function journalLimit(limit?: number): number {
  return Math.max(1, Math.min(2000, Math.floor(limit ?? 500)));
}

export function listLimit(opts?: ListOptions): number {
  const n = opts?.limit ?? 50;
  return Math.max(1, Math.min(500, Math.floor(n)));
}
