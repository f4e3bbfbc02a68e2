// The ports runJob walks through. The CLI and the GitHub app supply different adapters; the
// pipeline (run-job.ts) is the same for both.

import type { Budgets } from "../agent/budget.js";
import type { CodeIntelligence } from "../agent/code-intelligence.js";
import type { AgentDefinition } from "../agent/definition.js";
import type { ModelClient } from "../agent/model/model-client.js";
import type { OperatorLimits } from "../agent/operator-limits.js";
import type { AgentOutcome, AgentProgress, TranscriptEntry } from "../agent/outcome.js";
import type { Toolchain } from "../golang/toolchain.js";
import type { RepoConfig } from "../repo/config-schema.js";
import type { Services } from "../services/services.js";
import type { EvidenceTools } from "../verify/evidence/evidence.js";
import type { Verdict } from "../verify/verdict.js";
import type { CustomCheck } from "../verify/verify.js";
import type {
  BaseMerge,
  CommitOptions,
  GitPerson,
  PreparedWorkspace,
  PrepareOptions,
} from "../workspace/git-workspace-types.js";
import type { TaskRequest } from "./task.js";

export type { BaseMerge, CommitOptions, GitPerson, PreparedWorkspace, PrepareOptions, Verdict };

export interface Workspace {
  /** Clone or fetch, and check out the job's branch. Calling it again joins the first call. */
  prepare(signal?: AbortSignal): Promise<PreparedWorkspace>;
  /** Paths (relative, `/`-separated) that differ from the base: changed, added or deleted. */
  changedFiles(): Promise<string[]>;
  /** Commits every change; null when there was nothing to commit. */
  commit(options: CommitOptions): Promise<string | null>;
  /**
   * Before the push: when the remote branch moved since prepare (a person pushed), puts the
   * job's commit on its new tip. Absent where nobody else writes (a local checkout).
   */
  catchUp?(signal?: AbortSignal): Promise<CaughtUp>;
  /**
   * A base_update job: merges the base branch into the work branch, to be committed as a merge
   * commit. Absent where that cannot be done (a local checkout, commits made through GitHub's API).
   */
  mergeBase?(committer: GitPerson, signal?: AbortSignal): Promise<BaseMerge>;
  /** Publishes the branch; a local checkout has nowhere to push and says so. */
  push(signal?: AbortSignal): Promise<{ pushed: boolean }>;
  /** Removes what prepare made (a job worktree); runJob calls it after publishing. */
  dispose?(): Promise<void>;
}

export type CaughtUp =
  /** The remote branch is where the job started (or only has commits the job's already has). */
  | { kind: "current" }
  /** The job's commit was replayed onto `onto`, the branch's new tip; `sha` is the new commit. */
  | { kind: "rebased"; onto: string; sha: string }
  /** The commit does not apply on the new tip; nothing changed, `files` conflict. */
  | { kind: "conflict"; onto: string; files: string[] };

/** What the gate decided the job works on: the repository's settings and the checkout. */
export interface WorkPlan {
  config: RepoConfig;
  checkout: PrepareOptions;
}

export type GateDecision =
  | { kind: "accepted"; plan: WorkPlan }
  /** Not a job for us, or not allowed: the host has said what needed saying (or nothing). */
  | { kind: "refused"; reason: string };

/** Everything the agent reads besides its instruction, and the agent itself. */
export interface TaskContext {
  /** The task with the thread as it stood at trigger time. */
  task: TaskRequest;
  definition: AgentDefinition;
  /** The tools the agent may use (see src/repo/tool-restriction.ts). */
  tools: readonly string[];
  /** More untrusted material: the repository's instructions, a PR's files. */
  material: string;
  /** A review job's line comment ids: the agent's report answers each one (src/agent/review-answers.ts). */
  reviewCommentIds?: number[];
  /** The person who triggered the job, as a commit co-author (when known). */
  coAuthor?: GitPerson;
}

/** Stages a job moves through, in order. The tracking comment names the last four. */
export type JobStage = "cloning" | "agent" | "verifying" | "pushing";
export type JobStep = "gate" | "context" | JobStage | "publishing";

export interface CommitInfo {
  branch: string;
  baseSha: string;
  /** Whether the branch continued the remote's (a re-run) or started fresh from the base. */
  startedFrom: PreparedWorkspace["startedFrom"];
  /** Null when nothing was committed (no changes, or the run did not complete). */
  sha: string | null;
  pushed: boolean;
}

/**
 * What the queue does with a job after this run: finished (done or failed for good), run
 * again later (retry: a cause that may pass; resume: the worker stopped mid-job), refused
 * (not a job for us), or cancelled (someone stopped it).
 */
export type Disposition =
  | { kind: "done" }
  | { kind: "failed"; reason: string }
  | { kind: "retry"; afterMs: number; reason: string }
  | { kind: "resume"; reason: string }
  | { kind: "refused"; reason: string }
  | { kind: "cancelled"; reason: string }
  /** Another running job writes `branch`: run this one after it, no attempt spent. */
  | { kind: "wait"; reason: string; branch: string };

