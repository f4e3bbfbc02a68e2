// The embedded JobQueue: one SQLite file under DATA_DIR, no server. Workers poll for due
// jobs, hold a renewable lease on each running job, and a job whose lease expired (its
// process died) is claimed again and runs as a restart.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { TaskRequest } from "../pipeline/task.js";
import { type CancelResult, stopReason } from "./cancel.js";
import { type JournalEntry, type JournalEvent, serialAppender } from "./job-journal.js";
import {
  type EnqueueResult,
  type JobHandler,
  type JobQueue,
  type JobQueueOptions,
  journalLimit,
  type ListOptions,
  listLimit,
  type ResolvedOptions,
  resolveOptions,
  type StartOptions,
} from "./job-queue.js";
import type { JobRecord, JobRecordPatch, JobStats } from "./job-record.js";
import { cleanPatch } from "./job-record.js";
import { type JobRow, rowToRecord } from "./sqlite-schema.js";
import { type Finish, SqliteJobStore } from "./sqlite-store.js";
import {
  type AttemptResult,
  backoffDelay,
  RunningAttempts,
  retryDelay,
  runAttempt,
  shouldRetry,
} from "./worker.js";

const DAY_MS = 86_400_000;

export function sqliteQueueFile(dataDir: string): string {
  return join(dataDir, "jobs.sqlite");
}

export class SqliteJobQueue implements JobQueue {
  readonly kind = "sqlite" as const;
  private readonly store: SqliteJobStore;
  private readonly opts: ResolvedOptions;
  private readonly running = new RunningAttempts();
  private readonly tokens = new Map<string, string>();
  private handler: JobHandler | undefined;
  private concurrency = 1;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private cancelPoll: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private wakeSoon: NodeJS.Immediate | undefined;
  private pending: {
    task: TaskRequest;
    resolve: (res: EnqueueResult) => void;
    reject: (err: unknown) => void;
  }[] = [];

  constructor(file: string, opts?: JobQueueOptions) {
    this.opts = resolveOptions(opts);
    this.store = new SqliteJobStore(file);
  }

