// Webhooks as GitHub sends them: payloads built from the stand-in's state (the comment or
// label exists on the stand-in before the delivery, as on GitHub), signed with the App's
// webhook secret and POSTed to the app over HTTP.
import { createHmac, randomUUID } from "node:crypto";
import {
  commentJson,
  issueJson,
  labelJson,
  pullJson,
  repoJson,
  reviewCommentJson,
  userJson,
} from "./github-json.js";
import type { GitHubStandIn } from "./github-server.js";
import type { IssueState, ReviewCommentState } from "./github-state.js";

export interface Delivery {
  status: number;
  body: string;
  deliveryId: string;
}

export function signPayload(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** POSTs a webhook like GitHub: JSON body, X-Hub-Signature-256, X-GitHub-Event, X-GitHub-Delivery. */
export async function sendWebhook(
  url: string,
  opts: { secret: string; event: string; payload: unknown; deliveryId?: string },
): Promise<Delivery> {
  const body = JSON.stringify(opts.payload);
  const deliveryId = opts.deliveryId ?? randomUUID();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "GitHub-Hookshot/standin",
      "X-GitHub-Event": opts.event,
      "X-GitHub-Delivery": deliveryId,
      "X-GitHub-Hook-ID": "1",
      "X-Hub-Signature-256": signPayload(opts.secret, body),
    },
    body,
  });
  return { status: res.status, body: await res.text(), deliveryId };
}

interface Target {
  owner: string;
  repo: string;
  number: number;
  /** The sender's login; `type` defaults to Bot for logins ending in [bot]. */
  sender: string;
  senderType?: "User" | "Bot";
}

/** A target as callers name it: the repository and sender default to acme/ledger and alice. */
export type TargetInput = Omit<Target, "owner" | "repo" | "sender"> &
  Partial<Pick<Target, "owner" | "repo" | "sender">>;

const target = <T extends TargetInput>(t: T): T & Target => ({
  owner: "acme",
  repo: "ledger",
  sender: "alice",
  ...t,
});

function common(gh: GitHubStandIn, t: Target) {
  const repo = gh.state.repo(t.owner, t.repo);
  if (!repo) throw new Error(`no repository ${t.owner}/${t.repo}`);
  const urls = { web: gh.url, api: gh.apiUrl };
  return {
    repository: repoJson(urls, gh.state, repo),
    organization: userJson(gh.state.user(t.owner, "Organization")),
    sender: userJson(gh.state.user(t.sender, t.senderType)),
    installation: { id: repo.installationId, node_id: `MDIz_${repo.installationId}` },
  };
}

function needIssue(gh: GitHubStandIn, t: Target): IssueState {
  const issue = gh.state.issue(t.owner, t.repo, t.number);
  if (!issue) throw new Error(`no issue ${t.owner}/${t.repo}#${t.number}`);
  return issue;
}

async function pullPayload(gh: GitHubStandIn, issue: IssueState) {
  const name = `${issue.owner}/${issue.repo}`;
  return pullJson({ web: gh.url, api: gh.apiUrl }, gh.state, issue, {
    head: await gh.git.revParse(name, issue.pull!.head),
    base: await gh.git.revParse(name, issue.pull!.base),
  });
}

/** `issues.labeled`: adds the label to the issue on the stand-in, then builds the payload. */
export function issuesLabeled(gh: GitHubStandIn, input: TargetInput & { label: string }) {
  const t = target(input);
  const issue = needIssue(gh, t);
  const repo = gh.state.repo(t.owner, t.repo)!;
  if (!repo.labels.has(t.label.toLowerCase())) {
    repo.labels.set(t.label.toLowerCase(), {
      id: gh.state.nextId(),
      name: t.label,
      color: "1d76db",
      description: null,
    });
  }
  if (!issue.labels.includes(t.label)) issue.labels.push(t.label);
  const label = labelJson(gh.state, issue).find((l) => l.name === t.label);
  return {
    action: "labeled",
    issue: issueJson({ web: gh.url, api: gh.apiUrl }, gh.state, issue),
    label,
    ...common(gh, t),
  };
}

/** `issue_comment.created` on an issue or a pull request: the comment is stored first. */
export function issueCommentCreated(gh: GitHubStandIn, input: TargetInput & { body: string }) {
  const t = target(input);
  const issue = needIssue(gh, t);
  const comment = gh.addComment(t.owner, t.repo, t.number, t.body, t.sender);
  if (t.senderType) comment.user = gh.state.user(t.sender, t.senderType);
  const urls = { web: gh.url, api: gh.apiUrl };
  return {
    action: "created",
    issue: issueJson(urls, gh.state, issue),
    comment: commentJson(urls, comment),
    ...common(gh, t),
  };
}

/** `pull_request_review_comment.created` on a line of a pull request's diff. */
export async function pullRequestReviewCommentCreated(
  gh: GitHubStandIn,
  input: TargetInput & { body: string; path: string; line?: number; diffHunk: string },
) {
  const t = target(input);
  const issue = needIssue(gh, t);
  if (!issue.pull) throw new Error(`#${t.number} is not a pull request`);
  const pull = await pullPayload(gh, issue);
  const comment: ReviewCommentState = {
    id: gh.state.nextId(),
    owner: t.owner,
    repo: t.repo,
    pullNumber: t.number,
    body: t.body,
    path: t.path,
    line: t.line ?? null,
    diffHunk: t.diffHunk,
    commitId: pull.head.sha ?? "",
    user: gh.state.user(t.sender, t.senderType),
  };
  gh.state.reviewComments.push(comment);
  return {
    action: "created",
    comment: reviewCommentJson({ web: gh.url, api: gh.apiUrl }, comment),
    pull_request: pull,
    ...common(gh, t),
  };
}

/** Opens a pull request on the stand-in as a person (the head branch must exist in git). */
export async function openPullRequest(
  gh: GitHubStandIn,
  t: {
    owner: string;
    repo: string;
    head: string;
    /** "owner/repo" of the fork the head branch is in. */
    headRepo?: string;
    base?: string;
    title: string;
    body?: string;
    user?: string;
  },
): Promise<IssueState> {
  const repo = gh.state.repo(t.owner, t.repo);
  if (!repo) throw new Error(`no repository ${t.owner}/${t.repo}`);
  const issue = gh.createIssue(t.owner, t.repo, { title: t.title, body: t.body, user: t.user });
  issue.pull = {
    head: t.head,
    ...(t.headRepo ? { headRepo: t.headRepo } : {}),
    base: t.base ?? repo.defaultBranch,
    draft: false,
    merged: false,
    requestedReviewers: [],
    nodeId: `PR_${issue.id}`,
  };
  return issue;
}
