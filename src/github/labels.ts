import { type GitHubClient, type IssueRef, statusOf } from "./client.js";

export const NEEDS_INFO_LABEL = "backend-go: needs-info";

export async function addLabel(gh: GitHubClient, issue: IssueRef, name: string): Promise<void> {
  await gh.rest.issues.addLabels({
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    labels: [name],
  });
}

export async function removeLabel(gh: GitHubClient, issue: IssueRef, name: string): Promise<void> {
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
