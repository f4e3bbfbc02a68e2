// The gate's rules for the two follow-ups on the bot's own pull requests. A review that asks
// by its state alone needs the repository's opt-in and a PR the bot opened. A failing check
// needs the bot's open PR whose head it ran on, CI fixing left on, no failure of the same
// check on the base branch (then it is not the bot's to fix: said once), and an attempt left
// (counted across heads from hidden markers in the bot's tracking comments, so the count
// survives restarts; at the limit it says once that it stopped). The bot never chases its
// own pushes: every automatic job is bounded here.
import type {
  BaseUpdateTrigger,
  CiFailureTrigger,
  PrReviewTrigger,
  TaskRequest,
} from "../../pipeline/task.js";
import type { RepoConfig } from "../../repo/config-schema.js";
import type { GitHubClient, IssueRef } from "../auth/client.js";
import { replyOnce } from "../publish/comments.js";
import {
  CI_FIX_ATTEMPT_MARKER,
  CI_FIX_LIMIT_MARKER,
  CI_PREEXISTING_MARKER_PREFIX,
  UPDATE_PERSONS_PR_MARKER,
} from "../publish/markers.js";
import type { PullRequestInfo } from "./thread.js";

export interface FollowUpFacts {
  gh: GitHubClient;
  task: TaskRequest;
  config: RepoConfig;
  pr: PullRequestInfo;
  /** `<slug>[bot]`; unknown means no PR can be told to be the bot's. */
  botLogin?: string;
  jobId?: string;
  log: (msg: string, extra?: object) => void;
}

/** A refusal (quiet, or after the one reply it needs), or a note for the tracking comment. */
export type FollowUpDecision = { refused: string } | { note?: string };

const FAILED = new Set(["failure", "timed_out"]);
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function isBotsPr(f: FollowUpFacts): boolean {
  return Boolean(f.botLogin && f.pr.author && f.pr.author.toLowerCase() === f.botLogin.toLowerCase());
}

export async function followUpGate(f: FollowUpFacts): Promise<FollowUpDecision> {
  const { trigger } = f.task;
  if (trigger.kind === "pr_review") return reviewGate(f, trigger);
  if (trigger.kind === "ci_failure") return ciGate(f, trigger);
  if (trigger.kind === "base_update") return updateGate(f, trigger);
  return {};
}

/**
 * A base update runs on the bot's own open PR only (a person's branch is theirs to merge); a
 * base-branch push only where the repository opted in (`pull_request.keep_up_to_date`).
 */
async function updateGate(f: FollowUpFacts, trigger: BaseUpdateTrigger): Promise<FollowUpDecision> {
  if (trigger.via === "push" && !f.config.pull_request.keep_up_to_date) {
    return { refused: "pull_request.keep_up_to_date is not on" };
  }
  if (!isBotsPr(f)) {
    if (trigger.via === "command") {
      const { owner, repo, number } = f.task.target;
      await replyOnce(
        f.gh,
        { owner, repo, number },
        UPDATE_PERSONS_PR_MARKER,
        "`/agent update` keeps the app's own pull requests up to date with their base; this one is a person's, so the app leaves its branch alone. Use GitHub's **Update branch** button, or merge the base yourself.",
      );
    }
    return { refused: "the pull request is a person's, not the bot's" };
  }
  if (f.pr.state !== "open") return { refused: `the pull request is ${f.pr.state}` };
  if (trigger.via === "push" && trigger.baseSha) f.log("updating from the base", { base: f.pr.baseRef });
  return {};
}

function reviewGate(f: FollowUpFacts, trigger: PrReviewTrigger): FollowUpDecision {
  if (trigger.reviewCommand !== undefined) return {};
  if (f.config.pull_request.on_review !== "changes_requested") {
    return { refused: "a review without a command, and pull_request.on_review is not changes_requested" };
  }
  if (trigger.reviewState !== "changes_requested") return { refused: "the review does not request changes" };
  if (!isBotsPr(f)) return { refused: "changes were requested on a pull request the bot did not open" };
  return {};
}

