// Stand-in endpoints for reading check runs: one run, the runs on a ref (a sha, a branch, or
// `heads/<branch>`), a run's annotations, and GitHub Actions jobs with their logs (403 when
// `state.actionsReadable` is off, as without the `actions: read` permission).
import { checkRunJson } from "./github-json.js";
import { HttpError, needRepo, ok, type Route, type RouteContext, route } from "./github-routes.js";
import type { CheckRunState } from "./github-state.js";

function json(ctx: RouteContext, run: CheckRunState) {
  const app = run.app ?? { id: ctx.env.app.id, slug: ctx.env.app.slug };
  return { ...checkRunJson(ctx.env.urls, run), app: { id: app.id, slug: app.slug, name: app.slug } };
}

function needRun(ctx: RouteContext): CheckRunState {
  const repo = needRepo(ctx);
  const run = ctx.env.state.checkRuns.find(
    (c) => c.id === Number(ctx.params.id) && c.owner === repo.owner && c.repo === repo.name,
  );
  if (!run) throw new HttpError(404, "Not Found");
  return run;
}

function needActionsJob(ctx: RouteContext) {
  const repo = needRepo(ctx);
  if (!ctx.env.state.actionsReadable) throw new HttpError(403, "Resource not accessible by integration");
  const job = ctx.env.state.actionsJobs.find(
    (j) => j.id === Number(ctx.params.id) && j.owner === repo.owner && j.repo === repo.name,
  );
  if (!job) throw new HttpError(404, "Not Found");
  return job;
}

export const checkRoutes: Route[] = [
  route("GET", "/repos/:owner/:repo/check-runs/:id", (ctx) => ok(json(ctx, needRun(ctx)))),
  route("GET", "/repos/:owner/:repo/check-runs/:id/annotations", (ctx) => {
    const run = needRun(ctx);
    return ok(
      (run.annotations ?? []).map((a) => ({
        path: a.path,
        start_line: a.startLine,
        end_line: a.endLine,
        annotation_level: a.level,
        message: a.message,
        title: a.title ?? null,
        raw_details: null,
      })),
    );
  }),
  route("GET", "/repos/:owner/:repo/commits/:ref/check-runs", async (ctx) => {
    const repo = needRepo(ctx);
    const ref = ctx.params.ref!;
    const sha = /^[0-9a-f]{40}$/i.test(ref)
      ? ref
      : await ctx.env.git.revParse(`${repo.owner}/${repo.name}`, `refs/heads/${ref.replace(/^heads\//, "")}`);
    const name = ctx.query.get("check_name");
    const runs = ctx.env.state.checkRuns.filter(
      (c) =>
        c.owner === repo.owner && c.repo === repo.name && c.headSha === sha && (!name || c.name === name),
    );
    return ok({ total_count: runs.length, check_runs: runs.map((r) => json(ctx, r)) });
  }),
  route("GET", "/repos/:owner/:repo/check-suites/:id/check-runs", (ctx) => {
    const repo = needRepo(ctx);
    const runs = ctx.env.state.checkRuns.filter(
      (c) => c.owner === repo.owner && c.repo === repo.name && c.suiteId === Number(ctx.params.id),
    );
    return ok({ total_count: runs.length, check_runs: runs.map((r) => json(ctx, r)) });
  }),
  route("GET", "/repos/:owner/:repo/actions/jobs/:id", (ctx) => {
    const job = needActionsJob(ctx);
    return ok({ id: job.id, status: "completed", conclusion: "failure", steps: job.steps });
  }),
  route("GET", "/repos/:owner/:repo/actions/jobs/:id/logs", (ctx) => {
    const job = needActionsJob(ctx);
    return { status: 200, raw: Buffer.from(job.log), contentType: "text/plain; charset=utf-8" };
  }),
];
