// A job's durable record: what /jobs shows and what outlives the job (retention).
// It holds a summary of the task only — never the instruction or thread bodies.
import { createHash } from "node:crypto";
import { type TaskRequest, targetKey } from "../pipeline/task.js";

export type JobStatus =
  /** Accepted, waiting for a worker (or for an earlier job on the same target). */
  | "queued"
  | "running"
  /** A transient failure; waits for its backoff before the next attempt. */
  | "retrying"
  /** Handed back by a worker that shut down; resumes as a restart. */
  | "interrupted"
  | "succeeded"
  | "failed"
  /** Someone stopped it (`/agent stop`): it ran no further and pushed nothing. */
  | "cancelled";

export const JOB_STATUSES: readonly JobStatus[] = [
  "queued",
  "running",
  "retrying",
  "interrupted",
  "succeeded",
  "failed",
  "cancelled",
];

export interface JobRecord {
  id: string;
  deliveryId: string;
  /** "owner/repo#number" */
  target: string;
  targetKind: "issue" | "pull_request";
  trigger: { kind: TaskRequest["trigger"]["kind"]; actor: string };
  agent?: string;
  status: JobStatus;
  /** Times a worker started the job (retries and restarts included). */
  attempts: number;
  /** Times the job was picked up again after its worker died or shut down. */
  restarts: number;
  /** Epoch milliseconds. */
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  updatedAt: number;
  /** When a retrying job may run again. */
  nextRunAt?: number;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  prUrl?: string;
  /** Model conversations the job paid for: 1 for a job that ran once, retries of its publishing included. */
  agentRuns?: number;
  /** The commit the job pushed, once it did. */
  pushedSha?: string;
  /** The verification's overall result (pass, fail, …) once the job verified. */
  verdict?: string;
  /** The branch the job writes (`owner/repo:branch`), once it claimed it. */
  branch?: string;
  /** Last failure, one line. */
  error?: string;
}

/** What the pipeline may record on a job while it runs (absolute values, not increments). */
export type JobRecordPatch = Pick<
  JobRecord,
  | "agent"
  | "model"
  | "inputTokens"
  | "outputTokens"
  | "costUsd"
  | "prUrl"
  | "agentRuns"
  | "pushedSha"
  | "verdict"
> & {
  /** What the job made (JSON of ports.ts JobMade): read back by its next attempt, never shown on /jobs. */
  made?: string;
};

export type JobStats = Record<JobStatus, number>;

export function emptyStats(): JobStats {
  return { queued: 0, running: 0, retrying: 0, interrupted: 0, succeeded: 0, failed: 0, cancelled: 0 };
}

/** Jobs not yet finished: what /health calls the queue depth. */
export function queueDepth(stats: JobStats): number {
  return stats.queued + stats.running + stats.retrying + stats.interrupted;
}

export function isFinished(status: JobStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}

/**
 * The job id for a delivery: deterministic, so both adapters dedupe on it, and free of
 * characters queue backends reserve (BullMQ refuses ':' and integer-like ids).
 */
export function jobIdFor(deliveryId: string): string {
  return `job-${createHash("sha256").update(deliveryId).digest("hex").slice(0, 20)}`;
}

export function newRecord(task: TaskRequest, now: number): JobRecord {
  return {
    id: jobIdFor(task.deliveryId),
    deliveryId: task.deliveryId,
    target: targetKey(task.target),
    targetKind: task.target.kind,
    trigger: { kind: task.trigger.kind, actor: task.trigger.actor },
    agent: task.agent,
    status: "queued",
    attempts: 0,
    restarts: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** Keeps only the known patch fields with the right types (callers may pass wider objects). */
export function cleanPatch(patch: JobRecordPatch): JobRecordPatch {
  const out: JobRecordPatch = {};
  if (typeof patch.agent === "string") out.agent = patch.agent;
  if (typeof patch.model === "string") out.model = patch.model;
  if (typeof patch.prUrl === "string") out.prUrl = patch.prUrl;
  if (typeof patch.pushedSha === "string") out.pushedSha = patch.pushedSha;
  if (typeof patch.verdict === "string") out.verdict = patch.verdict;
  if (typeof patch.made === "string") out.made = patch.made;
  if (Number.isInteger(patch.agentRuns)) out.agentRuns = patch.agentRuns;
  if (Number.isFinite(patch.inputTokens)) out.inputTokens = patch.inputTokens;
  if (Number.isFinite(patch.outputTokens)) out.outputTokens = patch.outputTokens;
  if (Number.isFinite(patch.costUsd)) out.costUsd = patch.costUsd;
  return out;
}
