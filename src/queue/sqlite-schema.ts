// The SQLite job table and how a row reads as a JobRecord.
import type { JobRecord, JobStatus } from "./job-record.js";

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  delivery_id TEXT NOT NULL,
  target TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  trigger_kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  agent TEXT,
  task TEXT,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  restarts INTEGER NOT NULL DEFAULT 0,
  stalls INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL,
  lease_token TEXT,
  lease_expires_at INTEGER,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL,
  model TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cost_usd REAL,
  pr_url TEXT,
  error TEXT,
  cancel_by TEXT,
  branch TEXT,
  agent_runs INTEGER,
  pushed_sha TEXT,
  verdict TEXT,
  made TEXT
);
CREATE INDEX IF NOT EXISTS jobs_target_seq ON jobs (target, seq);
CREATE INDEX IF NOT EXISTS jobs_status_run_at ON jobs (status, run_at);
CREATE INDEX IF NOT EXISTS jobs_finished_at ON jobs (finished_at);
CREATE TABLE IF NOT EXISTS job_events (
  job_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
`;

export const UNFINISHED = "('queued','running','retrying','interrupted')";

/** Columns added after the first release, for job files created before them. */
export const ADDED_COLUMNS: Record<string, string> = {
  // Who asked to stop a running job (`/agent stop`); its worker polls for it.
  cancel_by: "TEXT",
  // The branch a running job writes (owner/repo:branch): one running job per branch.
  branch: "TEXT",
  // What the job made, step by step, so a retry resumes (ports.ts JobMade), and its summary.
  agent_runs: "INTEGER",
  pushed_sha: "TEXT",
  verdict: "TEXT",
  made: "TEXT",
  // The journal's size (job_events): its last seq and its bytes, for the per-job budget.
  journal_seq: "INTEGER NOT NULL DEFAULT 0",
  journal_bytes: "INTEGER NOT NULL DEFAULT 0",
};

export interface JobRow {
  seq: number;
  id: string;
  delivery_id: string;
  target: string;
  target_kind: "issue" | "pull_request";
  trigger_kind: JobRecord["trigger"]["kind"];
  actor: string;
  agent: string | null;
  task: string | null;
  status: JobStatus;
  attempts: number;
  failures: number;
  restarts: number;
  stalls: number;
  run_at: number;
  lease_token: string | null;
  lease_expires_at: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  pr_url: string | null;
  error: string | null;
  cancel_by?: string | null;
  branch?: string | null;
  agent_runs?: number | null;
  pushed_sha?: string | null;
  verdict?: string | null;
  made?: string | null;
}

export function rowToRecord(r: JobRow): JobRecord {
  const rec: JobRecord = {
    id: r.id,
    deliveryId: r.delivery_id,
    target: r.target,
    targetKind: r.target_kind,
    trigger: { kind: r.trigger_kind, actor: r.actor },
    status: r.status,
    attempts: r.attempts,
    restarts: r.restarts,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.agent !== null) rec.agent = r.agent;
  if (r.started_at !== null) rec.startedAt = r.started_at;
  if (r.finished_at !== null) rec.finishedAt = r.finished_at;
  if (r.status === "retrying") rec.nextRunAt = r.run_at;
  if (r.model !== null) rec.model = r.model;
  if (r.input_tokens !== null) rec.inputTokens = r.input_tokens;
  if (r.output_tokens !== null) rec.outputTokens = r.output_tokens;
  if (r.cost_usd !== null) rec.costUsd = r.cost_usd;
  if (r.pr_url !== null) rec.prUrl = r.pr_url;
  if (r.agent_runs != null) rec.agentRuns = r.agent_runs;
  if (r.pushed_sha != null) rec.pushedSha = r.pushed_sha;
  if (r.verdict != null) rec.verdict = r.verdict;
  if (r.branch != null) rec.branch = r.branch;
  if (r.error !== null) rec.error = r.error;
  return rec;
}
