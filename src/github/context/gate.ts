// Step 1 of a GitHub job: the repository's configuration, the trigger checked against it,
// who triggered it, and where the work happens. Quiet refusals (not a trigger here) log and
// say nothing; refusals people must hear of (not allowed, a fork) get one reply per issue;
// what they can fix (an invalid file, a closed PR) ends the job with its reason.
// The clone URL is where git (and module downloads) send the installation token, so it
// comes from GitHub's API, never from the payload: one signed with a leaked webhook secret
// could name any host.
import { JobRefusal } from "../../pipeline/job-errors.js";
import type { GateDecision, WorkPlan } from "../../pipeline/ports.js";
import type { TaskRequest } from "../../pipeline/task.js";
import type { ExtendsRule } from "../../repo/extends-policy.js";
import { defaultRepoConfig, loadRepoConfig, type RepoConfig, RepoConfigError } from "../../repo/index.js";
import type { ConfigFileReader } from "../../repo/repo-config.js";
import { repoTriggers, triggerMismatch } from "../../triggers/match.js";
import { issueBranchName } from "../../workspace/branch-name.js";
import type { GitHubClient, IssueRef } from "../auth/client.js";
import { replyOnce } from "../publish/comments.js";
import { FORK_MARKER, UNAUTHORIZED_MARKER } from "../publish/markers.js";
import { isAuthorized } from "../webhook/authorize.js";
import { unauthorizedReply } from "../webhook/unauthorized.js";
import { githubConfigReader } from "./contents-api-files.js";
import { followUpGate } from "./follow-up-gate.js";
import { type PullRequestInfo, readPullRequest } from "./thread.js";

export interface GateFacts {
  /** The repository as GitHub's API describes it. */
  repo: { cloneUrl: string; defaultBranch: string };
  /** For a PR job: the pull request as it is now. */
  pr?: PullRequestInfo;
}

export interface GateResult {
  decision: GateDecision;
  facts?: GateFacts;
  /** Set once the job is accepted but cannot run: the reason, for the tracking comment. */
  refusal?: JobRefusal;
  /** For the tracking comment from the start (a CI fix's attempt count). */
  note?: string;
}

export interface GateOptions {
  /** The App's bot user (`<slug>[bot]`): whose pull requests reviews and CI fixes follow up. */
  botLogin?: string;
  jobId?: string;
  /** Reads configuration files; the job's client for every repository when absent. */
  configReader?: ConfigFileReader;
  /** CONFIG_EXTENDS_ALLOW. */
  extendsAllow?: readonly ExtendsRule[];
}

export async function gateOnGitHub(
  gh: GitHubClient,
  task: TaskRequest,
  log: (msg: string, extra?: object) => void,
  options: GateOptions = {},
): Promise<GateResult> {
  const { owner, repo, number } = task.target;
  const issue: IssueRef = { owner, repo, number };
  const apiRepo = gh.rest.repos.get({ owner, repo });
  apiRepo.catch(() => undefined);
  let config: RepoConfig;
  let refusal: JobRefusal | undefined;
  try {
    config = await loadRepoConfig(
      options.configReader ?? githubConfigReader(gh),
      { owner, repo },
      { extendsAllow: options.extendsAllow },
    );
    const mismatch = triggerMismatch(task.trigger, repoTriggers(config));
    if (mismatch) {
      log("not a trigger in this repository", { reason: mismatch });
      return { decision: { kind: "refused", reason: mismatch } };
    }
  } catch (err) {
    if (!(err instanceof RepoConfigError)) throw err;
    // Still checked below: only someone allowed to trigger hears about the file.
    refusal = new JobRefusal(err.message, err.render());
    config = defaultRepoConfig();
  }

  const minimum = config.trigger.min_permission;
  // A failing check has no person behind it: the bot's own PR is what allows it (follow-up-gate.ts).
  const automatic =
    task.trigger.kind === "ci_failure" ||
    (task.trigger.kind === "base_update" && task.trigger.via === "push");
  const { allowed, permission } = automatic
    ? { allowed: true, permission: "none" }
    : await isAuthorized(gh, { owner, repo }, task.trigger.actor, minimum);
  if (!allowed) {
    log("sender may not trigger", { actor: task.trigger.actor, permission });
    await replyOnce(gh, issue, UNAUTHORIZED_MARKER, unauthorizedReply(config, "run"));
    return {
      decision: { kind: "refused", reason: `@${task.trigger.actor} may not trigger (${permission})` },
    };
  }

  const { data } = await apiRepo;
  const facts: GateFacts = { repo: { cloneUrl: data.clone_url, defaultBranch: data.default_branch } };
  let note: string | undefined;
  if (task.target.kind === "pull_request") {
    facts.pr = await readPullRequest(gh, { owner, repo }, number);
    if (facts.pr.isFork) {
      await replyOnce(
        gh,
        issue,
        FORK_MARKER,
        "This pull request comes from a fork, and the app cannot push to forks, so nothing was run. " +
          "Push the branch to this repository (or open the PR from a branch here) and ask again.",
      );
      return { decision: { kind: "refused", reason: "the pull request comes from a fork" } };
    }
    const followUp = await followUpGate({ gh, task, config, pr: facts.pr, log, ...options });
    if ("refused" in followUp) {
      log("follow-up not taken", { reason: followUp.refused });
      return { decision: { kind: "refused", reason: followUp.refused } };
    }
    note = followUp.note;
    if (facts.pr.state !== "open" && !refusal) {
      refusal = new JobRefusal(
        `closed PR #${number}`,
        `Pull request #${number} is ${facts.pr.state}; the app only works on open pull requests.`,
      );
    }
  }
  return { decision: { kind: "accepted", plan: workPlan(task, config, facts) }, facts, refusal, note };
}

/** The PR's own branch, or the issue's branch from the configured base. */
function workPlan(task: TaskRequest, config: RepoConfig, facts: GateFacts): WorkPlan {
  const { cloneUrl } = facts.repo;
  const checkout = facts.pr
    ? { cloneUrl, baseBranch: facts.pr.baseRef, workBranch: facts.pr.headRef, existingBranch: true }
    : {
        cloneUrl,
        baseBranch: config.base_branch ?? facts.repo.defaultBranch,
        workBranch: issueBranchName(task.target.number),
      };
  return { config, checkout };
}
