// The context step's part for the follow-up triggers: a review's line comments, or what the
// failing CI said (a check run, a check suite or a commit status). Other triggers need nothing here.
import type { TaskRequest } from "../../pipeline/task.js";
import { capText, sanitizeUntrusted } from "../../triggers/sanitize.js";
import type { GitHubClient } from "../auth/client.js";
import { ciFailureMaterial } from "./ci-context.js";
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

export interface FollowUpOptions {
  /** Where GitHub's web pages live (a status's target is read only when it is one of them). */
  webOrigin?: string;
  /** The App's slug: its own checks are never material. */
  appSlug?: string;
}

export async function followUpMaterial(
  gh: GitHubClient,
  task: TaskRequest,
  pr: PullRequestInfo | undefined,
  options: FollowUpOptions = {},
): Promise<FollowUpMaterial | undefined> {
  const { trigger } = task;
  const { owner, repo, number } = task.target;
  if (trigger.kind === "pr_review") {
    const review = await reviewMaterial(gh, { owner, repo }, number, trigger.reviewId);
    return { text: review.text, paths: review.paths, reviewComments: review.comments };
  }
  if (trigger.kind === "ci_failure") {
    const check = await ciFailureMaterial(gh, { owner, repo }, trigger, options);
    const title = pr ? capText(sanitizeUntrusted(pr.title), 500) : undefined;
    return { ...check, ...(title ? { title } : {}) };
  }
  return undefined;
}
