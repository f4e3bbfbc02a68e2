// Webhooks about the bot's pull requests, built from the stand-in's state like GitHub's:
// `pull_request_review.submitted` (the review and its line comments are stored first) and
// `check_run.completed` (the check run, its annotations and an Actions job log stored first).
import { checkRunJson, pullJson, repoJson, userJson } from "./github-json.js";
import type { GitHubStandIn } from "./github-server.js";
import type { AnnotationState, CheckRunState, ReviewCommentState, ReviewState } from "./github-state.js";

function common(gh: GitHubStandIn, owner: string, repo: string, sender: string) {
  const r = gh.state.repo(owner, repo);
  if (!r) throw new Error(`no repository ${owner}/${repo}`);
  return {
    repository: repoJson({ web: gh.url, api: gh.apiUrl }, gh.state, r),
    organization: userJson(gh.state.user(owner, "Organization")),
    sender: userJson(gh.state.user(sender)),
    installation: { id: r.installationId, node_id: `MDIz_${r.installationId}` },
  };
}

async function pullOf(gh: GitHubStandIn, owner: string, repo: string, number: number) {
  const issue = gh.state.issue(owner, repo, number);
  if (!issue?.pull) throw new Error(`#${number} is not a pull request`);
  const name = `${owner}/${repo}`;
  return pullJson({ web: gh.url, api: gh.apiUrl }, gh.state, issue, {
    head: await gh.git.revParse(name, issue.pull.head),
    base: await gh.git.revParse(name, issue.pull.base),
  });
}

export interface ReviewSpec {
  owner: string;
  repo: string;
  number: number;
  sender: string;
  body: string;
  /** Webhook spelling: commented, changes_requested, approved. */
  state?: "commented" | "changes_requested" | "approved";
  comments?: { path: string; line?: number; diffHunk: string; body: string }[];
}

/** Stores a submitted review with its line comments, and returns the webhook payload. */
export async function pullRequestReviewSubmitted(gh: GitHubStandIn, t: ReviewSpec) {
  const pull = await pullOf(gh, t.owner, t.repo, t.number);
  const state = t.state ?? "commented";
  const review: ReviewState = {
    id: gh.state.nextId(),
    owner: t.owner,
    repo: t.repo,
    pullNumber: t.number,
    body: t.body,
    state: state.toUpperCase(),
    commitId: pull.head.sha ?? "",
    user: gh.state.user(t.sender),
    submittedAt: new Date().toISOString(),
  };
  gh.state.reviews.push(review);
  for (const c of t.comments ?? []) {
    const comment: ReviewCommentState = {
      id: gh.state.nextId(),
      owner: t.owner,
      repo: t.repo,
      pullNumber: t.number,
      body: c.body,
      path: c.path,
      line: c.line ?? null,
      diffHunk: c.diffHunk,
      commitId: review.commitId,
      user: review.user,
      reviewId: review.id,
    };
    gh.state.reviewComments.push(comment);
  }
  return {
    action: "submitted",
    review: {
      id: review.id,
      node_id: `PRR_${review.id}`,
      user: userJson(review.user),
      body: review.body,
      state,
      commit_id: review.commitId,
      submitted_at: review.submittedAt,
      author_association: "COLLABORATOR",
    },
    pull_request: pull,
    ...common(gh, t.owner, t.repo, t.sender),
  };
}

export interface CheckSpec {
  owner: string;
  repo: string;
  /** The pull request the check ran for; absent: a check on a commit without a PR. */
  number?: number;
  /** Defaults to the PR's head commit. */
  headSha?: string;
  name: string;
  conclusion?: "failure" | "timed_out" | "success";
  /** Defaults to GitHub Actions; the App's own id and slug make it the bot's check. */
  app?: { id: number; slug: string };
  output?: { title?: string; summary?: string; text?: string };
  annotations?: AnnotationState[];
  /** An Actions job log, stored under the check run's id. */
  log?: { text: string; failedStep: string };
}

/** Stores a completed check run (and its Actions job), and returns the webhook payload. */
export async function checkRunCompleted(gh: GitHubStandIn, t: CheckSpec) {
  const pull = t.number ? await pullOf(gh, t.owner, t.repo, t.number) : undefined;
  const headSha = t.headSha ?? pull?.head.sha;
  if (!headSha) throw new Error("a check run needs a head sha");
  const app = t.app ?? { id: 15368, slug: "github-actions" };
  const run: CheckRunState = {
    id: gh.state.nextId(),
    owner: t.owner,
    repo: t.repo,
    name: t.name,
    headSha,
    status: "completed",
    conclusion: t.conclusion ?? "failure",
    output: { title: null, summary: null, text: null, ...t.output },
    detailsUrl: null,
    history: [],
    app,
    annotations: t.annotations ?? [],
  };
  gh.state.checkRuns.push(run);
  if (t.log) {
    gh.state.actionsJobs.push({
      id: run.id,
      owner: t.owner,
      repo: t.repo,
      steps: [
        { name: "Set up job", number: 1, conclusion: "success" },
        { name: t.log.failedStep, number: 2, conclusion: "failure" },
      ],
      log: t.log.text,
    });
  }
  const urls = { web: gh.url, api: gh.apiUrl };
  return {
    action: "completed",
    check_run: {
      ...checkRunJson(urls, run),
      app: { id: app.id, slug: app.slug, name: app.slug },
      pull_requests:
        pull && pull.head.sha === headSha
          ? [
              {
                number: pull.number,
                head: { ref: pull.head.ref, sha: pull.head.sha },
                base: { ref: pull.base.ref, sha: pull.base.sha },
              },
            ]
          : [],
    },
    ...common(gh, t.owner, t.repo, `${app.slug}[bot]`),
  };
}