/**
 * What a job made, recorded as it is made (the job record's `made`): a later attempt of the
 * same job resumes from it. Once `result` is there the run's work is done (committed and
 * pushed, or nothing to commit): a retry only publishes it — no clone, no model, no verify.
 */
export interface JobMade {
  /** Model conversations this job has paid for (each started agent run counts once). */
  agentRuns: number;
  result?: SavedResult;
}

/** A finished run's result as the job record keeps it, for publishing again. */
export type SavedResult = Pick<JobResult, "agent" | "outcome" | "verdict" | "commit" | "step">;

/** Where the result was published, for the job record. */
export interface Published {
  prUrl?: string;
  commentUrl?: string;
}

export interface JobResult {
  task: TaskRequest;
  agent: { name: string; version: string };
  outcome: AgentOutcome;
  verdict?: Verdict;
  commit?: CommitInfo;
  durationMs: number;
  /** The last step the job reached; where it stopped when it failed. */
  step: JobStep;
  disposition: Disposition;
  /** For a refusal the person can fix (src/pipeline/job-errors.ts JobRefusal): what was wrong, in Markdown. */
  explanation?: string;
  published?: Published;
}

export interface CodeHost {
  /** Step 1: the repository's settings, the trigger checked against them, who, and where. */
  gate(task: TaskRequest): Promise<GateDecision>;
  /** Step 2: the thread, the PR, the repository's instructions, and the agent to run. */
  taskContext(task: TaskRequest, plan: WorkPlan): Promise<TaskContext>;
  /** A note the person should see with the job's progress and outcome (the operator's caps). */
  note?(markdown: string): void;
  /** Live progress: stage changes, and each turn and tool call during the agent stage. */
  reportProgress(stage: JobStage, detail: string, progress?: AgentProgress): void | Promise<void>;
  /** The end of the job: the report, the questions, or why it failed and what happens next. */
  publish(result: JobResult): Promise<Published>;
}

/**
 * What the job's page shows, appended as the job goes (the job record's journal): each step
 * with its detail, every model turn and tool call, and the verdict's rows.
 */
export type JournalEntry =
  | { kind: "step"; step: JobStep; detail: string }
  | TranscriptEntry
  | {
      kind: "verdict";
      overall: string;
      summary: string;
      rows: { name: string; status: string; summary: string; durationMs?: number }[];
    };

export interface JobDeps {
  /**
   * Appends to the job's journal (redacted and clipped by the store). Never awaited by the
   * pipeline and never fails it: the journal is for people watching, not for the job.
   */
  journal?(entry: JournalEntry): void;
  host: CodeHost;
  /** The checkout the plan names. */
  workspace(plan: WorkPlan): Workspace;
  /** The Go toolchain with the repository's `go:` settings (and module credentials) applied. */
  toolchain(plan: WorkPlan): Toolchain;
  modelClient: ModelClient;
  /** Resolves an agent's model alias (MODEL_ALIASES applied); `modelOverride` wins. */
  resolveModel(aliasOrId: string): string;
  modelOverride?: string;
  /** The app's budgets, before the repository's `budgets:`. */
  budgets?: Partial<Budgets>;
  /** Budgets that win over the repository's (the CLI's flags). */
  budgetOverrides?: Partial<Budgets>;
  /** The operator's ceilings (MAX_JOB_COST_USD, …): they win over everything above. */
  limits?: OperatorLimits;
  /** Who commits. */
  author: GitPerson;
  /** This run's number and, when a transient failure would be retried, after how long. */
  attempt?: { number: number; retryInMs?: number };
  /** Aborted when the worker shuts down (the job resumes) or the job is cancelled. */
  signal?: AbortSignal;
  /** Claims the branch the job writes (the queue's one-writer-per-branch); absent: no other writer. */
  claimBranch?(branch: string): Promise<boolean>;
  /** What earlier attempts made (resume from it). */
  made?: JobMade;
  /** Records what the job made so far, durably, before the next step. */
  onMade?(made: JobMade): Promise<void>;
  /** gopls for the agent's go_* tools, one per job, closed with it; absent, those tools say so. */
  codeIntelligence?(plan: WorkPlan, checkoutDir: string): CodeIntelligence;
  /**
   * Per-job PostgreSQL and Redis (src/services/) for the repository's `verify.services`;
   * absent, what it asks for is reported as not installed on this worker.
   */
  services?: Services;
  /** Checks verification runs after the repository's commands (golangci-lint). */
  extraChecks?(plan: WorkPlan, checkoutDir: string): CustomCheck[];
  /** Tools the evidence rows use beyond go (benchstat); absent, their rows say so. */
  evidenceTools?: EvidenceTools;
}
