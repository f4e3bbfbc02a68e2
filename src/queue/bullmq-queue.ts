// The scale-out JobQueue: BullMQ on Redis. Any number of processes on any number of
// machines run workers against one Redis. BullMQ gives durable jobs, concurrency,
// exponential retries and stalled-job recovery (a dead worker's lock expires and the job
// runs again); per-target serialisation is ours: each target has a FIFO in Redis, and a
// job that is not at its front goes back to delayed until it is.
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { errorSummary } from "../pipeline/job-errors.js";
import { type TaskRequest, upgradeTask } from "../pipeline/task.js";
import { type CancelResult, stoppedBeforeStart, stopReason } from "./cancel.js";
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
import { cleanPatch, jobIdFor } from "./job-record.js";
import { RedisJobRecords, targetOf } from "./redis-records.js";
import {
  type AttemptResult,
  backoffDelay,
  RunningAttempts,
  retryDelay,
  runAttempt,
  shouldRetry,
} from "./worker.js";

const DAY_MS = 86_400_000;

export interface BullMqConnection {
  url: string;
  /** BullMQ queue name. Default "jobs". */
  queueName?: string;
  /** Redis key prefix. Default "bull". */
  prefix?: string;
}

export class BullMqJobQueue implements JobQueue {
  readonly kind = "bullmq" as const;
  private readonly opts: ResolvedOptions;
  private readonly redis: Redis;
  private readonly queue: Queue<TaskRequest>;
  private readonly records: RedisJobRecords;
  private readonly running = new RunningAttempts();
  private readonly queueName: string;
  private readonly prefix: string;
  private worker: Worker<TaskRequest> | undefined;
  private handler: JobHandler | undefined;
  private stopping = false;
  private purgeTimer: NodeJS.Timeout | undefined;
  private cancelPoll: NodeJS.Timeout | undefined;
  /** Branches the jobs running here write, renewed each poll while they run. */
  private readonly branches = new Map<string, string>();

  constructor(
    private readonly conn: BullMqConnection,
    opts?: JobQueueOptions,
  ) {
    this.opts = resolveOptions(opts);
    this.queueName = conn.queueName ?? "jobs";
    this.prefix = conn.prefix ?? "bull";
    // Enqueue, /health and /jobs fail after a few reconnect tries instead of hanging while
    // Redis is down (the webhook must be answered within 10 s). Only the Worker's own
    // blocking connections need maxRetriesPerRequest: null.
    this.redis = new Redis(conn.url, { maxRetriesPerRequest: 3 });
    this.redis.on("error", (err) => this.opts.logger?.error({ err }, "job queue: Redis error"));
    this.queue = new Queue<TaskRequest>(this.queueName, {
      connection: { url: conn.url, maxRetriesPerRequest: 3 },
      prefix: this.prefix,
    });
    this.queue.on("error", (err) => this.opts.logger?.error({ err }, "job queue: Redis error"));
    this.records = new RedisJobRecords(this.redis, `${this.prefix}:${this.queueName}:gha`);
  }

  async enqueue(task: TaskRequest): Promise<EnqueueResult> {
    const jobId = jobIdFor(task.deliveryId);
    // The BullMQ job first (adding an existing id is a no-op), then the record: a crash
    // in between leaves a job that its worker completes the record for.
    const job = await this.queue.add("task", task, {
      jobId,
      attempts: this.opts.maxAttempts,
      backoff: { type: "exponential", delay: this.opts.backoffMs },
    });
    const created = await this.records.ensure(task, job.timestamp, true);
    return { jobId, created };
  }

