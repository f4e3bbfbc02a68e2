// Comment helpers: replies that must appear at most once per issue.
import type { GitHubClient, IssueRef } from "../auth/client.js";

export async function findCommentWith(gh: GitHubClient, issue: IssueRef, marker: string) {
  const comments = await gh.paginate(gh.rest.issues.listComments, {
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    per_page: 100,
  });
  return comments.find((c) => c.body?.includes(marker));
}

/** Posts `body` unless a comment carrying `marker` is already on the issue. */
export async function replyOnce(
  gh: GitHubClient,
  issue: IssueRef,
  marker: string,
  body: string,
): Promise<boolean> {
  if (await findCommentWith(gh, issue, marker)) return false;
  await gh.rest.issues.createComment({
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    body: `${marker}\n${body}`,
  });
  return true;
}
