// GitHub's JSON shapes for the stand-in's state (the fields apps read, not every field).
import type {
  CheckRunState,
  CommentState,
  GitHubState,
  IssueState,
  ReactionState,
  RepoState,
  ReviewCommentState,
  UserRef,
} from "./github-state.js";

export interface Urls {
  /** http://127.0.0.1:<port> */
  web: string;
  /** http://127.0.0.1:<port>/api/v3 */
  api: string;
}

export function userJson(u: UserRef) {
  return { login: u.login, id: u.id, node_id: `U_${u.id}`, type: u.type, site_admin: false };
}

export function cloneUrl(urls: Urls, owner: string, repo: string): string {
  return `${urls.web}/git/${owner}/${repo}.git`;
}

export function repoJson(urls: Urls, state: GitHubState, r: RepoState) {
  const ownerType = state.users.get(r.owner)?.type ?? "Organization";
  return {
    id: r.id,
    node_id: `R_${r.id}`,
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: { ...userJson(state.user(r.owner, ownerType)) },
    private: r.private,
    fork: false,
    html_url: `${urls.web}/${r.owner}/${r.name}`,
    url: `${urls.api}/repos/${r.owner}/${r.name}`,
    clone_url: cloneUrl(urls, r.owner, r.name),
    default_branch: r.defaultBranch,
    archived: false,
    disabled: false,
    visibility: r.private ? "private" : "public",
  };
}

export function labelJson(state: GitHubState, i: IssueState) {
  const repo = state.repo(i.owner, i.repo);
  return i.labels.map((name) => {
    const l = repo?.labels.get(name.toLowerCase());
    return {
      id: l?.id ?? 0,
      name,
      color: l?.color ?? "ededed",
      description: l?.description ?? null,
      default: false,
    };
  });
}

export function issueJson(urls: Urls, state: GitHubState, i: IssueState) {
  const base = `${urls.api}/repos/${i.owner}/${i.repo}`;
  return {
    id: i.id,
    node_id: `I_${i.id}`,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    locked: false,
    user: userJson(i.user),
    labels: labelJson(state, i),
    comments: state.commentsOn(i.owner, i.repo, i.number).length,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    author_association: "OWNER",
    url: `${base}/issues/${i.number}`,
    html_url: `${urls.web}/${i.owner}/${i.repo}/${i.pull ? "pull" : "issues"}/${i.number}`,
    ...(i.pull
      ? {
          pull_request: {
            url: `${base}/pulls/${i.number}`,
            html_url: `${urls.web}/${i.owner}/${i.repo}/pull/${i.number}`,
          },
        }
      : {}),
  };
}

function forkJson(parent: ReturnType<typeof repoJson>, fullName: string) {
  const [owner, name] = fullName.split("/");
  return { ...parent, full_name: fullName, name, owner: { ...parent.owner, login: owner }, fork: true };
}

export function pullJson(
  urls: Urls,
  state: GitHubState,
  i: IssueState,
  heads: { head?: string; base?: string },
) {
  const p = i.pull!;
  const repo = repoJson(urls, state, state.repo(i.owner, i.repo)!);
  return {
    ...issueJson(urls, state, i),
    node_id: p.nodeId,
    url: `${urls.api}/repos/${i.owner}/${i.repo}/pulls/${i.number}`,
    html_url: `${urls.web}/${i.owner}/${i.repo}/pull/${i.number}`,
    draft: p.draft,
    merged: p.merged,
    mergeable: null,
    head: {
      ref: p.head,
      sha: heads.head ?? null,
      label: `${p.headRepo?.split("/")[0] ?? i.owner}:${p.head}`,
      repo: p.headRepo ? forkJson(repo, p.headRepo) : repo,
      user: repo.owner,
    },
    base: { ref: p.base, sha: heads.base ?? null, label: `${i.owner}:${p.base}`, repo, user: repo.owner },
    requested_reviewers: p.requestedReviewers.map((login) => userJson(state.user(login))),
  };
}

export function commentJson(urls: Urls, c: CommentState) {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    body: c.body,
    user: userJson(c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: c.user.type === "Bot" ? "NONE" : "OWNER",
    url: `${urls.api}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
    html_url: `${urls.web}/${c.owner}/${c.repo}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${urls.api}/repos/${c.owner}/${c.repo}/issues/${c.issueNumber}`,
  };
}

export function reviewCommentJson(urls: Urls, c: ReviewCommentState) {
  return {
    id: c.id,
    node_id: `PRRC_${c.id}`,
    body: c.body,
    path: c.path,
    line: c.line,
    original_line: c.line,
    side: "RIGHT",
    diff_hunk: c.diffHunk,
    commit_id: c.commitId,
    user: userJson(c.user),
    author_association: "OWNER",
    url: `${urls.api}/repos/${c.owner}/${c.repo}/pulls/comments/${c.id}`,
    html_url: `${urls.web}/${c.owner}/${c.repo}/pull/${c.pullNumber}#discussion_r${c.id}`,
    pull_request_url: `${urls.api}/repos/${c.owner}/${c.repo}/pulls/${c.pullNumber}`,
    pull_request_review_id: c.reviewId ?? null,
    ...(c.inReplyTo ? { in_reply_to_id: c.inReplyTo } : {}),
  };
}

export function checkRunJson(urls: Urls, c: CheckRunState) {
  return {
    id: c.id,
    name: c.name,
    head_sha: c.headSha,
    status: c.status,
    conclusion: c.conclusion,
    output: c.output,
    details_url: c.detailsUrl,
    external_id: c.externalId ?? null,
    url: `${urls.api}/repos/${c.owner}/${c.repo}/check-runs/${c.id}`,
    html_url: `${urls.web}/${c.owner}/${c.repo}/runs/${c.id}`,
    ...(c.app ? { app: { id: c.app.id, slug: c.app.slug, name: c.app.slug } } : {}),
  };
}

export function reactionJson(r: ReactionState) {
  return {
    id: r.id,
    node_id: `REA_${r.id}`,
    content: r.content,
    user: userJson(r.user),
    created_at: new Date().toISOString(),
  };
}
