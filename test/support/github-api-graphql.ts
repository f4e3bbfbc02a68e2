// The stand-in's GraphQL endpoint (POST /graphql; /api/graphql on Enterprise). Not a GraphQL
// engine: it recognises the operations the app sends by their root field and answers in
// GitHub's shapes — the draft mutations (REST PATCH cannot change draft state), a pull
// request's `reviewThreads` (a thread is a root review comment and its replies), and
// `resolveReviewThread`, which GitHub refuses (200 with a FORBIDDEN error) to an App token
// lacking `contents: write` or `pull_requests: write`.
import { ok, type Reply, type Route, type RouteContext, route } from "./github-routes.js";
import type { ReviewCommentState } from "./github-state.js";

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

function errorReply(message: string, type?: string, path?: string[]): Reply {
  return ok({
    data: path ? { [path[0]!]: null } : null,
    errors: [{ ...(type ? { type } : {}), ...(path ? { path } : {}), message }],
  });
}

function draft(ctx: RouteContext, mutation: string, vars: Record<string, unknown>, query: string): Reply {
  const id =
    Object.values(vars).find((v) => typeof v === "string" && v.startsWith("PR_")) ??
    /"(PR_\d+)"/.exec(query)?.[1];
  const issue = ctx.env.state.issues.find((i) => i.pull?.nodeId === id);
  if (!issue?.pull) {
    return errorReply(`Could not resolve to a node with the global id of '${String(id)}'`, "NOT_FOUND", [
      mutation,
    ]);
  }
  issue.pull.draft = mutation === "convertPullRequestToDraft";
  return ok({
    data: { [mutation]: { pullRequest: { id, isDraft: issue.pull.draft, number: issue.number } } },
  });
}

const threadId = (root: ReviewCommentState) => `PRRT_${root.id}`;

function reviewThreads(ctx: RouteContext, vars: Record<string, unknown>): Reply {
  const { state } = ctx.env;
  const repo = state.repo(String(vars.owner), String(vars.name ?? vars.repo));
  if (!repo) {
    return errorReply(
      `Could not resolve to a Repository with the name '${String(vars.owner)}/${String(vars.name)}'.`,
      "NOT_FOUND",
      ["repository"],
    );
  }
  const issue = state.issue(repo.owner, repo.name, Number(vars.number));
  if (!issue?.pull) return ok({ data: { repository: { pullRequest: null } } });
  const mine = state.reviewComments.filter(
    (c) => c.owner === repo.owner && c.repo === repo.name && c.pullNumber === issue.number,
  );
  const nodes = mine
    .filter((c) => !c.inReplyTo)
    .map((root) => ({
      id: threadId(root),
      isResolved: state.resolvedThreads.has(root.id),
      comments: {
        nodes: [root, ...mine.filter((c) => c.inReplyTo === root.id)].map((c) => ({ databaseId: c.id })),
      },
    }));
  return ok({
    data: {
      repository: {
        pullRequest: { reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } },
      },
    },
  });
}

function resolveThread(ctx: RouteContext, vars: Record<string, unknown>): Reply {
  const { state } = ctx.env;
  const granted = ctx.token?.permissions ?? state.installationPermissions;
  const may = (name: string) => (RANK[granted[name] ?? ""] ?? 0) >= RANK.write!;
  if (!may("contents") || !may("pull_requests")) {
    return errorReply("Resource not accessible by integration", "FORBIDDEN", ["resolveReviewThread"]);
  }
  const id = String(vars.threadId ?? "");
  const root = state.reviewComments.find((c) => !c.inReplyTo && threadId(c) === id);
  if (!root) {
    return errorReply(`Could not resolve to a node with the global id of '${id}'`, "NOT_FOUND", [
      "resolveReviewThread",
    ]);
  }
  state.resolvedThreads.add(root.id);
  return ok({ data: { resolveReviewThread: { thread: { id, isResolved: true } } } });
}

export const graphqlRoutes: Route[] = [
  route("POST", "/graphql", (ctx) => {
    const query = String(ctx.body?.query ?? "");
    const vars = (ctx.body?.variables ?? {}) as Record<string, unknown>;
    const mutation = /(markPullRequestReadyForReview|convertPullRequestToDraft)/.exec(query)?.[1];
    if (mutation) return draft(ctx, mutation, vars, query);
    if (/\bresolveReviewThread\s*\(/.test(query)) return resolveThread(ctx, vars);
    if (/\breviewThreads\s*\(/.test(query)) return reviewThreads(ctx, vars);
    return errorReply("The stand-in does not know this GraphQL operation.");
  }),
];
