// Opens the bot's pull request, or updates the one already open for the branch:
// re-triggering an issue must never make a second PR.
import type { GitHubClient, RepoRef } from "../auth/client.js";

export interface PullRequestSpec extends RepoRef {
  head: string;
  base: string;
  title: string;
  /** The body, or how to make it from the open PR's current body (undefined when it is created now). */
  body: string | ((previousBody: string | undefined) => string);
  draft: boolean;
}

export interface PublishedPullRequest {
  number: number;
  url: string;
  created: boolean;
  /** The open PR's body before this update; absent when the PR was created now. */
  previousBody?: string;
}

// Draft state can only be changed through GraphQL.
const MARK_READY =
  "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { clientMutationId } }";
const MARK_DRAFT =
  "mutation($id: ID!) { convertPullRequestToDraft(input: { pullRequestId: $id }) { clientMutationId } }";

export async function upsertPullRequest(
  gh: GitHubClient,
  spec: PullRequestSpec,
): Promise<PublishedPullRequest> {
  const { owner, repo } = spec;
  const { data: open } = await gh.rest.pulls.list({
    owner,
    repo,
    head: `${owner}:${spec.head}`,
    state: "open",
    per_page: 1,
  });
  const existing = open[0];
  if (!existing) {
    const { data } = await gh.rest.pulls.create({
      owner,
      repo,
      head: spec.head,
      base: spec.base,
      title: spec.title,
      body: typeof spec.body === "string" ? spec.body : spec.body(undefined),
      draft: spec.draft,
      maintainer_can_modify: true,
    });
    return { number: data.number, url: data.html_url, created: true };
  }
  await gh.rest.pulls.update({
    owner,
    repo,
    pull_number: existing.number,
    title: spec.title,
    body: typeof spec.body === "string" ? spec.body : spec.body(existing.body ?? ""),
  });
  if (Boolean(existing.draft) !== spec.draft && existing.node_id) {
    await gh.graphql(spec.draft ? MARK_DRAFT : MARK_READY, { id: existing.node_id });
  }
  return {
    number: existing.number,
    url: existing.html_url,
    created: false,
    previousBody: existing.body ?? "",
  };
}
