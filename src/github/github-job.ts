// The job the queue runs for a GitHub trigger: who may trigger, the repository's
// configuration, the material the agent reads, then the one pipeline (runJob) with GitHub's
// adapters. A refusal (unauthorized, fork) gets one reply and nothing else; a job that
// cannot start says why in its tracking comment.
import type { Probot } from "probot";
import type { Budgets } from "../agent/budget.js";
import { DEFAULT_BUDGETS } from "../agent/budget.js";
import type { ModelClient } from "../agent/model-client.js";
import { resolveModel } from "../agent/models.js";
import type { Toolchain } from "../golang/toolchain.js";
import { PermanentError, TransientError } from "../jobs/errors.js";
import type { JobRecordPatch } from "../jobs/job-record.js";
import type { JobContext, JobHandler, QueueLogger } from "../jobs/queue.js";
import { runJob } from "../jobs/run-job.js";
import type { TaskRequest } from "../jobs/task.js";
import {
  AgentSelectionError,
  AgentToolsError,
  budgetsFor,
  defaultRepoConfig,
  loadRepoConfig,
  protectedPaths,
  type RepoConfig,
  RepoConfigError,
  triggerLabels,
} from "../repo/index.js";
import { verify } from "../verify/verify.js";
import { verifyCommands } from "../verify/verify-commands.js";
import { issueBranchName } from "../workspace/branch-name.js";
import { createRemoteWorkspace, type RemoteWorkspace } from "../workspace/remote-workspace.js";
import type { BotIdentity } from "./app-identity.js";
import { isAuthorized } from "./authorize.js";
import type { GitHubClient, IssueRef } from "./client.js";
import { findCommentWith, replyOnce } from "./comments.js";
import { GitHubCodeHost } from "./github-code-host.js";
import { openInstallation } from "./installation.js";
import { gatherMaterial, type Material } from "./job-material.js";
import { jobToolchain } from "./job-toolchain.js";
import { FORK_MARKER, UNAUTHORIZED_MARKER } from "./markers.js";
import { type PullRequestInfo, readPullRequest } from "./thread.js";
import { TrackingComment } from "./tracking-comment.js";

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
  appAgentsDir?: string;
  logger: QueueLogger;
  /** Records model, tokens and cost on the job even when it then fails. */
  record?: (jobId: string, patch: JobRecordPatch) => Promise<void>;
  /** Least time between two edits of the tracking comment. Default 3 s. */
  trackingIntervalMs?: number;
  /** Characters of thread comments given to the agent. Default 60,000. */
  maxThreadChars?: number;
}

/** Ends a job before the agent ran, after the tracking comment said why. */
class JobRefused extends PermanentError {
  override name = "JobRefused";
}

