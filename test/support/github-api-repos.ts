// Stand-in endpoints for the App, repositories, collaborators, check runs, contents and
// rate limits.
import { checkRunJson, repoJson, userJson } from "./github-json.js";
import {
  HttpError,
  needRepo,
  needString,
  ok,
  type Route,
  type RouteContext,
  route,
} from "./github-routes.js";
import type { CheckRunState, Permission } from "./github-state.js";
import { tokenScope } from "./github-token-scope.js";

function installationJson(ctx: RouteContext, id: number) {
  return {
    id,
    account: userJson(
      ctx.env.state.user([...ctx.env.state.repos.values()][0]?.owner ?? "acme", "Organization"),
    ),
    app_id: ctx.env.app.id,
    app_slug: ctx.env.app.slug,
    target_type: "Organization",
    permissions: { ...ctx.env.state.installationPermissions },
    events: [
      "issues",
      "issue_comment",
      "pull_request",
      "pull_request_review_comment",
      "pull_request_review",
      "check_run",
    ],
  };
}

const ROLE: Record<Permission, Permission> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

function checkRun(ctx: RouteContext): CheckRunState {
  const repo = needRepo(ctx);
  const run = ctx.env.state.checkRuns.find(
    (c) => c.id === Number(ctx.params.id) && c.owner === repo.owner && c.repo === repo.name,
  );
  if (!run) throw new HttpError(404, "Not Found");
  return run;
}

function applyCheckRun(run: CheckRunState, b: Record<string, unknown>) {
  if (typeof b.name === "string") run.name = b.name;
  if (typeof b.status === "string") run.status = b.status;
  if (typeof b.conclusion === "string") {
    run.conclusion = b.conclusion;
    run.status = "completed";
  }
  if (b.output && typeof b.output === "object") run.output = b.output as Record<string, unknown>;
  if (typeof b.details_url === "string") run.detailsUrl = b.details_url;
  if (typeof b.external_id === "string") run.externalId = b.external_id;
  run.history.push(b);
}

export const repoRoutes: Route[] = [
  route(
    "GET",
    "/app",
    (ctx) => ok({ id: ctx.env.app.id, slug: ctx.env.app.slug, name: ctx.env.app.name, owner: null }),
    {
      appAuth: true,
    },
  ),
  route(
    "GET",
    "/app/installations",
    (ctx) =>
      ok(
        [...new Set([...ctx.env.state.repos.values()].map((r) => r.installationId))].map((id) =>
          installationJson(ctx, id),
        ),
      ),
    { appAuth: true },
  ),
  route("GET", "/app/installations/:id", (ctx) => ok(installationJson(ctx, Number(ctx.params.id))), {
    appAuth: true,
  }),
  route(
    "POST",
    "/app/installations/:id/access_tokens",
    (ctx) => {
      const id = Number(ctx.params.id);
      const installed = [...ctx.env.state.repos.values()].filter((r) => r.installationId === id);
      if (installed.length === 0) throw new HttpError(404, "Not Found");
      const scope = tokenScope(ctx.body ?? {}, installed, ctx.env.state.installationPermissions);
      const t = ctx.env.issueToken(id, { ...scope, requested: { ...(ctx.body ?? {}) } });
      const repos = scope.repositoryIds && installed.filter((r) => scope.repositoryIds!.includes(r.id));
      return ok(
        {
          token: t.token,
          expires_at: t.expiresAt,
          permissions: scope.permissions ?? installationJson(ctx, id).permissions,
          repository_selection: repos ? "selected" : "all",
          ...(repos ? { repositories: repos.map((r) => repoJson(ctx.env.urls, ctx.env.state, r)) } : {}),
        },
        201,
      );
    },
    { appAuth: true },
  ),
  route(
    "GET",
    "/repos/:owner/:repo/installation",
    (ctx) => ok(installationJson(ctx, needRepo(ctx).installationId)),
    {
      appAuth: true,
    },
  ),
  route("GET", "/repos/:owner/:repo", (ctx) => ok(repoJson(ctx.env.urls, ctx.env.state, needRepo(ctx)))),
  route("GET", "/users/:login", (ctx) => ok(userJson(ctx.env.state.user(ctx.params.login!)))),
  route("GET", "/rate_limit", () => {
    const core = { limit: 5000, used: 0, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 };
    return ok({ resources: { core, search: core, graphql: core }, rate: core });
  }),
  route("GET", "/repos/:owner/:repo/collaborators/:user/permission", (ctx) => {
    const repo = needRepo(ctx);
    const login = ctx.params.user!;
    const role = repo.permissions.get(login.toLowerCase()) ?? repo.defaultPermission;
    return ok({ permission: ROLE[role], role_name: role, user: userJson(ctx.env.state.user(login)) });
  }),
  route("POST", "/repos/:owner/:repo/check-runs", (ctx) => {
    const repo = needRepo(ctx);
    const run: CheckRunState = {
      id: ctx.env.state.nextId(),
      owner: repo.owner,
      repo: repo.name,
      name: needString(ctx.body, "name"),
      headSha: needString(ctx.body, "head_sha"),
      status: "queued",
      conclusion: null,
      output: null,
      detailsUrl: null,
      history: [],
    };
    applyCheckRun(run, ctx.body);
    ctx.env.state.checkRuns.push(run);
    return ok(checkRunJson(ctx.env.urls, run), 201);
  }),
  route("PATCH", "/repos/:owner/:repo/check-runs/:id", (ctx) => {
    const run = checkRun(ctx);
    applyCheckRun(run, ctx.body ?? {});
    return ok(checkRunJson(ctx.env.urls, run));
  }),
  route("GET", "/repos/:owner/:repo/contents/:path*", async (ctx) => {
    const repo = needRepo(ctx);
    const ref = ctx.query.get("ref") ?? repo.defaultBranch;
    const path = ctx.params.path ?? "";
    const found = await ctx.env.git.readPath(`${repo.owner}/${repo.name}`, ref, path);
    if (!found) throw new HttpError(404, "Not Found");
    const base = `${ctx.env.urls.api}/repos/${repo.owner}/${repo.name}/contents`;
    if (found.type === "dir") {
      return ok(
        found.entries.map((e) => ({
          type: e.type === "blob" ? "file" : e.type === "tree" ? "dir" : "submodule",
          name: e.path.split("/").pop(),
          path: e.path,
          sha: e.sha,
          size: e.size,
          url: `${base}/${e.path}?ref=${ref}`,
        })),
      );
    }
    if (/\.raw\b/.test(ctx.accept))
      return { status: 200, raw: found.content, contentType: "text/plain; charset=utf-8" };
    return ok({
      type: "file",
      encoding: "base64",
      name: path.split("/").pop(),
      path,
      sha: found.sha,
      size: found.content.length,
      content: (found.content.toString("base64").match(/.{1,60}/g) ?? []).join("\n"),
      url: `${base}/${path}?ref=${ref}`,
    });
  }),
];
