// Stand-in endpoints for issues, issue comments, reactions and labels.
import { commentJson, issueJson, labelJson, reactionJson } from "./github-json.js";
import {
  HttpError,
  needIssue,
  needRepo,
  needString,
  now,
  ok,
  type Route,
  type RouteContext,
  route,
} from "./github-routes.js";
import type { ReactionState } from "./github-state.js";

const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];

function needComment(ctx: RouteContext) {
  const repo = needRepo(ctx);
  const c = ctx.env.state.comments.find(
    (x) => x.id === Number(ctx.params.id) && x.owner === repo.owner && x.repo === repo.name,
  );
  if (!c) throw new HttpError(404, "Not Found");
  return c;
}

function react(ctx: RouteContext, subject: ReactionState["subject"], subjectId: number) {
  const repo = needRepo(ctx);
  const content = needString(ctx.body, "content");
  if (!REACTIONS.includes(content)) {
    throw new HttpError(422, "Validation Failed", [
      { resource: "Reaction", field: "content", code: "invalid" },
    ]);
  }
  const { state, bot } = ctx.env;
  const existing = state.reactions.find(
    (r) =>
      r.subject === subject &&
      r.subjectId === subjectId &&
      r.content === content &&
      r.user.login === bot.login,
  );
  if (existing) return ok(reactionJson(existing), 200);
  const reaction: ReactionState = {
    id: state.nextId(),
    owner: repo.owner,
    repo: repo.name,
    subject,
    subjectId,
    content,
    user: bot,
  };
  state.reactions.push(reaction);
  return ok(reactionJson(reaction), 201);
}

function addLabels(ctx: RouteContext, names: string[]) {
  const issue = needIssue(ctx);
  const repo = needRepo(ctx);
  for (const name of names) {
    if (!repo.labels.has(name.toLowerCase())) {
      repo.labels.set(name.toLowerCase(), {
        id: ctx.env.state.nextId(),
        name,
        color: "ededed",
        description: null,
      });
    }
    if (!issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) issue.labels.push(name);
  }
  issue.updatedAt = now();
  return ok(labelJson(ctx.env.state, issue));
}

export const issueRoutes: Route[] = [
  route("GET", "/repos/:owner/:repo/issues/:number", (ctx) =>
    ok(issueJson(ctx.env.urls, ctx.env.state, needIssue(ctx))),
  ),
  route("PATCH", "/repos/:owner/:repo/issues/:number", (ctx) => {
    const issue = needIssue(ctx);
    const b = ctx.body ?? {};
    if (typeof b.title === "string") issue.title = b.title;
    if (typeof b.body === "string" || b.body === null) issue.body = b.body;
    if (b.state === "open" || b.state === "closed") issue.state = b.state;
    if (Array.isArray(b.labels)) issue.labels = b.labels.map(String);
    issue.updatedAt = now();
    return ok(issueJson(ctx.env.urls, ctx.env.state, issue));
  }),
  route("GET", "/repos/:owner/:repo/issues/:number/comments", (ctx) => {
    const issue = needIssue(ctx);
    const all = ctx.env.state.commentsOn(issue.owner, issue.repo, issue.number);
    const perPage = Math.min(Number(ctx.query.get("per_page") ?? 30), 100);
    const page = Number(ctx.query.get("page") ?? 1);
    const reply = ok(
      all.slice((page - 1) * perPage, page * perPage).map((c) => commentJson(ctx.env.urls, c)),
    );
    if (page * perPage < all.length) {
      const next = `${ctx.env.urls.api}/repos/${issue.owner}/${issue.repo}/issues/${issue.number}/comments?per_page=${perPage}&page=${page + 1}`;
      reply.headers = { Link: `<${next}>; rel="next"` };
    }
    return reply;
  }),
  route("POST", "/repos/:owner/:repo/issues/:number/comments", (ctx) => {
    const issue = needIssue(ctx);
    const body = needString(ctx.body, "body");
    const at = now();
    const comment = {
      id: ctx.env.state.nextId(),
      owner: issue.owner,
      repo: issue.repo,
      issueNumber: issue.number,
      body,
      user: ctx.env.bot,
      history: [body],
      createdAt: at,
      updatedAt: at,
    };
    ctx.env.state.comments.push(comment);
    return ok(commentJson(ctx.env.urls, comment), 201);
  }),
  route("GET", "/repos/:owner/:repo/issues/comments/:id", (ctx) =>
    ok(commentJson(ctx.env.urls, needComment(ctx))),
  ),
  route("PATCH", "/repos/:owner/:repo/issues/comments/:id", (ctx) => {
    const comment = needComment(ctx);
    comment.body = needString(ctx.body, "body");
    comment.history.push(comment.body);
    comment.updatedAt = now();
    return ok(commentJson(ctx.env.urls, comment));
  }),
  route("DELETE", "/repos/:owner/:repo/issues/comments/:id", (ctx) => {
    const comment = needComment(ctx);
    ctx.env.state.comments.splice(ctx.env.state.comments.indexOf(comment), 1);
    return { status: 204 };
  }),
  route("POST", "/repos/:owner/:repo/issues/:number/reactions", (ctx) =>
    react(ctx, "issue", needIssue(ctx).id),
  ),
  route("POST", "/repos/:owner/:repo/issues/comments/:id/reactions", (ctx) =>
    react(ctx, "issue_comment", needComment(ctx).id),
  ),
  route("POST", "/repos/:owner/:repo/pulls/comments/:id/reactions", (ctx) => {
    const id = Number(ctx.params.id);
    if (!ctx.env.state.reviewComments.some((c) => c.id === id)) throw new HttpError(404, "Not Found");
    return react(ctx, "pull_comment", id);
  }),
  route("POST", "/repos/:owner/:repo/issues/:number/labels", (ctx) => {
    const raw = Array.isArray(ctx.body) ? ctx.body : ctx.body?.labels;
    if (!Array.isArray(raw))
      throw new HttpError(422, "Validation Failed", [{ field: "labels", code: "missing_field" }]);
    return addLabels(
      ctx,
      raw.map((l: unknown) =>
        typeof l === "object" && l !== null ? String((l as { name: string }).name) : String(l),
      ),
    );
  }),
  route("DELETE", "/repos/:owner/:repo/issues/:number/labels/:name", (ctx) => {
    const issue = needIssue(ctx);
    const at = issue.labels.findIndex((l) => l.toLowerCase() === ctx.params.name!.toLowerCase());
    if (at < 0) throw new HttpError(404, "Label does not exist");
    issue.labels.splice(at, 1);
    return ok(labelJson(ctx.env.state, issue));
  }),
  route("GET", "/repos/:owner/:repo/labels/:name", (ctx) => {
    const label = needRepo(ctx).labels.get(ctx.params.name!.toLowerCase());
    if (!label) throw new HttpError(404, "Not Found");
    return ok({ ...label, default: false });
  }),
  route("POST", "/repos/:owner/:repo/labels", (ctx) => {
    const repo = needRepo(ctx);
    const name = needString(ctx.body, "name");
    if (repo.labels.has(name.toLowerCase())) {
      throw new HttpError(422, "Validation Failed", [
        { resource: "Label", code: "already_exists", field: "name" },
      ]);
    }
    const label = {
      id: ctx.env.state.nextId(),
      name,
      color: String(ctx.body.color ?? "ededed").replace(/^#/, ""),
      description: typeof ctx.body.description === "string" ? ctx.body.description : null,
    };
    repo.labels.set(name.toLowerCase(), label);
    return ok({ ...label, default: false }, 201);
  }),
];