export function createGitHubJobHandler(deps: GitHubJobDeps): JobHandler {
  return async (delivered, ctx) => {
    const session = await openInstallation(deps.probot, delivered.installationId);
    const gh = session.octokit;
    const { owner, repo, number } = delivered.target;
    const issue: IssueRef = { owner, repo, number };
    // The clone URL is where git (and module downloads) send the installation token, so it
    // comes from GitHub's API, never from the payload: one signed with a leaked webhook
    // secret could name any host. Asked alongside the configuration.
    const apiRepo = gh.rest.repos.get({ owner, repo }).then(
      (r) => r.data,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    const log = (msg: string, extra: object = {}) =>
      deps.logger.info({ jobId: ctx.jobId, target: `${owner}/${repo}#${number}`, ...extra }, msg);

    let config: RepoConfig;
    let configError: RepoConfigError | undefined;
    try {
      config = await loadRepoConfig(gh, { owner, repo });
    } catch (err) {
      if (!(err instanceof RepoConfigError)) throw err;
      configError = err;
      config = defaultRepoConfig();
    }
    const repoData = await apiRepo;
    if (repoData instanceof Error) throw repoData;
    const task: TaskRequest = {
      ...delivered,
      repository: {
        ...delivered.repository,
        cloneUrl: repoData.clone_url,
        defaultBranch: repoData.default_branch,
      },
    };

    // The webhook matched the app's defaults; the repository may have chosen others.
    if (task.trigger.kind === "label" && !triggerLabels(config).includes(task.trigger.label ?? "")) {
      log("label is not a trigger in this repository", { label: task.trigger.label });
      return undefined;
    }
    if (task.trigger.command && task.trigger.command !== config.trigger.command) {
      log("command word is not this repository's", { command: task.trigger.command });
      return undefined;
    }
    const minimum = config.trigger.min_permission;
    const { allowed, permission } = await isAuthorized(gh, { owner, repo }, task.trigger.actor, minimum);
    if (!allowed) {
      log("sender may not trigger", { actor: task.trigger.actor, permission });
      await replyOnce(
        gh,
        issue,
        UNAUTHORIZED_MARKER,
        `Only people with **${minimum}** permission or higher on this repository can use \`/${config.trigger.command}\` or the \`${config.trigger.label}\` label here, so nothing was run.`,
      );
      return undefined;
    }

    let pr: PullRequestInfo | undefined;
    if (task.target.kind === "pull_request") {
      pr = await readPullRequest(gh, { owner, repo }, number);
      if (pr.isFork) {
        await replyOnce(
          gh,
          issue,
          FORK_MARKER,
          "This pull request comes from a fork, and the app cannot push to forks, so nothing was run. " +
            "Push the branch to this repository (or open the PR from a branch here) and ask again.",
        );
        return undefined;
      }
    }

    // Nothing below changes where the checkout comes from: start it now, so the clone or
    // fetch runs while the tracking comment is written and the thread is read. Refusals
    // below remove it again.
    const workspace =
      configError || (pr && pr.state !== "open")
        ? undefined
        : workspaceFor(task, config, pr, ctx, session, deps);
    workspace?.start();
    try {
      return await trackAndRun(task, { gh, session, config, configError, pr, ctx, deps, workspace });
    } catch (err) {
      // A refusal, or a failure before runJob took the workspace over (after that, runJob
      // has removed it and this is a no-op).
      await workspace?.dispose?.();
      throw err;
    }
  };
}

interface TrackScope {
  gh: GitHubClient;
  session: { token(): Promise<string> };
  config: RepoConfig;
  configError: RepoConfigError | undefined;
  pr: PullRequestInfo | undefined;
  ctx: JobContext;
  deps: GitHubJobDeps;
  /** Started early; undefined when the job is refused before it runs. */
  workspace: RemoteWorkspace | undefined;
}

/** The tracking comment, the refusals it reports, the agent's material, then the run. */
async function trackAndRun(task: TaskRequest, scope: TrackScope): Promise<JobRecordPatch> {
  const { gh, session, config, configError, pr, ctx, deps } = scope;
  const { owner, repo, number } = task.target;
  const issue: IssueRef = { owner, repo, number };
  const existing =
    ctx.attempt > 1 || ctx.restarted ? await findCommentWith(gh, issue, `job \`${ctx.jobId}\``) : undefined;
  const tracking = await TrackingComment.open(
    gh,
    issue,
    ctx.jobId,
    { stage: "queued", restarted: ctx.restarted },
    {
      actor: task.trigger.actor,
      existingId: existing?.id,
      minIntervalMs: deps.trackingIntervalMs,
      onError: (err) =>
        deps.logger.warn({ jobId: ctx.jobId, err: (err as Error).message }, "tracking comment edit failed"),
    },
  );
  const refuse = async (markdown: string, reason: string): Promise<never> => {
    await tracking.finish({ stage: "failed", conclusion: markdown });
    throw new JobRefused(reason);
  };
  if (configError) return refuse(configError.render(), configError.message);
  if (pr && pr.state !== "open") {
    return refuse(
      `Pull request #${number} is ${pr.state}; the app only works on open pull requests.`,
      "closed PR",
    );
  }

  const material = await gatherMaterial(gh, task, pr, config, deps).catch(async (err: unknown) => {
    if (err instanceof AgentSelectionError) return refuse(err.render(), err.message);
    if (err instanceof AgentToolsError) return refuse(`**${err.message}**`, err.message);
    throw err;
  });
  const workspace = scope.workspace ?? workspaceFor(task, config, pr, ctx, session, deps);
  return runOnGitHub(material, { gh, session, tracking, config, pr, ctx, deps, workspace });
}

/** The job's checkout: the PR's own branch, or the issue's branch from the base. */
function workspaceFor(
  task: TaskRequest,
  config: RepoConfig,
  pr: PullRequestInfo | undefined,
  ctx: JobContext,
  session: { token(): Promise<string> },
  deps: GitHubJobDeps,
): RemoteWorkspace {
  const baseBranch = config.base_branch ?? task.repository.defaultBranch;
  return createRemoteWorkspace(
    { dataDir: deps.dataDir, jobId: ctx.jobId, token: () => session.token() },
    pr
      ? {
          cloneUrl: task.repository.cloneUrl,
          baseBranch: pr.baseRef,
          workBranch: pr.headRef,
          existingBranch: true,
        }
      : { cloneUrl: task.repository.cloneUrl, baseBranch, workBranch: issueBranchName(task.target.number) },
  );
}

interface RunScope {
  gh: GitHubClient;
  session: { token(): Promise<string> };
  tracking: TrackingComment;
  config: RepoConfig;
  pr: PullRequestInfo | undefined;
  ctx: JobContext;
  deps: GitHubJobDeps;
  workspace: RemoteWorkspace;
}

async function runOnGitHub(material: Material, scope: RunScope): Promise<JobRecordPatch> {
  const { gh, session, tracking, config, ctx, deps, workspace } = scope;
  const { task, definition } = material;
  const { owner, repo, number } = task.target;
  const baseBranch = config.base_branch ?? task.repository.defaultBranch;
  const codeHost = new GitHubCodeHost({
    gh,
    issue: { owner, repo, number },
    tracking,
    config,
    baseBranch,
    command: config.trigger.command,
    attempt: { number: ctx.attempt, retryInMs: ctx.retryInMs },
    signal: ctx.signal,
    branchHasWork: () => workspace.startedFrom === "remote-branch",
    notes: material.notes,
  });
  const toolchain = jobToolchain(deps.toolchain, config, task, session, deps.logger);
  const checks = verifyCommands(config.verify.commands);
  const identity = await deps.identity();
  const { actor, actorId } = task.trigger;
  let result: Awaited<ReturnType<typeof runJob>>;
  try {
    result = await runJob(task, {
      workspace,
      codeHost,
      modelClient: deps.modelClient,
      toolchain,
      loadAgent: async () => definition,
      resolveModel: (m) => resolveModel(m, deps.modelAliases),
      verify: (dir, changedFiles, signal) => verify(toolchain, { dir, changedFiles, signal, ...checks }),
      budgets: budgetsFor(config, { ...DEFAULT_BUDGETS, ...deps.budgets }),
      protectedGlobs: protectedPaths(config),
      allowedTools: () => material.tools,
      extraContext: async () => material.extraContext,
      author: { name: identity.name, email: identity.email },
      ...(actorId
        ? { coAuthor: { name: actor, email: `${actorId}+${actor}@users.noreply.github.com` } }
        : {}),
      signal: ctx.signal,
    });
  } catch (err) {
    // Publishing failed (GitHub refused the PR or the comment): say so where people look.
    await tracking.finish({
      stage: "failed",
      conclusion: `**Why:** publishing the result failed: ${(err as Error).message}`,
    });
    throw err;
  }
  const { outcome } = result;
  const patch: JobRecordPatch = {
    agent: `${result.agent.name}@${result.agent.version}`,
    model: outcome.model,
    inputTokens:
      outcome.usage.input_tokens +
      outcome.usage.cache_read_input_tokens +
      outcome.usage.cache_creation_input_tokens,
    outputTokens: outcome.usage.output_tokens,
    costUsd: outcome.costUsd,
    ...(codeHost.published.prUrl ? { prUrl: codeHost.published.prUrl } : {}),
  };
  if (outcome.kind !== "failed") return patch;
  await deps.record?.(ctx.jobId, patch).catch(() => undefined);
  if (codeHost.published.handedBack === "retry") throw new TransientError(outcome.reason);
  throw new PermanentError(outcome.reason);
}