  /**
   * Stored, and synced to disk, before it resolves. Deliveries that arrive in the same turn
   * of the event loop are written in one transaction (one sync for all of them, not one
   * each); claiming waits for the turn after, so the webhooks are answered first.
   */
  enqueue(task: TaskRequest): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ task, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flushPending());
    });
  }

  private flushPending(): void {
    const batch = this.pending;
    this.pending = [];
    let results: EnqueueResult[];
    try {
      results = this.store.insertMany(
        batch.map((p) => p.task),
        Date.now(),
      );
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i]!);
    // A job queued behind its target's unfinished one cannot run yet, and an insert makes no
    // other job runnable: claim only when a new job is at the head of its line. (A claim
    // scans the waiting jobs, so a backlog behind one issue made every delivery pay for it.)
    try {
      if (results.some((r) => r.created && this.store.headOfLine(r.jobId))) {
        this.wakeSoon ??= setImmediate(() => this.wake());
      }
    } catch (err) {
      // The poll finds the job all the same.
      this.opts.logger?.warn({ err }, "job queue: checking a new job's place in line failed");
    }
  }

  start(handler: JobHandler, opts: StartOptions): void {
    if (this.handler) throw new Error("SqliteJobQueue.start was already called");
    if (!(Number.isInteger(opts.concurrency) && opts.concurrency > 0)) {
      throw new RangeError(`concurrency must be a whole number > 0, got ${opts.concurrency}`);
    }
    this.handler = handler;
    this.concurrency = opts.concurrency;
    this.heartbeat = setInterval(() => this.renewLeases(), Math.max(10, Math.floor(this.opts.leaseMs / 3)));
    // A stop asked in another process reaches this one's running jobs within a poll.
    this.cancelPoll = setInterval(() => this.abortCancelled(), this.opts.pollMs);
    // A purge that fails (SQLITE_BUSY, a full disk) is logged and tried at the next hour.
    this.purgeTimer = setInterval(() => this.purgeLogged(), DAY_MS / 24);
    this.purgeTimer.unref();
    this.purgeLogged();
    this.wake();
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.handler || this.stopping) return;
    this.stopping = true;
    clearTimeout(this.timer);
    const left = await this.running.drain(graceMs);
    // Attempts that ignored their abort signal: give their jobs back so they resume.
    if (left.length > 0) {
      this.opts.logger?.warn({ jobIds: left }, "job queue: jobs still running after shutdown grace");
    }
    for (const id of left) {
      const token = this.tokens.get(id);
      if (token)
        this.store.finish(id, token, { status: "interrupted", error: "worker shut down" }, Date.now());
    }
    clearInterval(this.heartbeat);
    clearInterval(this.cancelPoll);
    clearInterval(this.purgeTimer);
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const row = this.store.byId(jobId);
    return row ? rowToRecord(row) : undefined;
  }

  async list(opts?: ListOptions): Promise<JobRecord[]> {
    return this.store.list(listLimit(opts), opts?.status).map(rowToRecord);
  }

  async stats(): Promise<JobStats> {
    return this.store.stats();
  }

  async update(jobId: string, patch: JobRecordPatch): Promise<void> {
    this.store.update(jobId, cleanPatch(patch), Date.now());
  }

  async cancel(target: string, by: string): Promise<CancelResult> {
    const now = Date.now();
    const res = this.store.cancel(target, by, now);
    for (const id of res.queued) {
      const fin = this.store.byId(id);
      if (fin) this.opts.observer?.jobFinished(rowToRecord(fin), 0);
    }
    // Running here: no need to wait for the poll.
    for (const id of res.running) if (this.tokens.has(id)) this.running.abort(id, stopReason(by));
    return res;
  }

  async appendJournal(jobId: string, entry: JournalEntry): Promise<void> {
    this.store.appendJournal(jobId, entry, Date.now());
  }

  async journal(jobId: string, after = 0, limit?: number): Promise<JournalEvent[]> {
    return this.store.journal(jobId, after, journalLimit(limit));
  }

  private purgeLogged(): void {
    this.purge().catch((err: unknown) =>
      this.opts.logger?.error({ err }, "job queue: purging old job records failed; trying again in an hour"),
    );
  }

  async purge(olderThanDays = this.opts.retentionDays): Promise<number> {
    return this.store.purge(Date.now() - olderThanDays * DAY_MS);
  }

  async close(): Promise<void> {
    await this.stop(0);
    clearTimeout(this.timer);
    clearImmediate(this.wakeSoon);
    this.store.close();
  }

  /** Claims as many due jobs as free slots allow, then sleeps until the next is due. */
  private wake(): void {
    clearImmediate(this.wakeSoon);
    this.wakeSoon = undefined;
    if (!this.handler || this.stopping) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      while (this.running.size < this.concurrency) {
        const token = randomUUID();
        const claimed = this.store.claim(token, Date.now(), this.opts.leaseMs, this.opts.maxRestarts, [
          ...this.tokens.keys(),
        ]);
        if (!claimed) break;
        this.launch(claimed.row, token, claimed.restarted);
      }
    } catch (err) {
      this.opts.logger?.error({ err }, "job queue: claiming a job failed; polling again");
    }
    let due: number | undefined;
    try {
      due = this.store.db.open ? this.store.nextDue(Date.now()) : undefined;
    } catch (err) {
      // A busy or failing database: poll again at the usual pace, never crash the process.
      this.opts.logger?.error({ err }, "job queue: looking for the next due job failed; polling again");
    }
    const wait =
      due === undefined ? this.opts.pollMs : Math.max(5, Math.min(this.opts.pollMs, due - Date.now()));
    this.timer = setTimeout(() => this.wake(), wait);
  }

  private launch(row: JobRow, token: string, restarted: boolean): void {
    const handler = this.handler!;
    const task = this.store.task(row);
    const record = rowToRecord(row);
    this.tokens.set(row.id, token);
    if (row.attempts === 1) this.opts.observer?.jobStarted(record, (Date.now() - row.created_at) / 1000);
    this.running
      .track(row.id, async (signal) => {
        const made = this.store.made(row.id);
        const result = await runAttempt(handler, task, {
          jobId: row.id,
          attempt: row.attempts,
          restarted,
          signal,
          retryInMs: retryDelay(this.opts.backoffMs, row.failures, this.opts.maxAttempts),
          claimBranch: async (branch) => this.store.claimBranch(row.id, token, branch, Date.now()),
          ...(made ? { made } : {}),
          record: async (patch) => this.store.update(row.id, cleanPatch(patch), Date.now()),
          journal: serialAppender(
            (entry) => {
              this.store.appendJournal(row.id, entry, Date.now());
            },
            (err) =>
              this.opts.logger?.warn({ err, jobId: row.id }, "job queue: writing the job's journal failed"),
          ),
        });
        this.record(row, token, result);
      })
      .catch((err: unknown) =>
        this.opts.logger?.error({ err, jobId: row.id }, "job queue: recording a job failed"),
      )
      .finally(() => {
        this.tokens.delete(row.id);
        this.wake();
      })
      .catch((err: unknown) => this.opts.logger?.error({ err, jobId: row.id }, "job queue: after a job"));
  }

  private record(row: JobRow, token: string, result: AttemptResult): void {
    const now = Date.now();
    // A failed or stopped run still leaves what it cost (model, tokens) on the record.
    if (
      (result.kind === "failed" || result.kind === "cancelled") &&
      result.patch &&
      Object.keys(result.patch).length > 0
    ) {
      this.store.update(row.id, cleanPatch(result.patch), now);
    }
    let f: Finish;
    if (result.kind === "succeeded") f = { status: "succeeded", patch: result.patch };
    else if (result.kind === "interrupted") f = { status: "interrupted", error: result.error };
    else if (result.kind === "cancelled") f = { status: "cancelled", error: result.error };
    // Not claimed again while the branch's writer runs (claim() skips it): no gate, no API calls.
    else if (result.kind === "waiting")
      f = { status: "waiting", runAt: now + this.opts.pollMs, branch: result.branch };
    else if (shouldRetry(result, row.failures, this.opts.maxAttempts)) {
      f = {
        status: "retrying",
        error: result.error,
        runAt: now + backoffDelay(this.opts.backoffMs, row.failures + 1),
        failed: true,
      };
    } else f = { status: "failed", error: result.error, failed: true };
    if (!this.store.finish(row.id, token, f, now)) {
      this.opts.logger?.warn(
        { jobId: row.id },
        "job queue: lost the job's lease before recording its outcome",
      );
      return;
    }
    if (f.status === "succeeded" || f.status === "failed" || f.status === "cancelled") {
      const fin = this.store.byId(row.id);
      if (fin) this.opts.observer?.jobFinished(rowToRecord(fin), (now - (fin.started_at ?? now)) / 1000);
    }
  }

  private abortCancelled(): void {
    try {
      for (const { id, by } of this.store.cancelRequests([...this.tokens.keys()])) {
        this.running.abort(id, stopReason(by));
      }
    } catch (err) {
      this.opts.logger?.error({ err }, "job queue: checking for stop requests failed");
    }
  }

  private renewLeases(): void {
    const exp = Date.now() + this.opts.leaseMs;
    for (const [id, token] of this.tokens) {
      try {
        if (!this.store.renew(id, token, exp)) this.running.abort(id, "lost the job's lease");
      } catch (err) {
        this.opts.logger?.error({ err, jobId: id }, "job queue: renewing a lease failed");
      }
    }
  }
}
