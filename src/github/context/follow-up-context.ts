// The context step's part for the follow-up triggers: a review's line comments, or the
// failing check's output. Other triggers need nothing here.
import type { TaskRequest } from "../../pipeline/task.js";
import { capText, sanitizeUntrusted } from "../../triggers/sanitize.js";
import type { GitHubClient } from "../auth/client.js";
import { failingCheckMaterial } from "./check-context.js";
import { type ReviewLineComment, reviewMaterial } from "./review-context.js";
import type { PullRequestInfo } from "./thread.js";

export interface FollowUpMaterial {
  text: string;
  paths: string[];
  /** The review's line comments, answered in their threads when the job publishes. */
  reviewComments?: ReviewLineComment[];
  /** The PR's title, for a trigger whose payload had none (a check run). */
  title?: string;
}

export async function followUpMaterial(
  gh: GitHubClient,
  task: TaskRequest,
  pr: PullRequestInfo | undefined,
): Promise<FollowUpMaterial | undefined> {
  const { trigger } = task;
  const { owner, repo, number } = task.target;
  if (trigger.kind === "pr_review") {
    const review = await reviewMaterial(gh, { owner, repo }, number, trigger.reviewId);
    return { text: review.text, paths: review.paths, reviewComments: review.comments };
  }
  if (trigger.kind === "ci_failure") {
    const check = await failingCheckMaterial(gh, { owner, repo }, trigger);
    const title = pr ? capText(sanitizeUntrusted(pr.title), 500) : undefined;
    return { ...check, ...(title ? { title } : {}) };
  }
  return undefined;
}
