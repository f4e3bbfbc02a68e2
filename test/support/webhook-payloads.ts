// Webhook payloads shaped like GitHub's, without a stand-in behind them: for parse and handler
// tests. (support/github-webhooks.ts builds payloads from the stand-in's state instead.)
export interface PayloadOptions {
  owner?: string;
  repo?: string;
  number?: number;
  sender?: string;
  senderType?: "User" | "Bot";
  association?: string;
  cloneUrl?: string;
  installationId?: number;
}

function common(o: PayloadOptions) {
  const owner = o.owner ?? "acme";
  const repo = o.repo ?? "ledger";
  return {
    repository: {
      id: 1,
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: { login: owner, id: 10, type: "Organization" },
      clone_url: o.cloneUrl ?? `https://github.com/${owner}/${repo}.git`,
      default_branch: "main",
      private: true,
    },
    sender: { login: o.sender ?? "alice", id: 100, type: o.senderType ?? "User" },
    installation: { id: o.installationId ?? 7 },
  };
}

function issue(o: PayloadOptions, pullRequest = false) {
  return {
    number: o.number ?? 42,
    title: "Add a balance endpoint",
    body: "GET /accounts/{id}/balance returns the balance in minor units.",
    state: "open",
    user: { login: "alice", id: 100, type: "User" },
    ...(pullRequest ? { pull_request: { url: "https://api.github.com/repos/acme/ledger/pulls/42" } } : {}),
  };
}

export function labeledPayload(label = "backend-go", o: PayloadOptions = {}) {
  return { action: "labeled", label: { name: label }, issue: issue(o), ...common(o) };
}

export function commentPayload(body: string, o: PayloadOptions & { onPullRequest?: boolean } = {}) {
  const c = common(o);
  return {
    action: "created",
    issue: issue(o, o.onPullRequest),
    comment: {
      id: 555,
      body,
      user: c.sender,
      author_association: o.association ?? "MEMBER",
      created_at: "2026-11-23T10:00:00Z",
    },
    ...c,
  };
}

export function reviewCommentPayload(body: string, o: PayloadOptions & { headRepo?: string } = {}) {
  const c = common(o);
  const fullName = c.repository.full_name;
  return {
    action: "created",
    pull_request: {
      number: o.number ?? 7,
      title: "Balance endpoint",
      body: "Adds the endpoint.",
      head: { ref: "feature/balance", repo: { full_name: o.headRepo ?? fullName } },
      base: { ref: "main", repo: { full_name: fullName } },
    },
    comment: {
      id: 777,
      body,
      user: c.sender,
      path: "api/balance.go",
      line: 12,
      diff_hunk: "@@ -1,3 +1,12 @@\n+func Balance() {}",
      author_association: o.association ?? "COLLABORATOR",
      created_at: "2026-11-23T10:00:00Z",
    },
    ...c,
  };
}

/** `pull_request_review.submitted` as GitHub sends it (the line comments are not in it). */
export function reviewSubmitted(
  body: string | null,
  o: PayloadOptions & { state?: string; prAuthor?: string; reviewer?: string } = {},
) {
  const c = common(o);
  const prAuthor = o.prAuthor ?? "backend-go-agent[bot]";
  const reviewer = o.reviewer ? { login: o.reviewer, id: 101, type: "User" } : c.sender;
  return {
    action: "submitted",
    review: {
      id: 9001,
      body,
      state: o.state ?? "commented",
      user: reviewer,
      submitted_at: "2026-11-23T10:00:00Z",
      author_association: o.association ?? "COLLABORATOR",
    },
    pull_request: {
      number: o.number ?? 7,
      title: "Balance endpoint",
      body: "Adds the endpoint.",
      user: { login: prAuthor, id: 5, type: prAuthor.endsWith("[bot]") ? "Bot" : "User" },
      head: { ref: "backend-go/issue-1", sha: "a".repeat(40) },
      base: { ref: "main" },
    },
    ...c,
  };
}

/** `check_run.completed` as GitHub sends it: the app that ran it and the PRs of its head. */
export function checkRunCompletedPayload(
  o: PayloadOptions & {
    name?: string;
    conclusion?: string | null;
    app?: { id: number; slug: string } | null;
    headSha?: string;
    pullRequests?: { number: number; headSha?: string }[];
  } = {},
) {
  const headSha = o.headSha ?? "b".repeat(40);
  return {
    action: "completed",
    check_run: {
      id: 31337,
      name: o.name ?? "lint",
      head_sha: headSha,
      status: "completed",
      conclusion: o.conclusion === undefined ? "failure" : o.conclusion,
      app: o.app === undefined ? { id: 15368, slug: "github-actions" } : o.app,
      pull_requests: (o.pullRequests ?? [{ number: o.number ?? 7 }]).map((p) => ({
        number: p.number,
        head: { ref: "backend-go/issue-1", sha: p.headSha ?? headSha },
        base: { ref: "main" },
      })),
    },
    ...common({ ...o, sender: o.sender ?? "github-actions[bot]", senderType: "Bot" }),
  };
}