export interface SuiteSpec extends Omit<CheckSpec, "name" | "log"> {
  /** The failing check runs the suite holds (stored with it). */
  runs: { name: string; output?: CheckSpec["output"]; annotations?: AnnotationState[] }[];
}

/** Stores a completed check suite with its check runs, and returns the `check_suite` payload. */
export async function checkSuiteCompleted(gh: GitHubStandIn, t: SuiteSpec) {
  const pull = t.number ? await pullOf(gh, t.owner, t.repo, t.number) : undefined;
  const headSha = t.headSha ?? pull?.head.sha;
  if (!headSha) throw new Error("a check suite needs a head sha");
  const app = t.app ?? { id: 5001, slug: "circleci-checks" };
  const suiteId = gh.state.nextId();
  const conclusion = t.conclusion ?? "failure";
  for (const r of t.runs) {
    gh.state.checkRuns.push({
      id: gh.state.nextId(),
      owner: t.owner,
      repo: t.repo,
      name: r.name,
      headSha,
      status: "completed",
      conclusion,
      output: { title: null, summary: null, text: null, ...r.output },
      detailsUrl: null,
      history: [],
      app,
      annotations: r.annotations ?? [],
      suiteId,
    });
  }
  return {
    action: "completed",
    check_suite: {
      id: suiteId,
      node_id: `CS_${suiteId}`,
      head_branch: pull?.head.ref ?? null,
      head_sha: headSha,
      status: "completed",
      conclusion,
      app: { id: app.id, slug: app.slug, name: app.slug },
      pull_requests:
        pull && pull.head.sha === headSha
          ? [
              {
                number: pull.number,
                head: { ref: pull.head.ref, sha: pull.head.sha },
                base: { ref: pull.base.ref, sha: pull.base.sha },
              },
            ]
          : [],
    },
    ...common(gh, t.owner, t.repo, `${app.slug}[bot]`),
  };
}

export interface StatusSpec {
  owner: string;
  repo: string;
  /** The commit; defaults to the head of `branch`. */
  sha?: string;
  /** The branch the commit is the tip of (GitHub lists every such branch). */
  branch: string;
  context: string;
  state?: "failure" | "error" | "success" | "pending";
  description?: string;
  targetUrl?: string;
  /** Who set it: a CI's bot user, or a person with a token. */
  sender?: string;
}

/** A `status` payload as GitHub sends it (no action; branches, never a pull request). */
export async function commitStatus(gh: GitHubStandIn, t: StatusSpec) {
  const sha = t.sha ?? (await gh.git.revParse(`${t.owner}/${t.repo}`, t.branch));
  if (!sha) throw new Error(`no commit at ${t.branch}`);
  const id = gh.state.nextId();
  const sender = t.sender ?? "jenkins-ci[bot]";
  return {
    id,
    sha,
    name: `${t.owner}/${t.repo}`,
    target_url: t.targetUrl ?? null,
    avatar_url: null,
    context: t.context,
    description: t.description ?? null,
    state: t.state ?? "failure",
    commit: { sha, node_id: `C_${sha}` },
    branches: [
      {
        name: t.branch,
        commit: { sha, url: `${gh.apiUrl}/repos/${t.owner}/${t.repo}/commits/${sha}` },
        protected: false,
      },
    ],
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    ...common(gh, t.owner, t.repo, sender),
  };
}

/** A `push` payload as GitHub sends it (no action) for a push that moved `branch` from `before` to its tip. */
export async function branchPushed(
  gh: GitHubStandIn,
  t: { owner: string; repo: string; branch: string; before: string; sender: string },
) {
  const after = await gh.git.revParse(`${t.owner}/${t.repo}`, t.branch);
  if (!after) throw new Error(`no branch ${t.branch}`);
  const c = common(gh, t.owner, t.repo, t.sender);
  return {
    ref: `refs/heads/${t.branch}`,
    before: t.before,
    after,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${gh.url}/${t.owner}/${t.repo}/compare/${t.before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits: [],
    head_commit: { id: after },
    pusher: { name: t.sender, email: `${t.sender}@example.com` },
    ...c,
    repository: { ...c.repository, owner: { ...c.repository.owner, name: t.owner } },
  };
}
