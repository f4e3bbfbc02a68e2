// The bot's open pull requests into a branch that was pushed to: the ones a base-branch push
// may put behind. One list call, made in the webhook handler because each job's target must
// be known to queue it; whether each PR is really behind, and whether the repository opted in,
// is the job's gate's (it reads the configuration).
import type { GitHubClient, RepoRef } from "../auth/client.js";

export async function botPullsInto(
  gh: GitHubClient,
  repo: RepoRef,
  base: string,
  botLogin: string,
): Promise<number[]> {
  const { data } = await gh.rest.pulls.list({ ...repo, base, state: "open", per_page: 100 });
  return data
    .filter((p) => p.user?.login.toLowerCase() === botLogin.toLowerCase() && !p.head.repo?.fork)
    .map((p) => p.number)
    .slice(0, 20);
}
