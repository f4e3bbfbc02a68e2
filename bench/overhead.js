// The harness's overhead: one whole job with an instant scripted model (write a file,
// `go test ./...`, report; then the app verifies, commits, pushes and opens the PR), from
// the webhook POST to the job's recorded finish, against the sum of the raw git and go
// commands that job inherently needs, run directly, one after the other, in a warm clone
// with a warm Go build cache of its own:
//   git fetch; git worktree add -B <branch>; go test ./... (the agent's call);
//   go mod download; gofmt -l <file>; go vet ./...; go build -o /dev/null ./...;
//   go test -json -timeout=540s ./...; git add; git commit; git push.
// The baseline's checkout always sits at the same path, as a developer's clone does: Go's
// build cache keys compiled packages by their directory, so a new path rebuilds them.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { median } from "./stats.js";
import { finishedJob, REPO, run, settleThrottle, timed, writeAndTestScenario } from "./world.js";

const GO_ENV_KEYS = ["PATH"];

function goEnv(base) {
  const env = {
    HOME: join(base, "home"),
    TMPDIR: join(base, "tmp"),
    GOPATH: join(base, "gopath"),
    GOMODCACHE: join(base, "gopath", "pkg", "mod"),
    GOCACHE: join(base, "gocache"),
    GOTOOLCHAIN: "local",
    GOENV: "off",
    GOFLAGS: "-buildvcs=false",
    GOPROXY: "off",
    CGO_ENABLED: "0",
    GOTELEMETRY: "off",
  };
  for (const k of GO_ENV_KEYS) env[k] = process.env[k];
  return env;
}

export function markerFile(n) {
  return {
    path: `accounts/api/marker_${n}.go`,
    content: `package api\n\n// Marker${n} marks benchmark job ${n}.\nconst Marker${n} = ${n}\n`,
  };
}

/**
 * One app job: POST → the job's recorded finish, in ms, and where that time went: `publish`
 * runs from the push reaching the stand-in to the finish (check run, pull request, final
 * tracking edit), `writes` counts the job's API writes, which Probot spaces a second apart.
 */
export async function appJob(world, app, n) {
  const { path, content } = markerFile(n);
  await settleThrottle();
  const apiFrom = world.gh.state.requests.length;
  const gitFrom = world.gh.git.requests.length;
  const t = await world.labelIssue(app.url, { scenario: writeAndTestScenario(path, content) });
  const job = await finishedJob(app.url, t.deliveryId);
  if (job.status !== "succeeded") throw new Error(`job failed: ${job.error}`);
  const total = Date.parse(job.finishedAt) - t.started.wall;
  const push = world.gh.git.requests.slice(gitFrom).find((r) => r.url.endsWith("/git-receive-pack"));
  const api = world.gh.state.requests.slice(apiFrom);
  const writes = api.filter((r) => r.method !== "GET" && !r.path.endsWith("/access_tokens"));
  const publish = push ? total - (push.at - t.started.perf) : Number.NaN;
  return {
    total,
    publish,
    writes: writes.length,
    publishWrites: push ? writes.filter((r) => r.at >= push.at).length : 0,
  };
}

/** The same work as raw commands; returns each command's time and the sum. */
async function baselineJob(world, clone, work, env, n) {
  const { path, content } = markerFile(n);
  const git = (args, cwd = work) => world.plainGit(args, cwd);
  const go = (args) => timed("go", args, { cwd: work, env });
  const steps = {};
  steps.fetch = await git(["fetch", "--quiet", "origin"], clone);
  steps.checkout = await git(
    ["worktree", "add", "--quiet", "-B", `baseline/${n}`, work, "origin/main"],
    clone,
  );
  await writeFile(join(work, path), content);
  steps.agentGoTest = await go(["test", "./..."]);
  steps.modDownload = await timed("go", ["mod", "download"], {
    cwd: work,
    env: { ...env, GOPROXY: "https://proxy.golang.org,direct" },
  });
  steps.gofmt = await timed("gofmt", ["-l", join(work, path)], { cwd: work, env });
  steps.vet = await go(["vet", "./..."]);
  steps.build = await go(["build", "-o", "/dev/null", "./..."]);
  steps.test = await go(["test", "-json", "-timeout=540s", "./..."]);
  steps.add = await git(["add", "--all"]);
  steps.commit = await git(["commit", "--quiet", "-m", `Marker ${n}`]);
  steps.push = await git(["push", "--quiet", "origin", `baseline/${n}`]);
  const total = Object.values(steps).reduce((a, b) => a + b, 0);
  await git(["worktree", "remove", "--force", work], clone);
  return { total, steps };
}

export async function measureOverhead(world, app, { trials = 3, firstMarker = 100 } = {}) {
  const base = join(world.tmp, "overhead");
  const clone = join(base, "clone");
  const work = join(base, "work");
  const env = goEnv(base);
  for (const d of [env.HOME, env.TMPDIR]) await mkdir(d, { recursive: true });
  await world.plainGit(["clone", "--quiet", world.cloneUrl(REPO), clone]);
  await run("go", ["version"], { env });

  // Warm-up, not timed: both sides compile the repository once into their build caches.
  await appJob(world, app, firstMarker);
  await baselineJob(world, clone, work, env, firstMarker);

  const apps = [];
  const baselines = [];
  for (let i = 1; i <= trials; i++) {
    apps.push(await appJob(world, app, firstMarker + i));
    baselines.push(await baselineJob(world, clone, work, env, firstMarker + i));
  }
  await rm(base, { recursive: true, force: true });
  const medianSteps = {};
  for (const k of Object.keys(baselines[0].steps)) medianSteps[k] = median(baselines.map((b) => b.steps[k]));
  return {
    app: median(apps.map((a) => a.total)),
    baseline: median(baselines.map((b) => b.total)),
    publish: median(apps.map((a) => a.publish)),
    writes: median(apps.map((a) => a.writes)),
    publishWrites: median(apps.map((a) => a.publishWrites)),
    samples: { app: apps.map((a) => a.total), baseline: baselines.map((b) => b.total) },
    baselineSteps: medianSteps,
  };
}
