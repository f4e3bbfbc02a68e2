// Every statement on the SQLite job table. A job may run only when it is the
// oldest unfinished job of its target, which gives per-target FIFO serialisation; a
// running job holds a lease (token + expiry) that its worker renews, and every write a
// worker makes about a job is fenced by that token.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { type TaskRequest, upgradeTask } from "../pipeline/task.js";
import { stoppedBeforeStart } from "./cancel.js";
import {
  isEssential,
  JOURNAL_FULL_NOTE,
  JOURNAL_JOB_BYTES,
  type JournalEntry,
  type JournalEvent,
  parseEvent,
  serializeEntry,
} from "./job-journal.js";
import type { JobRecordPatch, JobStats, JobStatus } from "./job-record.js";
import { emptyStats, newRecord } from "./job-record.js";
import { ADDED_COLUMNS, type JobRow, SCHEMA, UNFINISHED } from "./sqlite-schema.js";

const PATCH_COLUMNS: Record<keyof JobRecordPatch, string> = {
  agent: "agent",
  model: "model",
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  costUsd: "cost_usd",
  prUrl: "pr_url",
  agentRuns: "agent_runs",
  pushedSha: "pushed_sha",
  verdict: "verdict",
  made: "made",
};

export type Finish =
  | { status: "succeeded"; patch: JobRecordPatch }
  | { status: "failed"; error: string; failed: boolean }
  | { status: "retrying"; error: string; runAt: number; failed: boolean }
  | { status: "interrupted"; error?: string }
  /** Back in line, no attempt spent: another job writes its branch (disposition `wait`). */
  | { status: "waiting"; runAt: number; branch: string }
  | { status: "cancelled"; error: string };

