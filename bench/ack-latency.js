// Webhook acknowledgement latency: the same signed `issues.labeled` delivery, 50 in flight
// at a time, against the app and against a bare Probot app with a no-op handler, in
// alternating rounds of the same run. The app asks the stand-in for the sender's permission
// first (the one API call a trigger costs at the webhook), stores a job for every delivery (SQLite,
// synchronous = FULL) and reacts 👀 in the background, as in production. So that the
// stored jobs do not start running and compete with the measurement, every delivery
// targets one issue whose first job is parked at its first model call: the others queue
// behind it (one job per target at a time), as redeliveries or repeated labels would.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startApp, startBareProbot, WEBHOOK_SECRET } from "./processes.js";
import { REPO_ROOT } from "./stand-in.js";
import { percentile } from "./stats.js";
import { firstRequest, OWNER, REPO, REPORT_STEP, run } from "./world.js";

/**
 * What the app's own /metrics says about its process (prom-client's default metrics): heap in
 * use, seconds spent in GC so far, and the event loop's p99 delay since the previous scrape.
 * Read between rounds, outside the timed deliveries: it shows whether the app carries
 * something from one round into the next.
 */
async function processMetrics(appUrl) {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  const sum = (name) =>
    text
      .split("\n")
      .filter((l) => l.startsWith(`backend_go_agent_${name}`))
      .reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  return {
    heapMiB: sum("nodejs_heap_size_used_bytes ") / 2 ** 20,
    gcSeconds: sum("nodejs_gc_duration_seconds_sum"),
    lagP99Ms: sum("nodejs_eventloop_lag_p99_seconds ") * 1000,
  };
}

/**
 * Signs in to the app's pages as `login` through the stand-in's OAuth flow and opens the
 * live event stream of `jobId`, read in the background; returns how many bytes came and a close.
 */
