// The ports runJob walks through. The CLI and the GitHub app supply different adapters;
// the pipeline (run-job.ts) is the same for both.
import type { Budgets } from "../agent/budget.js";
import type { AgentDefinition } from "../agent/definition.js";
import type { ModelClient } from "../agent/model-client.js";
import type { AgentOutcome, AgentProgress } from "../agent/outcome.js";
import type { Toolchain } from "../golang/toolchain.js";
import type { Verdict } from "../verify/verdict.js";
import type { TaskRequest } from "./task.js";

export type { Verdict };

export interface PreparedWorkspace {
  /** The checkout the agent works in. */
  dir: string;
  /** The branch the job commits to. */
  branch: string;
  /** The commit the branch started from. */
  baseSha: string;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export interface Workspace {
  /** Clone or fetch, and check out the job's branch. */
  prepare(signal?: AbortSignal): Promise<PreparedWorkspace>;
  /** Paths (relative, `/`-separated) that differ from the base: changed, added or deleted. */
  changedFiles(): Promise<string[]>;
  /** Commits every change; null when there was nothing to commit. */
  commit(options: CommitRequest): Promise<string | null>;
  /** Publishes the branch; a local checkout has nowhere to push and says so. */
  push(signal?: AbortSignal): Promise<{ pushed: boolean }>;
  /** Removes what prepare made (a job worktree); runJob calls it after publishing. */
  dispose?(): Promise<void>;
}

/** Same shape as the git workspace's CommitOptions. */
export interface CommitRequest {
  message: string;
  author: GitIdentity;
  /** Added as a `Co-authored-by:` trailer. */
  coAuthor?: GitIdentity;
  /** Paths (relative to the checkout) left out of the commit: files verification itself wrote. */
  exclude?: string[];
}

/** Stages a job moves through, named like the tracking comment's. */
export type JobStage = "cloning" | "agent" | "verifying" | "pushing";

/** The bot's own checks (src/golang/verify.ts, bound to a toolchain). */
export type Verify = (checkoutDir: string, changedFiles: string[], signal?: AbortSignal) => Promise<Verdict>;

export interface CommitInfo {
  branch: string;
  baseSha: string;
  /** Null when nothing was committed (no changes, or the run did not complete). */
  sha: string | null;
  pushed: boolean;
}

export interface JobResult {
  task: TaskRequest;
  agent: { name: string; version: string };
  outcome: AgentOutcome;
  verdict?: Verdict;
  commit?: CommitInfo;
  durationMs: number;
}

export interface CodeHost {
  /** Live progress: stage changes, and each turn and tool call during the agent stage. */
  reportProgress(stage: JobStage, detail: string, progress?: AgentProgress): void | Promise<void>;
  /** The end of the job: the report, the questions, or why it failed. */
  publish(result: JobResult): Promise<void>;
}

export interface JobDeps {
  workspace: Workspace;
  codeHost: CodeHost;
  modelClient: ModelClient;
  toolchain: Toolchain;
  /** Loads the agent by name (the task's choice, or the default when undefined). */
  loadAgent(name: string | undefined, checkoutDir: string): Promise<AgentDefinition>;
  /** Resolves the definition's model alias (MODEL_ALIASES applied); `modelOverride` wins. */
  resolveModel(aliasOrId: string): string;
  modelOverride?: string;
  verify?: Verify;
  budgets?: Partial<Budgets>;
  protectedGlobs?: string[];
  /** The tools the agent may use (see src/repo/tool-restriction.ts); default all. */
  allowedTools?(definition: AgentDefinition): readonly string[];
  /** More untrusted material for the model (a PR diff, repository instructions). */
  extraContext?(checkoutDir: string): Promise<string>;
  /** Who commits; the person who triggered the job is added as co-author when known. */
  author: GitIdentity;
  coAuthor?: GitIdentity;
  signal?: AbortSignal;
}