export class SqliteJobStore {
  readonly db: Database.Database;
  /** Compiled once per SQL text: preparing costs more than running these small statements. */
  readonly #statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // FULL: an acknowledged enqueue survives power loss too, not just a process crash.
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    const have = new Set((this.db.pragma("table_info(jobs)") as { name: string }[]).map((c) => c.name));
    for (const [column, type] of Object.entries(ADDED_COLUMNS)) {
      if (!have.has(column)) this.db.exec(`ALTER TABLE jobs ADD COLUMN ${column} ${type}`);
    }
  }

  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  insert(task: TaskRequest, now: number): { jobId: string; created: boolean } {
    const rec = newRecord(task, now);
    const info = this.#sql(
      `INSERT OR IGNORE INTO jobs (id, delivery_id, target, target_kind, trigger_kind, actor, agent, task,
           status, run_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
    ).run(
      rec.id,
      rec.deliveryId,
      rec.target,
      rec.targetKind,
      rec.trigger.kind,
      rec.trigger.actor,
      rec.agent ?? null,
      JSON.stringify(task),
      now,
      now,
      now,
    );
    return { jobId: rec.id, created: info.changes === 1 };
  }

  /** Whether no earlier unfinished job holds the job's target: only such a job can be claimed. */
  headOfLine(jobId: string): boolean {
    const earlier = this.#sql(
      `SELECT 1 FROM jobs j JOIN jobs e ON e.target = j.target AND e.seq < j.seq AND e.status IN ${UNFINISHED}
       WHERE j.id = ? LIMIT 1`,
    ).get(jobId);
    return earlier === undefined;
  }

  /** Inserts in one transaction: one sync to disk for the lot (group commit). */
  insertMany(tasks: TaskRequest[], now: number): { jobId: string; created: boolean }[] {
    return this.db.transaction(() => tasks.map((task) => this.insert(task, now)))();
  }

  /**
   * Claims the oldest runnable job: due, or running with an expired lease (its worker
   * died), and the oldest unfinished job of its target. Runs in one IMMEDIATE transaction
   * so two processes sharing the file never claim the same job.
   */
  claim(
    token: string,
    now: number,
    leaseMs: number,
    maxRestarts: number,
    /** Jobs this process runs: never reclaimed here, even when a stalled event loop let their lease lapse. */
    localIds: string[] = [],
  ): { row: JobRow; restarted: boolean } | null {
    const pick = this.#sql(
      `SELECT j.* FROM jobs j
       WHERE ((j.status IN ('queued','retrying','interrupted') AND j.run_at <= @now)
              OR (j.status = 'running' AND j.lease_expires_at < @now))
         AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.target = j.target AND e.seq < j.seq AND e.status IN ${UNFINISHED})
         AND (j.branch IS NULL OR NOT EXISTS (SELECT 1 FROM jobs b WHERE b.branch = j.branch AND b.id <> j.id
              AND b.status = 'running' AND b.lease_expires_at >= @now))
         AND j.id NOT IN (SELECT value FROM json_each(@local))
       ORDER BY j.seq LIMIT 1`,
    );
    const tx = this.db.transaction((): { row: JobRow; restarted: boolean } | null => {
      for (;;) {
        const row = pick.get({ now, local: JSON.stringify(localIds) }) as JobRow | undefined;
        if (!row) return null;
        if (row.cancel_by) {
          this.#sql(
            `UPDATE jobs SET status='cancelled', lease_token=NULL, lease_expires_at=NULL, task=NULL, made=NULL,
                 finished_at=@now, updated_at=@now, error=@error WHERE id=@id`,
          ).run({ id: row.id, now, error: `stopped by @${row.cancel_by}` });
          continue;
        }
        const stalled = row.status === "running";
        const restarted = stalled || row.status === "interrupted";
        if (stalled && row.stalls + 1 > maxRestarts) {
          this.#sql(
            `UPDATE jobs SET status='failed', lease_token=NULL, lease_expires_at=NULL, task=NULL, made=NULL, stalls=stalls+1,
                 finished_at=@now, updated_at=@now, error=@error WHERE id=@id`,
          ).run({ id: row.id, now, error: `its worker stopped ${row.stalls + 1} times while running it` });
          continue;
        }
        this.#sql(
          `UPDATE jobs SET status='running', lease_token=@token, lease_expires_at=@exp, attempts=attempts+1,
               restarts=restarts+@r, stalls=stalls+@s, started_at=COALESCE(started_at, @now), updated_at=@now
             WHERE id=@id`,
        ).run({ id: row.id, token, exp: now + leaseMs, r: restarted ? 1 : 0, s: stalled ? 1 : 0, now });
        return { row: this.byId(row.id)!, restarted };
      }
    });
    return tx.immediate();
  }

  /** Extends a lease; false when the job is no longer ours. */
  renew(id: string, token: string, expiresAt: number): boolean {
    return (
      this.#sql("UPDATE jobs SET lease_expires_at=? WHERE id=? AND lease_token=? AND status='running'").run(
        expiresAt,
        id,
        token,
      ).changes === 1
    );
  }

  /** Writes an attempt's outcome if the lease is still ours; false otherwise. */
  finish(id: string, token: string, f: Finish, now: number): boolean {
    const base = { id, token, now };
    const fence = "WHERE id=@id AND lease_token=@token AND status='running'";
    const release = "lease_token=NULL, lease_expires_at=NULL, updated_at=@now";
    let info: Database.RunResult;
    switch (f.status) {
      case "succeeded": {
        const sets = Object.entries(f.patch).map(
          ([k]) => `${PATCH_COLUMNS[k as keyof JobRecordPatch]}=@${k}`,
        );
        info = this.#sql(
          `UPDATE jobs SET status='succeeded', ${[...sets, release].join(", ")}, finished_at=@now, task=NULL, made=NULL,
               error=NULL ${fence}`,
        ).run({ ...base, ...f.patch });
        break;
      }
      case "failed":
        info = this.#sql(
          `UPDATE jobs SET status='failed', ${release}, finished_at=@now, task=NULL, made=NULL, error=@error,
               failures=failures+@f ${fence}`,
        ).run({ ...base, error: f.error, f: f.failed ? 1 : 0 });
        break;
      case "retrying":
        info = this.#sql(
          `UPDATE jobs SET status='retrying', ${release}, run_at=@runAt, error=@error, failures=failures+@f ${fence}`,
        ).run({ ...base, error: f.error, runAt: f.runAt, f: f.failed ? 1 : 0 });
        break;
      case "interrupted":
        info = this.#sql(`UPDATE jobs SET status='interrupted', ${release}, run_at=@now ${fence}`).run(base);
        break;
      case "waiting":
        info = this.#sql(
          `UPDATE jobs SET status='queued', ${release}, run_at=@runAt, attempts=MAX(0, attempts-1), branch=@branch,
               started_at=CASE WHEN attempts <= 1 THEN NULL ELSE started_at END ${fence}`,
        ).run({ ...base, runAt: f.runAt, branch: f.branch });
        break;
      case "cancelled":
        info = this.#sql(
          `UPDATE jobs SET status='cancelled', ${release}, finished_at=@now, task=NULL, made=NULL, error=@error ${fence}`,
        ).run({ ...base, error: f.error });
        break;
    }
    return info.changes === 1;
  }

  /**
   * Stops the target's unfinished jobs in one transaction: those not running end cancelled
   * now; a running one is flagged (cancel_by) for its worker, whichever process holds it.
   */
  cancel(target: string, by: string, now: number): { queued: string[]; running: string[] } {
    return this.db.transaction(() => {
      const rows = this.#sql(
        `SELECT id, status FROM jobs WHERE target=? AND status IN ${UNFINISHED} ORDER BY seq`,
      ).all(target) as { id: string; status: JobStatus }[];
      const queued = rows.filter((r) => r.status !== "running").map((r) => r.id);
      const running = rows.filter((r) => r.status === "running").map((r) => r.id);
      for (const id of queued) {
        this.#sql(
          `UPDATE jobs SET status='cancelled', lease_token=NULL, lease_expires_at=NULL, task=NULL, made=NULL, finished_at=@now,
               updated_at=@now, error=@error WHERE id=@id`,
        ).run({ id, now, error: stoppedBeforeStart(by) });
      }
      for (const id of running) {
        this.#sql("UPDATE jobs SET cancel_by=@by, updated_at=@now WHERE id=@id").run({ id, by, now });
      }
      return { queued, running };
    })();
  }

  /**
   * Claims `branch` for the running job `id` (fenced by its lease token): false when another
   * running job with a live lease holds it. IMMEDIATE, so two processes never both get it.
   */
  claimBranch(id: string, token: string, branch: string, now: number): boolean {
    const tx = this.db.transaction((): boolean => {
      const held = this.#sql(
        `SELECT 1 FROM jobs WHERE branch=@branch AND status='running' AND id<>@id AND lease_expires_at >= @now LIMIT 1`,
      ).get({ branch, id, now });
      if (held) return false;
      return (
        this.#sql(
          "UPDATE jobs SET branch=@branch, updated_at=@now WHERE id=@id AND lease_token=@token AND status='running'",
        ).run({ branch, id, token, now }).changes === 1
      );
    });
    return tx.immediate();
  }

  /** What earlier attempts of the job recorded they made (JSON), if anything. */
  made(id: string): string | undefined {
    const r = this.#sql("SELECT made FROM jobs WHERE id=?").get(id) as { made: string | null } | undefined;
    return r?.made ?? undefined;
  }

  /** Of these running jobs, the ones someone asked to stop, with who asked. */
  cancelRequests(ids: string[]): { id: string; by: string }[] {
    if (ids.length === 0) return [];
    return this.#sql(
      `SELECT id, cancel_by AS by FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND cancel_by IS NOT NULL`,
    ).all(JSON.stringify(ids)) as { id: string; by: string }[];
  }

  update(id: string, patch: JobRecordPatch, now: number): void {
    const keys = Object.keys(patch) as (keyof JobRecordPatch)[];
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${PATCH_COLUMNS[k]}=@${k}`).join(", ");
    this.#sql(`UPDATE jobs SET ${sets}, updated_at=@now WHERE id=@id`).run({ ...patch, id, now });
  }

  byId(id: string): JobRow | undefined {
    return this.#sql("SELECT * FROM jobs WHERE id=?").get(id) as JobRow | undefined;
  }

  list(limit: number, status?: JobStatus): JobRow[] {
    const where = status ? "WHERE status=@status" : "";
    return this.#sql(`SELECT * FROM jobs ${where} ORDER BY created_at DESC, seq DESC LIMIT @limit`).all({
      status,
      limit,
    }) as JobRow[];
  }

  stats(): JobStats {
    const out = emptyStats();
    const rows = this.#sql("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").all() as {
      status: JobStatus;
      n: number;
    }[];
    for (const r of rows) if (r.status in out) out[r.status] = r.n;
    return out;
  }

  /**
   * The next moment after `now` when a waiting job becomes due or a lease runs out (for the
   * idle timer); undefined when there is none. Jobs already due but not claimable (behind
   * their target's running job, or waiting for a free slot) are not counted: a job that
   * finishes here wakes the queue itself, and the poll interval covers other processes.
   */
  nextDue(now: number): number | undefined {
    const r = this.#sql(
      `SELECT MIN(t) AS t FROM (SELECT CASE WHEN status='running' THEN lease_expires_at ELSE run_at END AS t
         FROM jobs WHERE status IN ${UNFINISHED}) WHERE t > @now`,
    ).get({ now }) as { t: number | null };
    return r.t ?? undefined;
  }

  purge(before: number): number {
    return this.db.transaction(() => {
      const finished =
        "SELECT id FROM jobs WHERE status IN ('succeeded','failed','cancelled') AND finished_at < ?";
      this.#sql(`DELETE FROM job_events WHERE job_id IN (${finished})`).run(before);
      return this.#sql(
        "DELETE FROM jobs WHERE status IN ('succeeded','failed','cancelled') AND finished_at < ?",
      ).run(before).changes;
    })();
  }

  /**
   * Appends to the job's journal, within its byte budget: past it, one note says so and only
   * steps and the verdict are kept. False when there is no such job.
   */
  appendJournal(id: string, entry: JournalEntry, now: number): boolean {
    const data = serializeEntry(entry);
    const size = Buffer.byteLength(data);
    return this.db.transaction((): boolean => {
      const row = this.#sql("SELECT journal_seq AS seq, journal_bytes AS bytes FROM jobs WHERE id=?").get(
        id,
      ) as { seq: number; bytes: number } | undefined;
      if (!row) return false;
      let { seq, bytes } = row;
      const insert = (text: string) => {
        seq += 1;
        bytes += Buffer.byteLength(text);
        this.#sql("INSERT INTO job_events (job_id, seq, at, data) VALUES (?, ?, ?, ?)").run(
          id,
          seq,
          now,
          text,
        );
      };
      if (bytes + size <= JOURNAL_JOB_BYTES || isEssential(entry)) insert(data);
      else if (bytes <= JOURNAL_JOB_BYTES) {
        insert(JOURNAL_FULL_NOTE);
        bytes = Math.max(bytes, JOURNAL_JOB_BYTES + 1);
      } else return true;
      this.#sql("UPDATE jobs SET journal_seq=?, journal_bytes=? WHERE id=?").run(seq, bytes, id);
      return true;
    })();
  }

  /** The job's journal after `after` (a seq), oldest first, at most `limit` events. */
  journal(id: string, after: number, limit: number): JournalEvent[] {
    const rows = this.#sql(
      "SELECT seq, at, data FROM job_events WHERE job_id=? AND seq>? ORDER BY seq LIMIT ?",
    ).all(id, after, limit) as { seq: number; at: number; data: string }[];
    return rows.flatMap((r) => parseEvent(r.seq, r.at, r.data) ?? []);
  }

  task(row: JobRow): TaskRequest {
    return upgradeTask(JSON.parse(row.task ?? "null") as TaskRequest);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
