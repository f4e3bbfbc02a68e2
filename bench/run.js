// `npm run bench`: builds, then measures the app against baselines in one run and writes
// bench/results.md. Every number is a ratio (or share) of two things measured here, on this
// machine, in this run; see each module for what exactly is compared:
//   ack-latency.js    webhook acknowledgement, app vs bare Probot, 50 concurrent
//   first-request.js  trigger → first model request, warm and cold, vs plain git
//   overhead.js       a whole job vs the sum of its raw git and go commands
//   prefix-share.js   byte-identical prefix share over a 10-turn session
//   memory.js         RSS idle and with 4 concurrent jobs
//   services.js       a job's PostgreSQL from the template vs the first, services' share of a verify
//   go-tools.js       gopls and golangci-lint on the generated module, cold and warm
//   evidence.js       what each evidence row (fail → pass, -race, API, govulncheck) adds to a verify
// The repository is generated (generate-repo.js): about 2,000 Go files in 100 packages.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { measureAck } from "./ack-latency.js";
import { measureEvidence, renderEvidence } from "./evidence.js";
import { measureFirstRequest } from "./first-request.js";
import { measureGoTools, renderGoTools } from "./go-tools.js";
import { measureMemory } from "./memory.js";
import { measureOverhead } from "./overhead.js";
import { measurePrefixShare } from "./prefix-share.js";
import { startApp } from "./processes.js";
import { sections, withSection } from "./results-section.js";
import { measureServices, renderServices } from "./services.js";
import { REPO_ROOT } from "./stand-in.js";
import { fmtMs, median, renderGrid, renderTable, row } from "./stats.js";
import { createWorld } from "./world.js";

const quick = process.argv.includes("--quick");
const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const version = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" }).trim().split("\n")[0];
  } catch {
    return "not found";
  }
};

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function main() {
  const startedAt = Date.now();
  const loadBefore = loadavg();
  log("generating the repository and starting the GitHub stand-in and the scripted model");
  const world = await createWorld();
  const results = {};
  try {
    log("webhook acknowledgement: app vs bare Probot, 50 concurrent deliveries");
    results.ack = await measureAck(world, {
      dataDir: join(world.tmp, "ack-data"),
      ...(quick ? { rounds: 2, perRound: 200, warmup: 100 } : {}),
    });
    // Diagnostic: the same with both servers logging at warn, i.e. without the one line per
    // HTTP request (and the app's "job queued" line) that info writes.
    log("webhook acknowledgement again, both servers at LOG_LEVEL=warn (diagnostic)");
    const quiet = { LOG_LEVEL: "warn" };
    results.ackQuiet = await measureAck(world, {
      dataDir: join(world.tmp, "ack-quiet-data"),
      appEnv: quiet,
      bareEnv: quiet,
      ...(quick ? { rounds: 2, perRound: 200, warmup: 100 } : { rounds: 6 }),
    });

    // The operator's view open on a live job: sign-in with GitHub and the job page's event stream.
    log("webhook acknowledgement with a signed-in job page open on the parked (live) job");
    results.ackPage = await measureAck(world, {
      dataDir: join(world.tmp, "ack-page-data"),
      pageOpen: true,
      ...(quick ? { rounds: 2, perRound: 200, warmup: 100 } : { rounds: 6 }),
    });

    const app = await startApp({
      appId: world.gh.app.id,
      privateKey: world.keys.privateKey,
      gheHost: world.gh.host,
      modelUrl: world.model.url,
      dataDir: join(world.tmp, "data"),
    });
    try {
      results.sandbox = (await (await fetch(`${app.url}/health`)).json()).sandbox;
      log("whole job vs its raw commands (the first job warms the caches)");
      results.overhead = await measureOverhead(world, app, quick ? { trials: 1 } : { trials: 5 });
      log("trigger → first model request, warm cache and cold clone");
      results.first = await measureFirstRequest(world, app, quick ? { warmTrials: 2, coldTrials: 1 } : {});
      log("cacheable prefix share over a 10-turn session");
      results.prefix = await measurePrefixShare(world, app);
    } finally {
      await app.stop();
    }
    log("memory: idle, and 4 concurrent jobs");
    results.memory = await measureMemory(world, { dataDir: join(world.tmp, "data") });
    log("gopls and golangci-lint on the generated module");
    results.goTools = await measureGoTools({ log });
    log("services: PostgreSQL and Redis per job, and their share of a verify");
    results.services = await measureServices({ log });
    log("evidence rows: what each adds to a one-file verify, cold and warm");
    results.evidence = await measureEvidence({ log, quick });
  } finally {
    await world.close();
  }
  results.env = {
    node: process.version,
    go: version("go", ["version"]),
    git: version("git", ["--version"]),
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - startedAt) / 1000),
    load: `${loadBefore} before, ${loadavg()} after`,
  };
  results.repo = world.repoStats;
  const path = join(REPO_ROOT, "bench", "results.md");
  const owned = [
    ["go-tools", renderGoTools(results.goTools)],
    ["services", renderServices(results.services)],
    ["evidence", renderEvidence(results.evidence)],
  ];
  // Sections other scripts own (verify-scope.js's) stay as they were measured.
  const kept = sections(await readFile(path, "utf8").catch(() => "")).filter(
    ([name]) => !owned.some(([own]) => own === name),
  );
  const markdown = [...owned, ...kept].reduce(
    (md, [name, section]) => withSection(md, name, section),
    render(results),
  );
  await writeFile(path, markdown);
  process.stdout.write(`${markdown}\n`);
  log(`wrote bench/results.md in ${results.env.seconds} s`);
}

