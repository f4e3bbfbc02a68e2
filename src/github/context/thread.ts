// Reads an issue or PR thread as it stood when the job was triggered: later comments,
// and the bot's own tracking comments, are left out, and a comment edited since then is
// shown only as a placeholder (GitHub's API gives no earlier text): whoever triggered the job
// saw the thread as it was, so an edit made afterwards must not reach the agent. Everything
// here is untrusted.
import type { ThreadComment } from "../../pipeline/task.js";
import { capText, sanitizeUntrusted } from "../../triggers/sanitize.js";
import { type GitHubClient, type IssueRef, type RepoRef, statusOf } from "../auth/client.js";
import { TRACKING_MARKER } from "../publish/markers.js";

/** What the agent reads instead of a comment that changed after the job was triggered. */
export const EDITED_PLACEHOLDER =
  "[this comment was edited after the job was triggered; its text is left out]";

export async function readThread(
  gh: GitHubClient,
  issue: IssueRef,
  until: string,
  maxChars: number,
  /** Comments to leave out: the triggering one, whose instruction the task already holds. */
  exclude: readonly number[] = [],
): Promise<ThreadComment[]> {
  const comments = await gh.paginate(gh.rest.issues.listComments, {
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    per_page: 100,
  });
  const cutoff = Date.parse(until);
  const out: ThreadComment[] = [];
  let budget = maxChars;
  for (const c of comments) {
    if (!Number.isNaN(cutoff) && Date.parse(c.created_at) > cutoff) continue;
    if (c.body?.includes(TRACKING_MARKER) || exclude.includes(c.id)) continue;
    const edited = !Number.isNaN(cutoff) && Date.parse(c.updated_at) > cutoff;
    const body = edited ? EDITED_PLACEHOLDER : capText(sanitizeUntrusted(c.body), Math.max(0, budget));
    budget -= body.length;
    out.push({ author: c.user?.login ?? "ghost", body });
    if (budget <= 0) break;
  }
  return out;
}

export interface PullRequestInfo {
  number: number;
  title: string;
  body: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  headRepoFullName: string | null;
  isFork: boolean;
  state: string;
  /** Who opened it (the bot's PRs are answered by reviews and CI fixes). */
  author?: string;
}

export class PullRequestNotFoundError extends Error {
  override name = "PullRequestNotFoundError";
}

export async function readPullRequest(
  gh: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<PullRequestInfo> {
  try {
    const { data } = await gh.rest.pulls.get({ ...repo, pull_number: number });
    const headRepo = data.head.repo?.full_name ?? null;
    return {
      number,
      title: data.title,
      body: data.body ?? "",
      headRef: data.head.ref,
      headSha: data.head.sha,
      baseRef: data.base.ref,
      headRepoFullName: headRepo,
      isFork: headRepo !== `${repo.owner}/${repo.repo}`,
      state: data.state,
      author: data.user?.login,
    };
  } catch (err) {
    if (statusOf(err) === 404) throw new PullRequestNotFoundError(`pull request #${number} was not found`);
    throw err;
  }
}