async function ciGate(f: FollowUpFacts, trigger: CiFailureTrigger): Promise<FollowUpDecision> {
  const { gh, pr, config } = f;
  const { owner, repo, number } = f.task.target;
  const issue: IssueRef = { owner, repo, number };
  if (!config.ci_fix.enabled) return { refused: "ci_fix.enabled is false" };
  if (!isBotsPr(f)) return { refused: "the pull request is a person's, not the bot's" };
  if (pr.state !== "open") return { refused: `the pull request is ${pr.state}` };
  if (pr.headSha.toLowerCase() !== trigger.headSha) {
    return { refused: "the check ran on an older head: the pull request has moved on" };
  }
  // Only a check run can be looked up on the base by name (reading statuses needs a permission jobs do not ask for).
  const checkRun = trigger.source === undefined || trigger.source === "check_run";
  if (checkRun && (await failsOnBase(gh, { owner, repo }, pr.baseRef, trigger.checkName))) {
    await replyOnce(
      gh,
      issue,
      `${CI_PREEXISTING_MARKER_PREFIX}${encodeURIComponent(trigger.checkName)} -->`,
      `The check ${code(trigger.checkName)} fails on this pull request, but it also fails on the head of \`${pr.baseRef}\`: the failure is pre-existing, so the app does not try to fix it here.`,
    );
    return { refused: `${trigger.checkName} fails on ${pr.baseRef} too (pre-existing)` };
  }
  const max = config.ci_fix.max_attempts;
  const done = await attemptsSoFar(f);
  if (done >= max) {
    await replyOnce(
      gh,
      issue,
      CI_FIX_LIMIT_MARKER,
      `The app tried ${max} time${max === 1 ? "" : "s"} to fix this pull request's failing CI (\`ci_fix.max_attempts\`) and has stopped trying. The last failure was ${code(trigger.checkName)} on \`${trigger.headSha.slice(0, 12)}\`; a person needs to look at it.`,
    );
    return { refused: `ci_fix.max_attempts (${max}) reached` };
  }
  f.log("fixing a failing check", { check: trigger.checkName, attempt: done + 1, max });
  return {
    note: `${CI_FIX_ATTEMPT_MARKER}\n_Fixing the failing ${whatFailed(trigger)} ${code(trigger.checkName)} (attempt ${done + 1} of ${max})._`,
  };
}

/** "check", "status" or "check suite": what reported the failure, in words. */
function whatFailed(trigger: CiFailureTrigger): string {
  return trigger.source === "status" ? "status" : trigger.source === "check_suite" ? "check suite" : "check";
}

/** The bot's earlier CI-fix jobs on this PR (this job's own comment, on a re-run, excluded). */
async function attemptsSoFar(f: FollowUpFacts): Promise<number> {
  const { owner, repo, number } = f.task.target;
  const comments = await f.gh.paginate(f.gh.rest.issues.listComments, {
    owner,
    repo,
    issue_number: number,
    per_page: 100,
  });
  const own = f.jobId ? `job \`${f.jobId}\`` : undefined;
  return comments.filter(
    (c) =>
      c.user?.login.toLowerCase() === f.botLogin?.toLowerCase() &&
      c.body?.includes(CI_FIX_ATTEMPT_MARKER) &&
      !(own && c.body.includes(own)),
  ).length;
}

/** Whether the same check's latest run on the base branch's head failed. */
async function failsOnBase(
  gh: GitHubClient,
  repo: { owner: string; repo: string },
  baseRef: string,
  checkName: string,
): Promise<boolean> {
  const { data } = await gh.rest.checks.listForRef({
    ...repo,
    ref: `heads/${baseRef}`,
    check_name: checkName,
    filter: "latest",
    per_page: 20,
  });
  return data.check_runs.some((r) => r.name === checkName && FAILED.has(r.conclusion ?? ""));
}