function render(r) {
  const { ack, first, overhead, prefix, memory } = r;
  const ratio = (a, b) => a / b;
  const rows = [
    row(
      "webhook ack p50, 50 concurrent",
      fmtMs(ack.app.p50),
      fmtMs(ack.bare.p50),
      ratio(ack.app.p50, ack.bare.p50),
      1.2,
    ),
    row(
      "webhook ack p99, 50 concurrent",
      fmtMs(ack.app.p99),
      fmtMs(ack.bare.p99),
      ratio(ack.app.p99, ack.bare.p99),
      1.2,
    ),
    row(
      "webhook ack p50, a signed-in job page open on a live job",
      fmtMs(r.ackPage.app.p50),
      fmtMs(r.ackPage.bare.p50),
      ratio(r.ackPage.app.p50, r.ackPage.bare.p50),
      1.2,
    ),
    row(
      "diagnostic: ack p50, both at LOG_LEVEL=warn",
      fmtMs(r.ackQuiet.app.p50),
      fmtMs(r.ackQuiet.bare.p50),
      ratio(r.ackQuiet.app.p50, r.ackQuiet.bare.p50),
      1.2,
    ),
    row(
      "trigger → first model request, warm cache",
      fmtMs(first.warm.app),
      `${fmtMs(first.warm.baseline)} (git fetch + worktree add)`,
      ratio(first.warm.app, first.warm.baseline),
      1.5,
    ),
    row(
      "trigger → first model request, cold",
      fmtMs(first.cold.app),
      `${fmtMs(first.cold.baseline)} (git clone)`,
      ratio(first.cold.app, first.cold.baseline),
      1.5,
    ),
    row(
      "whole job, instant model",
      fmtMs(overhead.app),
      `${fmtMs(overhead.baseline)} (sum of raw commands)`,
      ratio(overhead.app, overhead.baseline),
      1.3,
    ),
    row("cacheable prefix share, 10 turns (mean)", "—", "—", prefix.mean, 0.9, "higher"),
    row("cacheable prefix share, 10 turns (min)", "—", "—", prefix.min, 0.9, "higher"),
    row("previous request kept as prefix (min)", "—", "—", prefix.minReused, 0.9, "higher"),
    row("RSS idle", `${memory.idle.toFixed(0)} MiB`, "—", memory.idle, 150),
    row(`RSS peak, ${memory.jobs} concurrent jobs`, `${memory.peak.toFixed(0)} MiB`, "—", memory.peak, 400),
  ];
  const steps = Object.entries(overhead.baselineSteps)
    .map(([k, v]) => `${k} ${fmtMs(v)}`)
    .join(", ");
  const s = (xs) => xs.map((x) => fmtMs(x)).join(", ");
  return `# Benchmark results

Measured by \`npm run bench\` on ${r.env.date.slice(0, 10)} (${r.env.seconds} s): ${r.env.cpus}, Node ${r.env.node},
${r.env.go}, ${r.env.git}; Go runs sandboxed: ${r.sandbox?.kind ?? "?"}. Load average (1, 5, 15 min):
${r.env.load}; other processes on the machine move both sides of each ratio, not always alike.

Repository: generated by \`bench/generate-repo.js\` (deterministic, stdlib only):
${r.repo.goFiles} Go files (${r.repo.testFiles} of them tests) in ${r.repo.packages} packages, ${r.repo.lines.toLocaleString("en")} lines.

${renderTable(rows)}

Webhook ack per round (same run; app heap after its round and GC during it, from its /metrics):

${ackRounds(ack)}

Details:

- Webhook ack: ${ack.app.n} deliveries to each server in ${ack.rounds} alternating rounds, ${ack.concurrency} in flight, same signed
  \`issues.labeled\` payload; every app delivery stores a job (queued behind one parked job of the same issue).
  Per round (${ack.app.n / ack.rounds} deliveries to each) in the table below.
  p50 ratio per round: ${ack.roundRatios.map((x) => x.toFixed(2)).join(", ")} (median ${median(ack.roundRatios).toFixed(2)});
  p99 ratio per round: ${ack.roundP99Ratios.map((x) => x.toFixed(2)).join(", ")} (median ${median(ack.roundP99Ratios).toFixed(2)}).
  The app's process after each of its rounds (its /metrics, read between rounds): heap in use
  ${ack.appProcess.map((x) => x.heapMiB.toFixed(0)).join(", ")} MiB; GC ${ack.appProcess.map((x) => x.gcMs.toFixed(1)).join(", ")} ms per round.
  The stand-in received ${ack.reactionsSent} 👀 requests for the ${ack.app.n} timed deliveries on the one issue
  (one in flight per installation, the rest coalesced per subject).
  Cause of the 1.59 / 1.70 (p50 / p99) of 2026-12-01 and its rise over rounds (before the 👀 left the webhook path): every delivery left a 👀 request
  pending in Probot's throttle (about one write a second per installation is sent), holding its event's
  Octokit client and payload, about 40 KB each. Measured with the same /metrics reading on the code before the change:
  the heap grew 58 → 131 MiB over the 10 rounds and GC took 11–25 ms per round (2–7 ms after it, heap flat
  at 45–57 MiB); with the reaction call switched off the ratios matched the fix's. The SQLite insert was not it:
  one transaction per event-loop turn (~40 deliveries, ~2 ms with its sync) already.
  ${ackFloor(ack)}
  With a job page open (signed in, its live stream read throughout, ${r.ackPage.pageBytes} bytes streamed): p99 app ${fmtMs(r.ackPage.app.p99)}, bare ${fmtMs(r.ackPage.bare.p99)}; p50 ratio per round ${r.ackPage.roundRatios.map((x) => x.toFixed(2)).join(", ")}.
  At LOG_LEVEL=warn: p99 app ${fmtMs(r.ackQuiet.app.p99)}, bare ${fmtMs(r.ackQuiet.bare.p99)}; p50 ratio per round ${r.ackQuiet.roundRatios.map((x) => x.toFixed(2)).join(", ")}.
- First request, warm (median of ${first.warm.samples.app.length}): app ${s(first.warm.samples.app)}; baseline ${s(first.warm.samples.baseline)}.
- First request, cold (median of ${first.cold.samples.app.length}): app ${s(first.cold.samples.app)}; baseline ${s(first.cold.samples.baseline)}.
- Whole job (median of ${overhead.samples.app.length}): app ${s(overhead.samples.app)}; baseline ${s(overhead.samples.baseline)}.
  Baseline steps (medians): ${steps}.
  The app's job made ${overhead.writes} API writes, ${overhead.publishWrites} of them after the push; from the push to the
  job's finish (check run, pull request, final tracking edit) took ${fmtMs(overhead.publish)}. Without that phase the job
  took ${fmtMs(overhead.app - overhead.publish)}, ${((overhead.app - overhead.publish) / (overhead.baseline - overhead.baselineSteps.push)).toFixed(2)}× the raw commands before the push.
- Prefix share per request (2..${prefix.requests}): ${prefix.shares.map((x) => x.toFixed(3)).join(", ")};
  share of the previous request kept as the prefix: ${prefix.reused.map((x) => x.toFixed(3)).join(", ")};
  request sizes ${prefix.bytes.map((b) => `${(b / 1024).toFixed(1)} KiB`).join(", ")}.
- Memory: idle ${memory.idle.toFixed(0)} MiB after startup, peak ${memory.peak.toFixed(0)} MiB (VmHWM ${memory.hwm.toFixed(0)},
  sampled ${memory.sampledPeak.toFixed(0)}) while ${memory.jobs} jobs ran (${fmtMs(memory.wallMs)}), ${memory.idleAfter.toFixed(0)} MiB idle after.
`;
}

