// The pull request a failing commit status is about. A status names its commit and the
// branches at it, never a pull request: the open PR of this repository whose head branch is
// one of them and whose head is that commit. One list call per branch (a status usually
// names one), made in the webhook handler because the job's target must be known to queue it.
import type { GitHubClient, RepoRef } from "../auth/client.js";

export async function pullForStatus(
  gh: GitHubClient,
  repo: RepoRef,
  sha: string,
  branches: readonly string[],
): Promise<number | undefined> {
  for (const branch of branches.slice(0, 3)) {
    const { data } = await gh.rest.pulls.list({
      ...repo,
      head: `${repo.owner}:${branch}`,
      state: "open",
      per_page: 5,
    });
    const pr = data.find((p) => p.head.sha.toLowerCase() === sha && !p.head.repo?.fork);
    if (pr) return pr.number;
  }
  return undefined;
}