async function openLivePage(world, appUrl, jobId, login) {
  world.gh.oauth.signedIn = login;
  const start = await fetch(`${appUrl}/ui/login`, { redirect: "manual" });
  const flow = start.headers.getSetCookie()[0].split(";")[0];
  const back = await fetch(start.headers.get("location"), { redirect: "manual" });
  const done = await fetch(back.headers.get("location"), { redirect: "manual", headers: { cookie: flow } });
  const session = done.headers
    .getSetCookie()
    .find((c) => c.startsWith("bga_session="))
    ?.split(";")[0];
  if (!session) throw new Error(`signing in to the pages failed (${done.status})`);
  const controller = new AbortController();
  const res = await fetch(`${appUrl}/ui/jobs/${jobId}/events`, {
    headers: { cookie: session },
    signal: controller.signal,
  });
  if (res.status !== 200) throw new Error(`the job's live stream answered ${res.status}`);
  const page = { bytes: 0 };
  const reading = (async () => {
    for await (const chunk of res.body) page.bytes += chunk.length;
  })().catch(() => undefined);
  return {
    page,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

const reactionPosts = (world) =>
  world.gh.state.requests.filter((r) => r.method === "POST" && r.path.endsWith("/reactions")).length;

/** The load generator as a child process; `round(job)` runs one round and resolves with its latencies. */
function startClient() {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bench", "ack-client.js")], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const waiting = [];
  createInterface({ input: child.stdout }).on("line", (line) => waiting.shift()?.(JSON.parse(line)));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return {
    round(job) {
      return new Promise((resolve, reject) => {
        waiting.push((result) =>
          result.failed
            ? reject(new Error(`${result.failed} deliveries failed: ${result.failures}`))
            : resolve(result.latencies),
        );
        child.stdin.write(`${JSON.stringify(job)}\n`);
      });
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

export async function measureAck(
  world,
  {
    dataDir,
    rounds = 10,
    perRound: deliveries = 200,
    warmup = 300,
    concurrency = 50,
    appEnv = {},
    bareEnv = {},
    /** Sign in to the pages and keep the parked job's live page (its event stream) open throughout. */
    pageOpen = false,
  },
) {
  // The app syncs every stored job to disk: start from a disk with nothing left to write
  // back from the bench's own set-up (2,000 generated files), which would slow the first syncs.
  await run("sync", []);
  const common = { appId: world.gh.app.id, privateKey: world.keys.privateKey, gheHost: world.gh.host };
  const app = await startApp({
    ...common,
    modelUrl: world.model.url,
    dataDir,
    // The same delivery hundreds of times an hour: without this the rate limit would turn
    // most of them away, and the bench would measure refusals instead of the enqueue path.
    env: {
      SHUTDOWN_GRACE_SECONDS: "1",
      TRIGGER_RATE_LIMIT: "0",
      TRIGGER_RATE_LIMIT_REPOSITORY: "0",
      ...(pageOpen
        ? { GITHUB_CLIENT_ID: world.gh.oauth.clientId, GITHUB_CLIENT_SECRET: world.gh.oauth.clientSecret }
        : {}),
      ...appEnv,
    },
  });
  const bare = await startBareProbot({ ...common, env: bareEnv });
  const client = startClient();
  let release;
  let live;
  const parked = new Promise((r) => {
    release = r;
  });
  try {
    // Park one job at its first model call; every delivery below queues behind it.
    const issue = await world.labelIssue(app.url, {
      title: "Parked job",
      scenario: async () => {
        await parked;
        return REPORT_STEP;
      },
    });
    await firstRequest(world.model, issue.key);
    if (pageOpen) {
      const { jobs } = await (await fetch(`${app.url}/jobs?status=running`)).json();
      const parkedJob = jobs.find((j) => j.target === `${OWNER}/${REPO}#${issue.number}`);
      live = await openLivePage(world, app.url, parkedJob.id, "alice");
    }
    const body = JSON.stringify(world.issuePayload(REPO, issue.number));
    const signature = world.signPayload(WEBHOOK_SECRET, body);
    const shot = (server, name, count, round) =>
      client.round({
        url: `${server.url}/api/github/webhooks`,
        event: "issues",
        body,
        signature,
        count,
        concurrency,
        prefix: `ack-${name}-${round}`,
      });

    await shot(app, "app", warmup, "warmup");
    await shot(bare, "bare", warmup, "warmup");
    const samples = { app: [], bare: [] };
    const roundRatios = [];
    const roundP99Ratios = [];
    const perRound = { app: [], bare: [] };
    // Per app round: heap after it, GC time during it, and the reactions GitHub received.
    const appProcess = [];
    let before = await processMetrics(app.url);
    const reactionsBefore = reactionPosts(world);
    for (let round = 0; round < rounds; round++) {
      // Short rounds, alternating who goes first, so drift in the machine's load (other
      // processes on it) hits both alike.
      const order = round % 2 === 0 ? ["app", "bare"] : ["bare", "app"];
      const p50 = {};
      const p99 = {};
      for (const name of order) {
        const latencies = await shot(name === "app" ? app : bare, name, deliveries, round);
        samples[name].push(...latencies);
        p50[name] = percentile(latencies, 50);
        p99[name] = percentile(latencies, 99);
        perRound[name].push({ p50: p50[name], p99: p99[name] });
        if (name === "app") {
          const after = await processMetrics(app.url);
          appProcess.push({
            heapMiB: after.heapMiB,
            gcMs: (after.gcSeconds - before.gcSeconds) * 1000,
            lagP99Ms: after.lagP99Ms,
            reactions: reactionPosts(world) - reactionsBefore,
          });
          before = after;
        }
      }
      roundRatios.push(p50.app / p50.bare);
      roundP99Ratios.push(p99.app / p99.bare);
    }
    const stats = (xs) => ({ n: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99) });
    const jobs = await (await fetch(`${app.url}/health`)).json();
    return {
      app: stats(samples.app),
      bare: stats(samples.bare),
      concurrency,
      rounds,
      roundRatios,
      roundP99Ratios,
      perRound,
      appProcess,
      reactionsSent: reactionPosts(world) - reactionsBefore,
      queue: jobs.queue ?? jobs,
      target: `${OWNER}/${REPO}#${issue.number}`,
      ...(live ? { pageBytes: live.page.bytes } : {}),
    };
  } finally {
    await live?.close();
    release();
    await client.close();
    await app.stop();
    await bare.stop();
  }
}