/** The round where bare Probot was fastest: there the app's fixed work per delivery shows most. */
function ackFloor(ack) {
  const bare = ack.perRound.bare.map((b) => b.p50);
  const i = bare.indexOf(Math.min(...bare));
  return `What is left shows where bare Probot is fastest (round ${i + 1}: p50 ${fmtMs(bare[i])}, the app ${fmtMs(ack.perRound.app[i].p50)}): the app's own work per delivery, on the event loop (payload parse and checks, the insert and its sync to disk, a log line).`;
}

/** One row per round: p50 and p99 of the app and of bare Probot, their ratios, the app's heap and GC. */
function ackRounds(ack) {
  const head = [
    "round",
    "app p50",
    "bare p50",
    "p50 ratio",
    "app p99",
    "bare p99",
    "p99 ratio",
    "app heap",
    "app GC",
  ];
  const body = ack.perRound.app.map((a, i) => {
    const b = ack.perRound.bare[i];
    const proc = ack.appProcess[i];
    return [
      String(i + 1),
      fmtMs(a.p50),
      fmtMs(b.p50),
      (a.p50 / b.p50).toFixed(2),
      fmtMs(a.p99),
      fmtMs(b.p99),
      (a.p99 / b.p99).toFixed(2),
      `${proc.heapMiB.toFixed(0)} MiB`,
      fmtMs(proc.gcMs),
    ];
  });
  return renderGrid(head, body);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
