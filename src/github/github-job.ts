// The job the queue runs for a GitHub trigger: the one pipeline (runJob) with GitHub's
// adapters — the installation's client and tokens, the code host (gate, context, tracking
// comment, publishing), a clone of the repository, and the toolchain with the repository's
// module settings. Wiring only: every step lives in runJob.
import type { Probot } from "probot";
import type { Budgets } from "../agent/budget.js";
import type { ModelClient } from "../agent/model/model-client.js";
import { resolveModel } from "../agent/model/models.js";
import type { OperatorLimits } from "../agent/operator-limits.js";
import { forRepository, type Toolchain } from "../golang/toolchain.js";
import { goToolDeps } from "../pipeline/go-tool-deps.js";
import type { JobMade, JobResult } from "../pipeline/ports.js";
import { runJob } from "../pipeline/run-job.js";
import type { HandledJob, JobHandler, QueueLogger } from "../queue/job-queue.js";
import type { JobRecordPatch } from "../queue/job-record.js";
import type { ExtendsRule } from "../repo/extends-policy.js";
import { sharedServices } from "../services/index.js";
import { createRemoteWorkspace } from "../workspace/remote-workspace.js";
import type { BotIdentity } from "./auth/app-identity.js";
import { openInstallation } from "./auth/installation.js";
import { jobToolchain } from "./auth/private-module-toolchain.js";
import { type CommitSigning, withCommitSigning } from "./commits/signed-workspace.js";
import { jobConfigReader } from "./context/contents-api-files.js";
import { GitHubCodeHost } from "./github-code-host.js";

export interface GitHubJobDeps {
  probot: Pick<Probot, "auth">;
  dataDir: string;
  modelClient: ModelClient;
  toolchain: Toolchain;
  /** The App's bot user: commit author, and the login whose comments never trigger. */
  identity: () => Promise<BotIdentity>;
  modelAliases?: Record<string, string>;
  /** The app's budgets before a repository's overrides. */
  budgets?: Partial<Budgets>;
  /** The operator's ceilings over any repository's budgets and model. */
  limits?: OperatorLimits;
  appAgentsDir?: string;
  logger: QueueLogger;
  /** Least time between two edits of the tracking comment. Default 3 s. */
  trackingIntervalMs?: number;
  /** Waits before each new try of the tracking comment's final edit. Default 1 s, 5 s, 15 s. */
  finalRetryDelaysMs?: readonly number[];
  /** Characters of thread comments given to the agent. Default 60,000. */
  maxThreadChars?: number;
  /** COMMIT_SIGNING: the default for repositories that do not set commits.signing. */
  commitSigning?: CommitSigning;
  /** CONFIG_EXTENDS_ALLOW: repositories `_extends` may name beyond the repository and its owner's .github. */
  extendsAllow?: readonly ExtendsRule[];
  /** The host in the owner's Go module paths when it is not the clone URL's (tests: github.com). */
  moduleHost?: string;
  /** Where the session pages are served (PUBLIC_URL, with sign-in set up): comments link each job's page. */
  pagesUrl?: string;
}

export function createGitHubJobHandler(deps: GitHubJobDeps): JobHandler {
  return async (task, ctx): Promise<HandledJob> => {
    const { owner, repo, number } = task.target;
    const session = await openInstallation(
      deps.probot,
      task.installationId,
      { name: repo, ...(task.repositoryId ? { id: task.repositoryId } : {}) },
      deps.logger,
    );
    const gh = session.octokit;
    const identity = await deps.identity();
    // This repository's own Go caches (go-env.ts): shared by its jobs, by no other repository's.
    const toolchain = forRepository(deps.toolchain, `${owner}/${repo}`.toLowerCase());
    const host = new GitHubCodeHost({
      gh,
      issue: { owner, repo, number },
      jobId: ctx.jobId,
      attempt: { number: ctx.attempt, restarted: ctx.restarted },
      trackingIntervalMs: deps.trackingIntervalMs,
      finalRetryDelaysMs: deps.finalRetryDelaysMs,
      context: { appAgentsDir: deps.appAgentsDir, maxThreadChars: deps.maxThreadChars },
      logger: deps.logger,
      botLogin: identity.name,
      config: { configReader: jobConfigReader(session, owner), extendsAllow: deps.extendsAllow },
      ...(deps.pagesUrl ? { jobPageUrl: `${deps.pagesUrl}/ui/jobs/${ctx.jobId}` } : {}),
    });
    let made = parseMade(ctx.made);
    const result = await runJob(task, {
      host,
      ...(ctx.claimBranch ? { claimBranch: (branch: string) => ctx.claimBranch!(branch) } : {}),
      ...(made ? { made } : {}),
      ...(ctx.journal ? { journal: ctx.journal } : {}),
      // Each step's product reaches the job record before the next step: a retry resumes there.
      onMade: async (next) => {
        made = next;
        await ctx.record?.(madePatch(next));
      },
      workspace: ({ checkout, config }) =>
        withCommitSigning(config.commits.signing ?? deps.commitSigning ?? "git", gh, { owner, repo })(
          createRemoteWorkspace({ dataDir: deps.dataDir, jobId: ctx.jobId, token: session.token }, checkout),
        ),
      toolchain: (plan) =>
        jobToolchain(toolchain, plan, task.target, session, deps.logger, {
          moduleHost: deps.moduleHost,
        }),
      modelClient: deps.modelClient,
      resolveModel: (m) => resolveModel(m, deps.modelAliases),
      budgets: deps.budgets,
      ...(deps.limits ? { limits: deps.limits } : {}),
      author: { name: identity.name, email: identity.email },
      attempt: { number: ctx.attempt, retryInMs: ctx.retryInMs },
      signal: ctx.signal,
      ...goToolDeps(toolchain, deps.dataDir),
      services: sharedServices(deps.dataDir),
    });
    const record = recordOf(result);
    return {
      disposition: result.disposition,
      ...(record ? { record: { ...record, ...(made ? { agentRuns: made.agentRuns } : {}) } } : {}),
    };
  };
}

/** What the job record keeps of what the job made: the whole (for a retry) and its summary. */
function madePatch(made: JobMade): JobRecordPatch {
  const commit = made.result?.commit;
  const verdict = made.result?.verdict?.overall;
  return {
    made: JSON.stringify(made),
    agentRuns: made.agentRuns,
    ...(commit?.pushed && commit.sha ? { pushedSha: commit.sha } : {}),
    ...(verdict ? { verdict } : {}),
  };
}

/** An earlier attempt's record of what it made; anything unreadable counts as nothing made. */
function parseMade(raw: string | undefined): JobMade | undefined {
  if (!raw) return undefined;
  try {
    const made = JSON.parse(raw) as JobMade;
    if (!Number.isInteger(made.agentRuns)) return undefined;
    if (made.result && (typeof made.result.outcome !== "object" || !made.result.agent)) {
      return { agentRuns: made.agentRuns };
    }
    return made;
  } catch {
    return undefined;
  }
}

/** What a run leaves on the job's record: the agent, what it cost, the PR. */
export function recordOf(result: JobResult): JobRecordPatch | undefined {
  if (result.disposition.kind === "refused") return undefined;
  const { outcome } = result;
  const u = outcome.usage;
  return {
    ...(result.agent.version ? { agent: `${result.agent.name}@${result.agent.version}` } : {}),
    ...(outcome.model ? { model: outcome.model } : {}),
    inputTokens: u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
    outputTokens: u.output_tokens,
    costUsd: outcome.costUsd,
    ...(result.published?.prUrl ? { prUrl: result.published.prUrl } : {}),
  };
}
