import type { ProbotOctokit } from "probot";
import type { RepoRef } from "../../repo/repo-files.js";

/** An authenticated GitHub REST client (Probot's Octokit, with throttling and retries). */
export type GitHubClient = InstanceType<typeof ProbotOctokit>;

export type { RepoRef };

export interface IssueRef extends RepoRef {
  number: number;
}

/** HTTP status of an Octokit error, if it has one. */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}
