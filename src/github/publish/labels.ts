import { type GitHubClient, type IssueRef, statusOf } from "../auth/client.js";

export const NEEDS_INFO_LABEL = "backend-go: needs-info";

export async function addLabel(gh: GitHubClient, issue: IssueRef, name: string): Promise<void> {
  await gh.rest.issues.addLabels({
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    labels: [name],
  });
}

/**
 * Removes the label when the issue has it. Looked up first: a DELETE is a write, which
 * Probot's throttle spaces a second from the installation's previous write, while a read
 * is not spaced, and most issues never had the label.
 */
export async function removeLabel(gh: GitHubClient, issue: IssueRef, name: string): Promise<void> {
  const has = await gh.rest.issues
    .get({ owner: issue.owner, repo: issue.repo, issue_number: issue.number })
    .then(
      ({ data }) =>
        data.labels.some((l) => (typeof l === "string" ? l : l.name)?.toLowerCase() === name.toLowerCase()),
      () => true,
    );
  if (!has) return;
  try {
    await gh.rest.issues.removeLabel({
      owner: issue.owner,
      repo: issue.repo,
      issue_number: issue.number,
      name,
    });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}