  start(handler: JobHandler, opts: StartOptions): void {
    if (this.handler) throw new Error("BullMqJobQueue.start was already called");
    if (!(Number.isInteger(opts.concurrency) && opts.concurrency > 0)) {
      throw new RangeError(`concurrency must be a whole number > 0, got ${opts.concurrency}`);
    }
    this.handler = handler;
    this.worker = new Worker<TaskRequest>(
      this.queueName,
      (job, token, signal) => this.process(job, token, signal),
      {
        connection: { url: this.conn.url, maxRetriesPerRequest: null },
        prefix: this.prefix,
        concurrency: opts.concurrency,
        lockDuration: this.opts.leaseMs,
        stalledInterval: Math.max(50, Math.floor(this.opts.leaseMs / 2)),
        maxStalledCount: this.opts.maxRestarts,
        drainDelay: 1,
      },
    );
    this.worker.on("error", (err) => this.opts.logger?.error({ err }, "job queue: worker error"));
    this.worker.on("lockRenewalFailed", (ids) => {
      for (const id of ids) this.running.abort(id, "lost the job's lock");
    });
    // BullMQ fails a job that stalled too often without calling us: record it.
    this.worker.on("failed", (job, err) => {
      if (job?.id)
        this.failedOutsideProcessor(job, err).catch((e: unknown) =>
          this.opts.logger?.error({ err: e, jobId: job.id }, "job queue: recording a failed job failed"),
        );
    });
    // A stop asked in another process reaches this one's running jobs within a poll.
    this.cancelPoll = setInterval(() => {
      this.abortCancelled().catch((err: unknown) =>
        this.opts.logger?.error({ err }, "job queue: checking for stop requests failed"),
      );
      this.renewBranches().catch((err: unknown) =>
        this.opts.logger?.error({ err }, "job queue: renewing branch claims failed"),
      );
    }, this.opts.pollMs);
    // A purge that fails (Redis down) is logged and tried at the next hour.
    this.purgeTimer = setInterval(() => this.purgeLogged(), DAY_MS / 24);
    this.purgeTimer.unref();
    this.purgeLogged();
  }

