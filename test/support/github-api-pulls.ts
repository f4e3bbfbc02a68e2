// Stand-in endpoints for pull requests (one open PR per head branch, as GitHub enforces),
// their files and diff from git, and branches. GraphQL (draft state, review threads) is in
// github-api-graphql.ts.
import { pullJson, reviewCommentJson } from "./github-json.js";
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
import type { IssueState } from "./github-state.js";

async function pull(ctx: RouteContext, issue: IssueState) {
  if (!issue.pull) throw new HttpError(404, "Not Found");
  const name = `${issue.owner}/${issue.repo}`;
  const heads = {
    head: await ctx.env.git.revParse(name, issue.pull.head),
    base: await ctx.env.git.revParse(name, issue.pull.base),
  };
  return pullJson(ctx.env.urls, ctx.env.state, issue, heads);
}

export const pullRoutes: Route[] = [
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
];
