// The bot's pull request for a job: opened (or updated, when the branch has one) with the merged
// report, the latest verdict and the job history in its body; and a follow-up job on the bot's
// own PR (a review round, a CI fix, a base update) merging its report into that body, so the PR
// reads as a whole. A person's PR keeps its body.
import type { CompletedOutcome } from "../../agent/outcome.js";
import type { JobResult } from "../../pipeline/ports.js";
import type { QueueLogger } from "../../queue/job-queue.js";
import type { RepoConfig } from "../../repo/index.js";
import type { GitHubClient, IssueRef } from "../auth/client.js";
import { jobMarker } from "./markers.js";
import { type RunFacts, renderPullRequestBody } from "./pr-body.js";
import {
  historyEntry,
  mergeReport,
  type PrBodyState,
  readPrState,
  renderHistory,
  renderMergedReport,
  renderPrState,
  stateFromBody,
} from "./pr-history.js";
import { type PublishedPullRequest, upsertPullRequest } from "./pull-request.js";
import { clippedRunLog, runLogDetails } from "./run-log.js";

/** GitHub's limit on an issue comment or PR body is 65,536 characters. */
const MAX_BODY = 60_000;

export function clipBody(text: string): string {
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}\n\n… (cut: GitHub's size limit)` : text;
}

export interface JobPullRequestContext {
  gh: GitHubClient;
  issue: IssueRef;
  jobId: string;
  logger: QueueLogger;
  config: RepoConfig;
  /** The branch an issue job's PR goes into. */
  baseBranch: string;
  /** The App's bot user: only its own PRs have their body rewritten. */
  botLogin?: string;
  jobPageUrl?: string;
}

/** The body of the bot's PR as a whole: the merged report, the latest verdict, the history. */
function wholeBody(
  ctx: JobPullRequestContext,
  state: PrBodyState,
  verification: string,
  facts: RunFacts,
  runLog?: string,
): string {
  const rendered = renderPullRequestBody({
    sections: [],
    mergedReport: renderMergedReport(state),
    history: renderHistory(state.history),
    verification,
    ...(state.closes ? { closes: state.closes } : {}),
    facts,
    ...(runLog ? { runLog } : {}),
    ...(ctx.jobPageUrl ? { jobPageUrl: ctx.jobPageUrl } : {}),
  });
  // The state first: a body clipped to GitHub's limit loses its end, never what the next job merges.
  return clipBody(`${renderPrState(state)}\n${rendered}\n\n${jobMarker(ctx.jobId)}`);
}

/** An issue job's pull request, draft unless the verdict is green (`pull_request.draft`). */
export async function publishPullRequest(
  ctx: JobPullRequestContext,
  result: JobResult,
  outcome: CompletedOutcome,
  verification: string,
  facts: RunFacts,
): Promise<{ pr: PublishedPullRequest; body: string }> {
  const { gh, issue, config } = ctx;
  const green = !result.verdict || result.verdict.overall === "pass" || result.verdict.overall === "skipped";
  const policy = config.pull_request.draft;
  const draft = policy === "always" || (policy === "when-not-green" && !green);
  const runLog = runLogDetails(clippedRunLog(result, 15_000));
  let body = "";
  const pr = await upsertPullRequest(gh, {
    owner: issue.owner,
    repo: issue.repo,
    head: result.commit!.branch,
    base: ctx.baseBranch,
    title: result.task.context.title.slice(0, 250) || `Changes for #${issue.number}`,
    // An open PR's earlier jobs stay in its body: this job's report merges into them.
    body: (previous) => {
      const prior = previous === undefined ? undefined : (readPrState(previous) ?? stateFromBody(previous));
      body = wholeBody(
        ctx,
        { ...mergeReport(prior, outcome.sections, historyEntry(result, ctx.jobId)), closes: issue.number },
        verification,
        facts,
        runLog,
      );
      return body;
    },
    draft,
  });
  return { pr, body };
}

/** A follow-up job on the bot's own PR that pushed: its report merges into the PR body. */
export async function updateOwnPullRequest(
  ctx: JobPullRequestContext,
  pr: { author?: string } | undefined,
  result: JobResult,
  outcome: CompletedOutcome,
  verification: string,
  facts: RunFacts,
): Promise<void> {
  const { gh, issue, jobId, logger, botLogin } = ctx;
  if (!pr || !botLogin || pr.author?.toLowerCase() !== botLogin.toLowerCase()) return;
  try {
    const { data } = await gh.rest.pulls.get({
      owner: issue.owner,
      repo: issue.repo,
      pull_number: issue.number,
    });
    const prior = readPrState(data.body) ?? stateFromBody(data.body);
    const state = mergeReport(prior, outcome.sections, historyEntry(result, jobId));
    await gh.rest.pulls.update({
      owner: issue.owner,
      repo: issue.repo,
      pull_number: issue.number,
      body: wholeBody(ctx, state, verification, facts),
    });
  } catch (err) {
    // The report is on the PR already as a comment; the body catches up at the next job.
    logger.warn({ jobId, err: (err as Error).message }, "could not update the pull request's body");
  }
}
