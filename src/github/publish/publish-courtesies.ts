// The courtesies around a job's published result (src/github/publish/courtesy.ts): the check run,
// the needs-info label, and a pull request's reviewers and labels.
import type { JobResult } from "../../pipeline/ports.js";
import type { RepoConfig } from "../../repo/index.js";
import type { GitHubClient, IssueRef } from "../auth/client.js";
import { publishCheckRun } from "./check-run.js";
import type { Courtesy } from "./courtesy.js";
import { addLabel, NEEDS_INFO_LABEL, removeLabel } from "./labels.js";
import { jobMarker } from "./markers.js";
import type { PublishedPullRequest } from "./pull-request.js";
import { renderCheckRunOutput } from "./render-verdict.js";
import { checkRunText, clippedRunLog } from "./run-log.js";

/** The verdict as a check run on the pushed commit, one per job (found again by external_id). */
export function checkRunCourtesy(
  gh: GitHubClient,
  issue: IssueRef,
  result: JobResult,
  jobId: string,
): Courtesy[] {
  const { commit, verdict } = result;
  if (!commit?.sha || !verdict) return [];
  const sha = commit.sha;
  return [
    {
      failure: "check run not created",
      permission: "Checks (write)",
      run: () => {
        const output = renderCheckRunOutput(verdict);
        const text = checkRunText(clippedRunLog(result, 30_000), output.text);
        return publishCheckRun(gh, issue, sha, { ...output, text }, { externalId: jobId });
      },
    },
  ];
}

/** Adds the needs-info label (the agent asked) or removes it (the job finished). */
export function needsInfoCourtesy(gh: GitHubClient, issue: IssueRef, action: "add" | "remove"): Courtesy {
  return {
    failure: `label "${NEEDS_INFO_LABEL}" not ${action === "add" ? "added" : "removed"}`,
    permission: "Issues (write)",
    run: () => (action === "add" ? addLabel : removeLabel)(gh, issue, NEEDS_INFO_LABEL),
  };
}

/** Reviewers (on a PR this job made) and labels. */
export function pullRequestCourtesies(
  gh: GitHubClient,
  issue: IssueRef,
  config: RepoConfig,
  result: JobResult,
  pr: PublishedPullRequest,
  jobId: string,
): Courtesy[] {
  const { reviewers, team_reviewers: teams, labels } = config.pull_request;
  const actor = result.task.trigger.actor.toLowerCase();
  const people = reviewers.filter((r) => r.toLowerCase() !== actor);
  // An earlier attempt of this job may have opened the PR and stopped before asking.
  const ours = pr.created || Boolean(pr.previousBody?.includes(jobMarker(jobId)));
  const list: Courtesy[] = [];
  if (ours && (people.length || teams.length)) {
    list.push({
      failure: "reviewers not requested",
      permission: "Pull requests (write)",
      run: () =>
        gh.rest.pulls.requestReviewers({
          owner: issue.owner,
          repo: issue.repo,
          pull_number: pr.number,
          reviewers: people,
          team_reviewers: teams,
        }),
    });
  }
  if (labels.length) {
    list.push({
      failure: `labels not added (${labels.join(", ")})`,
      permission: "Issues (write)",
      run: () =>
        gh.rest.issues.addLabels({ owner: issue.owner, repo: issue.repo, issue_number: pr.number, labels }),
    });
  }
  return list;
}
