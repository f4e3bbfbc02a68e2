// Stand-in endpoints for the App, repositories, collaborators, pulls, check runs, contents,
// rate limits and the two GraphQL mutations that toggle a pull request's draft state.
import { checkRunJson, pullJson, repoJson, reviewCommentJson, userJson } from "./github-json.js";
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
import type { CheckRunState, IssueState, Permission } from "./github-state.js";

async function pull(ctx: RouteContext, issue: IssueState) {
  if (!issue.pull) throw new HttpError(404, "Not Found");
  const name = `${issue.owner}/${issue.repo}`;
  const heads = {
    head: await ctx.env.git.revParse(name, issue.pull.head),
    base: await ctx.env.git.revParse(name, issue.pull.base),
  };
  return pullJson(ctx.env.urls, ctx.env.state, issue, heads);
}

function installationJson(ctx: RouteContext, id: number) {
  return {
    id,
    account: userJson(
      ctx.env.state.user([...ctx.env.state.repos.values()][0]?.owner ?? "acme", "Organization"),
    ),
    app_id: ctx.env.app.id,
    app_slug: ctx.env.app.slug,
    target_type: "Organization",
    permissions: {
      issues: "write",
      pull_requests: "write",
      contents: "write",
      checks: "write",
      metadata: "read",
    },
    events: ["issues", "issue_comment", "pull_request", "pull_request_review_comment"],
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
      if (![...ctx.env.state.repos.values()].some((r) => r.installationId === id))
        throw new HttpError(404, "Not Found");
      const t = ctx.env.issueToken(id);
      return ok(
        {
          token: t.token,
          expires_at: t.expiresAt,
          permissions: installationJson(ctx, id).permissions,
          repository_selection: "all",
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
  route("GET", "/repos/:owner/:repo/pulls", async (ctx) => {
    const repo = needRepo(ctx);
    const wantState = ctx.query.get("state") ?? "open";
    const head = ctx.query.get("head");
    const base = ctx.query.get("base");
    const found = ctx.env.state.pulls(repo.owner, repo.name).filter((i) => {
      if (wantState !== "all" && i.state !== wantState) return false;
      if (head && head !== `${repo.owner}:${i.pull!.head}` && head !== i.pull!.head) return false;
      return !base || base === i.pull!.base;
    });
    return ok(await Promise.all(found.map((i) => pull(ctx, i))));
  }),
  route("GET", "/repos/:owner/:repo/pulls/:number", async (ctx) => {
    const issue = needIssue(ctx);
    if (issue.pull && /\.diff\b/.test(ctx.accept)) {
      const diff = await ctx.env.git.diffText(
        `${issue.owner}/${issue.repo}`,
        issue.pull.base,
        issue.pull.head,
      );
      return { status: 200, raw: Buffer.from(diff), contentType: "text/plain; charset=utf-8" };
    }
    return ok(await pull(ctx, issue));
  }),
  route("GET", "/repos/:owner/:repo/pulls/:number/files", async (ctx) => {
    const issue = needIssue(ctx);
    if (!issue.pull) throw new HttpError(404, "Not Found");
    const files = await ctx.env.git.diffFiles(
      `${issue.owner}/${issue.repo}`,
      issue.pull.base,
      issue.pull.head,
    );
    return ok(files.map((f) => ({ ...f, additions: 0, deletions: 0, changes: 0 })));
  }),
  route("GET", "/repos/:owner/:repo/pulls/:number/comments", (ctx) => {
    const issue = needIssue(ctx);
    const mine = ctx.env.state.reviewComments.filter(
      (c) => c.owner === issue.owner && c.repo === issue.repo && c.pullNumber === issue.number,
    );
    return ok(mine.map((c) => reviewCommentJson(ctx.env.urls, c)));
  }),
  route("GET", "/repos/:owner/:repo/branches/:branch*", async (ctx) => {
    const repo = needRepo(ctx);
    const sha = await ctx.env.git.revParse(`${repo.owner}/${repo.name}`, `refs/heads/${ctx.params.branch}`);
    if (!sha) throw new HttpError(404, "Branch not found");
    return ok({ name: ctx.params.branch, commit: { sha }, protected: false });
  }),
  route("POST", "/repos/:owner/:repo/pulls", async (ctx) => {
    const repo = needRepo(ctx);
    const title = needString(ctx.body, "title");
    const head = needString(ctx.body, "head").replace(new RegExp(`^${repo.owner}:`), "");
    const base = needString(ctx.body, "base");
    const name = `${repo.owner}/${repo.name}`;
    const [headSha, baseSha] = [
      await ctx.env.git.revParse(name, head),
      await ctx.env.git.revParse(name, base),
    ];
    if (!headSha || !baseSha) {
      throw new HttpError(422, "Validation Failed", [
        { resource: "PullRequest", field: headSha ? "base" : "head", code: "invalid" },
      ]);
    }
    if (headSha === baseSha) {
      throw new HttpError(422, "Validation Failed", [
        { resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` },
      ]);
    }
    if (ctx.env.state.pulls(repo.owner, repo.name).some((i) => i.state === "open" && i.pull!.head === head)) {
      throw new HttpError(422, "Validation Failed", [
        {
          resource: "PullRequest",
          code: "custom",
          message: `A pull request already exists for ${repo.owner}:${head}.`,
        },
      ]);
    }
    const at = now();
    const issue: IssueState = {
      id: ctx.env.state.nextId(),
      number: repo.nextNumber++,
      owner: repo.owner,
      repo: repo.name,
      title,
      body: typeof ctx.body.body === "string" ? ctx.body.body : null,
      state: "open",
      user: ctx.env.bot,
      labels: [],
      createdAt: at,
      updatedAt: at,
      pull: { head, base, draft: ctx.body.draft === true, merged: false, requestedReviewers: [], nodeId: "" },
    };
    issue.pull!.nodeId = `PR_${issue.id}`;
    ctx.env.state.issues.push(issue);
    return ok(await pull(ctx, issue), 201);
  }),
  route("PATCH", "/repos/:owner/:repo/pulls/:number", async (ctx) => {
    const issue = needIssue(ctx);
    if (!issue.pull) throw new HttpError(404, "Not Found");
    const b = ctx.body ?? {};
    // Like GitHub, PATCH ignores `draft`: only the GraphQL mutations below change it.
    if (typeof b.title === "string") issue.title = b.title;
    if (typeof b.body === "string") issue.body = b.body;
    if (b.state === "open" || b.state === "closed") issue.state = b.state;
    if (typeof b.base === "string") issue.pull.base = b.base;
    issue.updatedAt = now();
    return ok(await pull(ctx, issue));
  }),
  route("POST", "/repos/:owner/:repo/pulls/:number/requested_reviewers", async (ctx) => {
    const issue = needIssue(ctx);
    if (!issue.pull) throw new HttpError(404, "Not Found");
    for (const login of Array.isArray(ctx.body?.reviewers) ? ctx.body.reviewers : []) {
      if (!issue.pull.requestedReviewers.includes(String(login)))
        issue.pull.requestedReviewers.push(String(login));
    }
    return ok(await pull(ctx, issue), 201);
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
  route("POST", "/graphql", (ctx) => {
    const query = String(ctx.body?.query ?? "");
    const mutation = /(markPullRequestReadyForReview|convertPullRequestToDraft)/.exec(query)?.[1];
    const vars = (ctx.body?.variables ?? {}) as Record<string, unknown>;
    const id =
      Object.values(vars).find((v) => typeof v === "string" && v.startsWith("PR_")) ??
      /"(PR_\d+)"/.exec(query)?.[1];
    const issue = ctx.env.state.issues.find((i) => i.pull?.nodeId === id);
    if (!mutation || !issue?.pull) {
      return ok({
        data: null,
        errors: [{ message: "The stand-in only knows the draft mutations on a known pullRequestId." }],
      });
    }
    issue.pull.draft = mutation === "convertPullRequestToDraft";
    return ok({
      data: { [mutation]: { pullRequest: { id, isDraft: issue.pull.draft, number: issue.number } } },
    });
  }),
];