  private purgeLogged(): void {
    this.purge().catch((err: unknown) =>
      this.opts.logger?.error({ err }, "job queue: purging old job records failed; trying again in an hour"),
    );
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.worker || this.stopping) return;
    this.stopping = true;
    clearInterval(this.purgeTimer);
    clearInterval(this.cancelPoll);
    // Stop fetching but keep renewing the running jobs' locks; a job fetched meanwhile is
    // handed straight back by process().
    await this.worker.pause(true);
    const left = await this.running.drain(graceMs);
    if (left.length > 0) {
      // Handlers that ignored their abort signal: stop renewing their locks and don't wait;
      // the stalled check of another (or the next) worker resumes their jobs.
      this.opts.logger?.warn({ jobIds: left }, "job queue: jobs still running after shutdown grace");
    }
    await this.worker.close(left.length > 0);
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    return this.records.get(jobId);
  }

  async list(opts?: ListOptions): Promise<JobRecord[]> {
    return this.records.list(listLimit(opts), opts?.status);
  }

  async stats(): Promise<JobStats> {
    return this.records.stats();
  }

  async update(jobId: string, patch: JobRecordPatch): Promise<void> {
    await this.records.update(jobId, cleanPatch(patch), Date.now());
  }

  async appendJournal(jobId: string, entry: JournalEntry): Promise<void> {
    await this.records.appendJournal(jobId, entry, Date.now());
  }

  async journal(jobId: string, after = 0, limit?: number): Promise<JournalEvent[]> {
    return this.records.journal(jobId, after, journalLimit(limit));
  }

  async cancel(target: string, by: string): Promise<CancelResult> {
    const out: CancelResult = { queued: [], running: [] };
    for (const id of await this.records.inLine(target)) {
      const rec = await this.records.get(id);
      if (!rec || rec.status === "succeeded" || rec.status === "failed" || rec.status === "cancelled")
        continue;
      if (rec.status === "running") {
        await this.records.requestCancel(id, by);
        out.running.push(id);
        if (this.running.has(id)) this.running.abort(id, stopReason(by));
        continue;
      }
      // Waiting or delayed: removed outright. A worker holding it just now (checking its
      // turn) cannot have it removed, so it also finds the flag before it starts.
      await this.records.requestCancel(id, by);
      const removed = await this.queue.remove(id).catch(() => 0);
      if (removed === 1) await this.endCancelled(target, id, stoppedBeforeStart(by), 0);
      out.queued.push(id);
    }
    return out;
  }

  private async endCancelled(target: string, id: string, error: string, durationFrom: number): Promise<void> {
    const now = Date.now();
    await this.records.transition(id, "cancelled", { updatedAt: now, finishedAt: now, error }, ["made"]);
    await this.records.clearCancel(id);
    await this.leave(target, id);
    const fin = await this.records.get(id);
    if (fin) this.opts.observer?.jobFinished(fin, durationFrom ? (now - durationFrom) / 1000 : 0);
  }

  private async abortCancelled(): Promise<void> {
    const ids = this.running.ids();
    try {
      const asked = await this.records.cancelRequests(ids);
      for (const [i, by] of asked.entries()) if (by) this.running.abort(ids[i]!, stopReason(by));
    } catch (err) {
      this.opts.logger?.error({ err }, "job queue: checking for stop requests failed");
    }
  }

  async purge(olderThanDays = this.opts.retentionDays): Promise<number> {
    const ids = await this.records.purge(Date.now() - olderThanDays * DAY_MS);
    // The BullMQ job goes with its record, so a later redelivery is a new job in both adapters.
    for (const id of ids) await this.queue.remove(id).catch(() => 0);
    return ids.length;
  }

  async close(): Promise<void> {
    await this.stop(0);
    await this.queue.close();
    this.redis.disconnect();
  }

  private async process(job: Job<TaskRequest>, token?: string, signal?: AbortSignal): Promise<void> {
    const id = job.id as string;
    const task = upgradeTask(job.data);
    const target = targetOf(task);
    await this.records.ensure(task, job.timestamp, false);
    if (this.stopping || !(await this.atFront(target, id))) {
      // Not this job's turn (or this worker is closing): back to delayed, no attempt spent.
      await job.moveToDelayed(Date.now() + (this.stopping ? 0 : this.opts.pollMs), token);
      throw new DelayedError();
    }
    const wanted = (await this.records.get(id))?.branch;
    if (wanted && !(await this.records.branchFree(id, wanted))) {
      // Its branch's writer still runs: wait, without a gate or an API call.
      await job.moveToDelayed(Date.now() + this.opts.pollMs, token);
      throw new DelayedError();
    }
    const [stoppedBy] = await this.records.cancelRequests([id]);
    if (stoppedBy) {
      // Stopped while waiting: it ends here, never started.
      await this.endCancelled(target, id, stoppedBeforeStart(stoppedBy), 0);
      return;
    }
    const start = await this.records.start(id, Date.now());
    // Finished already: a run that ended after its worker gave it up. Never run it twice.
    if (start.finished) return;
    const record = await this.records.get(id);
    if (start.attempts === 1 && record)
      this.opts.observer?.jobStarted(record, (Date.now() - start.createdAt) / 1000);
    const made = await this.records.made(id);
    let result: AttemptResult;
    try {
      result = await this.running.track(id, (sig) => {
        signal?.addEventListener("abort", () => this.running.abort(id, "job cancelled"), { once: true });
        return runAttempt(this.handler!, task, {
          jobId: id,
          attempt: start.attempts,
          restarted: start.restarted,
          signal: sig,
          retryInMs: retryDelay(this.opts.backoffMs, job.attemptsMade, this.opts.maxAttempts),
          claimBranch: (branch) => this.claimBranch(id, branch),
          ...(made ? { made } : {}),
          record: (patch) => this.records.update(id, cleanPatch(patch), Date.now()),
          journal: serialAppender(
            (entry) => this.records.appendJournal(id, entry, Date.now()),
            (err) =>
              this.opts.logger?.warn({ err, jobId: id }, "job queue: writing the job's journal failed"),
          ),
        });
      });
    } finally {
      const branch = this.branches.get(id);
      this.branches.delete(id);
      if (branch) await this.records.releaseBranch(id, branch).catch(() => undefined);
    }
    await this.settle(job, token, target, result);
  }

  /** One writer per branch across every worker on this Redis; held while the job runs here. */
  private async claimBranch(id: string, branch: string): Promise<boolean> {
    if (!(await this.records.claimBranch(id, branch, this.opts.leaseMs))) return false;
    this.branches.set(id, branch);
    await this.records.transition(id, "", { branch });
    return true;
  }

  /** Keeps this worker's branch claims alive while their jobs run (a dead worker's lapse). */
  private async renewBranches(): Promise<void> {
    for (const [id, branch] of this.branches) {
      if (!(await this.records.claimBranch(id, branch, this.opts.leaseMs)))
        this.running.abort(id, "lost the branch's claim");
    }
  }

  private async settle(
    job: Job<TaskRequest>,
    token: string | undefined,
    target: string,
    result: AttemptResult,
  ) {
    const id = job.id as string;
    const now = Date.now();
    // A failed or stopped run still leaves what it cost (model, tokens) on the record.
    if (
      (result.kind === "failed" || result.kind === "cancelled") &&
      result.patch &&
      Object.keys(result.patch).length > 0
    ) {
      await this.records.update(id, cleanPatch(result.patch), now);
    }
    if (result.kind === "waiting") {
      // Not an attempt: the job goes back in line until the branch's writer is done.
      const rec = await this.records.get(id);
      const attempts = Math.max(0, (rec?.attempts ?? 1) - 1);
      await this.records.transition(
        id,
        "queued",
        { updatedAt: now, attempts, branch: result.branch },
        attempts === 0 ? ["startedAt"] : [],
      );
      await job.moveToDelayed(now + this.opts.pollMs, token);
      throw new DelayedError();
    }
    if (result.kind === "interrupted") {
      await this.records.transition(id, "interrupted", { updatedAt: now, error: result.error });
      await job.moveToDelayed(now, token);
      throw new DelayedError();
    }
    if (result.kind === "failed" && shouldRetry(result, job.attemptsMade, this.opts.maxAttempts)) {
      const nextRunAt = now + backoffDelay(this.opts.backoffMs, job.attemptsMade + 1);
      await this.records.transition(id, "retrying", { updatedAt: now, error: result.error, nextRunAt });
      throw new Error(result.error);
    }
    if (result.kind === "cancelled") {
      await this.endCancelled(target, id, result.error, (await this.records.get(id))?.startedAt ?? now);
      throw new UnrecoverableError(result.error);
    }
    if (result.kind === "succeeded") {
      await this.records.transition(id, "succeeded", { ...result.patch, updatedAt: now, finishedAt: now }, [
        "error",
        "made",
      ]);
    } else {
      await this.records.transition(id, "failed", { updatedAt: now, finishedAt: now, error: result.error }, [
        "made",
      ]);
    }
    await this.leave(target, id);
    const fin = await this.records.get(id);
    if (fin) this.opts.observer?.jobFinished(fin, (now - (fin.startedAt ?? now)) / 1000);
    if (result.kind === "failed") throw new UnrecoverableError(result.error);
  }

  /** Whether the job is at the front of its target's line, dropping finished or vanished jobs ahead of it. */
  private async atFront(target: string, id: string): Promise<boolean> {
    for (;;) {
      const head = await this.records.head(target);
      if (head === undefined || head === id) return true;
      const state = await this.queue.getJobState(head);
      if (state !== "completed" && state !== "failed" && state !== "unknown") return false;
      await this.records.leaveTarget(target, head);
    }
  }

  /** Leaves the target's line and wakes the next job in it instead of letting it poll. */
  private async leave(target: string, id: string): Promise<void> {
    await this.records.leaveTarget(target, id);
    const next = await this.records.head(target);
    if (!next) return;
    const job = await this.queue.getJob(next);
    if (job && (await job.isDelayed())) await job.promote().catch(() => {});
  }

  private async failedOutsideProcessor(job: Job<TaskRequest>, err: Error): Promise<void> {
    const id = job.id as string;
    const rec = await this.records.get(id);
    if (rec?.status !== "running" || !(await job.isFailed())) return;
    const now = Date.now();
    await this.records.transition(id, "failed", {
      updatedAt: now,
      finishedAt: now,
      error: errorSummary(err),
    });
    await this.leave(targetOf(job.data), id);
  }
}
