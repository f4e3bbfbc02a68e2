// `node bench/services.js` (after `npm run build`; also part of `npm run bench`): what the job's
// services cost. On a fresh DATA_DIR: the first job's PostgreSQL (initdb of the worker's template,
// then the job's cluster copied from it and started), a later job's (copy and start only), Redis,
// and stopping both; then their share of a verify — the services-ledger fixture (pgx + go-redis,
// `//go:build integration`) verified with its services, warm caches, as the job's verify would.
// Where nats-server and bubblewrap are: the first NATS (the bridge built cold, then the server
// in its own network namespace) and a later job's. Medians of BENCH_ROUNDS (default 5). Writes
// its section into bench/results.md.
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createGoToolchain } from "../dist/golang/go-toolchain.js";
import { parseRepoConfig } from "../dist/repo/repo-config.js";
import { createLocalServices } from "../dist/services/local-services.js";
import { withServices } from "../dist/services/with-services.js";
import { prepareModules } from "../dist/verify/prepare-modules.js";
import { verify } from "../dist/verify/verify.js";
import { withSection } from "./results-section.js";
import { REPO_ROOT } from "./stand-in.js";
import { fmtMs, renderTable, row } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const request = (list) => parseRepoConfig({ verify: { services: list } }, "bench").verify.services;

async function timed(fn) {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

/** A start, timed; one that failed would time nothing worth a row. */
async function started(services, list, options) {
  const t = await timed(() => services.start(request(list), options));
  if (t.value.problems.length) {
    await t.value.stop();
    throw new Error(`services did not start: ${t.value.problems.map((p) => p.reason).join("; ")}`);
  }
  return t;
}

export async function measureServices({ log = () => {} } = {}) {
  const tmp = await mkdtemp(join(tmpdir(), "bga-bench-services-"));
  // As a DATA_DIR's parent is: the services user (and NATS's sandbox, set up as that user) must
  // pass through it; mkdtemp's 0700 would stop it.
  await chmod(tmp, 0o711);
  try {
    const services = createLocalServices({ dataDir: join(tmp, "data") });
    if (!services.postgres || !services.redis) return { missing: true };
    log("services: the first job's PostgreSQL (template made, then copied)");
    const first = await started(services, ["postgres"], { checkoutDir: tmp });
    await first.value.stop();
    const later = [];
    const redis = [];
    const stops = [];
    log(`services: ${ROUNDS} later jobs' PostgreSQL, Redis, and stopping both`);
    for (let i = 0; i < ROUNDS; i++) {
      const p = await started(services, ["postgres"], { checkoutDir: tmp });
      later.push(p.ms);
      const r = await started(services, ["redis"], { checkoutDir: tmp });
      redis.push(r.ms);
      stops.push((await timed(() => Promise.all([p.value.stop(), r.value.stop()]))).ms);
    }
    let natsMs;
    if (services.nats) {
      log("services: the first NATS (the bridge built cold), then later jobs'");
      const firstNats = await started(services, ["nats"], { checkoutDir: tmp, sandboxed: true });
      await firstNats.value.stop();
      const laterNats = [];
      for (let i = 0; i < ROUNDS; i++) {
        const n = await started(services, ["nats"], { checkoutDir: tmp, sandboxed: true });
        laterNats.push(n.ms);
        await n.value.stop();
      }
      natsMs = { first: firstNats.ms, later: median(laterNats), version: services.nats.version };
    }
    log("services: their share of a verify of the services-ledger fixture");
    const toolchain = await createGoToolchain({ dataDir: join(tmp, "data"), goflags: "-modcacherw" });
    const dir = join(tmp, "ledger");
    await cp(join(REPO_ROOT, "test", "fixtures", "services-ledger"), dir, { recursive: true });
    await prepareModules(toolchain, dir);
    const shares = [];
    const verifies = [];
    for (let i = 0; i <= ROUNDS; i++) {
      const start = await started(services, ["postgres", "redis"], { checkoutDir: dir });
      const v = await timed(() => verify(withServices(toolchain, start.value, ["integration"]), { dir }));
      const stop = await timed(() => start.value.stop());
      if (v.value.overall !== "pass") throw new Error(`the fixture's verdict: ${v.value.summary}`);
      // Integration tests that skipped would time a verify that never reached the servers.
      if (!v.value.tests?.totals.passed || v.value.tests.totals.skipped)
        throw new Error(`the fixture's integration tests did not all run: ${v.value.summary}`);
      if (i === 0) continue; // warms the build cache
      const cost = start.ms + stop.ms;
      verifies.push(v.ms);
      shares.push(cost / (cost + v.ms));
    }
    return {
      date: new Date().toISOString(),
      versions: { postgres: services.postgres.version, redis: services.redis.version },
      isolation: toolchain.isolation,
      firstMs: first.ms,
      laterMs: median(later),
      redisMs: median(redis),
      stopMs: median(stops),
      verifyMs: median(verifies),
      share: median(shares),
      ...(natsMs ? { nats: natsMs } : {}),
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export function renderServices(r) {
  if (r.missing) return "## Services\n\nNot measured: PostgreSQL or Redis is not installed here.\n";
  const rows = [
    row(
      "a later job's PostgreSQL vs the first job's",
      fmtMs(r.laterMs),
      fmtMs(r.firstMs),
      r.laterMs / r.firstMs,
      0.5,
    ),
    row(
      "services' share of a verify with them",
      fmtMs(r.laterMs + r.redisMs + r.stopMs),
      `verify ${fmtMs(r.verifyMs)}`,
      r.share,
      0.25,
    ),
  ];
  if (r.nats)
    rows.push(
      row(
        "a later job's NATS vs the first (bridge built cold)",
        fmtMs(r.nats.later),
        fmtMs(r.nats.first),
        r.nats.later / r.nats.first,
        0.5,
      ),
    );
  const nats = r.nats
    ? ` NATS ${r.nats.version} runs in a network namespace of its own, reached through the bridge (built on the first NATS of a DATA_DIR, then reused).`
    : " NATS: not measured (nats-server or bubblewrap is not installed here).";
  return `## Services (PostgreSQL ${r.versions.postgres}, Redis ${r.versions.redis}${r.nats ? `, NATS ${r.nats.version}` : ""})

Measured by \`node bench/services.js\` (also part of \`npm run bench\`) on ${r.date.slice(0, 10)}; Go runs ${r.isolation === "bubblewrap" ? "sandboxed with bubblewrap" : "not sandboxed"}.
The first job's PostgreSQL initialises the worker's template (initdb) and starts a copy; a later job only copies and starts. Redis starts in ${fmtMs(r.redisMs)}; stopping both and removing their data takes ${fmtMs(r.stopMs)}. The share is (start + stop) / (start + stop + verify) for the services-ledger fixture verified with both services, warm.${nats}

${renderTable(rows)}
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
  const result = await measureServices({ log });
  const file = join(REPO_ROOT, "bench", "results.md");
  const section = renderServices(result);
  await writeFile(file, withSection(await readFile(file, "utf8"), "services", section));
  process.stdout.write(section);
}
