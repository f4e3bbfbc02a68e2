// What each evidence row (fail → pass, go test -race, exported API, govulncheck) adds to the
// verification of a one-file change on the generated 2,000-file module (generate-repo.js), as a
// ratio to the same verifyChange without them. The change adds an exported function to the leaf
// package and a test that fails without it. govulncheck runs by default only when go.mod or go.sum
// changed, which widens the verify to the whole module: it is measured twice, on the one-file
// change (verify.vulncheck: on) and on the same change with go.mod touched, against that change's
// own verify without it. Its database is a local OSV database written here (one entry, for a module
// the generated module does not use: no network, and what is measured is govulncheck loading the
// packages and matching them, the cost of a change that brings in nothing known).
// Cold: a fresh DATA_DIR (empty module and build caches, the evidence helper not built yet) for
// "none" and "all"; warm: the median of BENCH_ROUNDS runs per configuration after one untimed run.
// Base results are cached per base commit (as in production), so warm rounds measure what a repair
// round pays. Runs on its own (`node bench/evidence.js` after `npm run build`, writing its section
// of bench/results.md; --no-write only prints) or from run.js (--quick there: no cold runs, 1 round).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packages, writeRepository } from "./generate-repo.js";
import { withSection } from "./results-section.js";
import { REPO_ROOT } from "./stand-in.js";
import { renderGrid } from "./stats.js";

const dist = (p) => import(pathToFileURL(join(REPO_ROOT, "dist", p)).href);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const OFF = { failPass: "off", race: "off", api: "off" };
const ALL = { failPass: "on", race: "on", api: "warn" };
/** name → [evidence settings, govulncheck mode or undefined, whether go.mod is touched too]. */
const CONFIGS = {
  none: [undefined, undefined, false],
  "fail → pass": [{ ...OFF, failPass: "on" }, undefined, false],
  "go test -race": [{ ...OFF, race: "on" }, undefined, false],
  "exported API": [{ ...OFF, api: "warn" }, undefined, false],
  "govulncheck (verify.vulncheck: on)": [undefined, "on", false],
  all: [ALL, "on", false],
  "go.mod touched: none": [undefined, undefined, true],
  "go.mod touched: govulncheck (auto)": [undefined, "auto", true],
};
const COLD = ["none", "all"];
/** The configuration each one is divided by. */
const BASELINE = (name) => (name.startsWith("go.mod touched") ? "go.mod touched: none" : "none");

/** An OSV database in govulncheck's layout with one entry, for a module nobody here requires. */
async function writeVulnDb(dir) {
  const modified = "2026-11-01T00:00:00Z";
  const id = "GO-2026-9001";
  const module = "example.com/bgavuln/lib";
  await mkdir(join(dir, "index"), { recursive: true });
  await mkdir(join(dir, "ID"), { recursive: true });
  await writeFile(join(dir, "index", "db.json"), JSON.stringify({ modified }));
  await writeFile(
    join(dir, "index", "modules.json"),
    JSON.stringify([{ path: module, vulns: [{ id, modified, fixed: "1.2.0" }] }]),
  );
  await writeFile(join(dir, "index", "vulns.json"), JSON.stringify([{ id, modified, aliases: [] }]));
  await writeFile(
    join(dir, "ID", `${id}.json`),
    JSON.stringify({
      schema_version: "1.3.1",
      id,
      modified,
      published: modified,
      aliases: [],
      summary: `Parse in ${module} mishandles input`,
      details: "A benchmark fixture.",
      affected: [
        {
          package: { name: module, ecosystem: "Go" },
          ranges: [{ type: "SEMVER", events: [{ introduced: "1.1.0" }, { fixed: "1.2.0" }] }],
          ecosystem_specific: { imports: [{ path: module, symbols: ["Parse"] }] },
        },
      ],
    }),
  );
}

async function repository(tmp) {
  const dir = join(tmp, "generated");
  await writeRepository(dir, 20261123);
  const git = (...args) =>
    execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], {
      cwd: dir,
    });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "base");
  const base = git("rev-parse", "HEAD").toString().trim();
  const leaf = packages().at(-1);
  const file = (await readdir(join(dir, leaf.dir))).find((f) => f.endsWith(".go") && !f.endsWith("_test.go"));
  const path = join(dir, leaf.dir, file);
  const original = await readFile(path, "utf8");
  const pkg = /^package (\w+)/m.exec(original)[1];
  await writeFile(
    path,
    `${original}\n// BenchDouble doubles n.\nfunc BenchDouble(n int) int { return 2 * n }\n`,
  );
  const test = `package ${pkg}\n\nimport "testing"\n\nfunc TestBenchDouble(t *testing.T) {\n\tif BenchDouble(2) != 4 {\n\t\tt.Fatal("BenchDouble(2) != 4")\n\t}\n}\n`;
  await writeFile(join(dir, leaf.dir, "bench_double_test.go"), test);
  const changed = [`${leaf.dir}/${file}`, `${leaf.dir}/bench_double_test.go`];
  // The go.mod-touched configurations add a comment to go.mod (it changes no build); the others
  // run on the module's own go.mod.
  const goMod = await readFile(join(dir, "go.mod"), "utf8");
  let touched = false;
  const touchGoMod = async (on) => {
    if (on !== touched)
      await writeFile(join(dir, "go.mod"), on ? `${goMod}\n// touched by bench/evidence.js\n` : goMod);
    touched = on;
  };
  return { dir, base, changed, withGoMod: [...changed, "go.mod"], touchGoMod };
}

/** Measures every configuration; `quick` skips the cold runs and takes one warm round. */
export async function measureEvidence({ log = () => {}, quick = false } = {}) {
  const { createGoToolchain } = await dist("golang/go-toolchain.js");
  const { clearBaseCache } = await dist("verify/base-comparison.js");
  const { verifyChange } = await dist("verify/verify-change.js");
  const { ensureGoTool, goToolsSettings } = await dist("golang/install-go-tools.js");
  const { GOVULNCHECK } = await dist("golang/tool-versions.js");
  const { goInstallationOf } = await dist("golang/tool-sandbox.js");
  const { vulncheckCheck } = await dist("verify/evidence/vulncheck.js");

  const rounds = quick ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
  const loadBefore = loadavg();
  const tmp = await mkdtemp(join(tmpdir(), "bga-bench-evidence-"));
  try {
    const repo = await repository(tmp);
    const db = join(tmp, "vulndb");
    await writeVulnDb(db);
    const settings = goToolsSettings(
      {
        ...process.env,
        GO_TOOLS_DIR: process.env.GO_TOOLS_DIR || join(tmpdir(), "backend-go-agent-go-tools"),
      },
      join(tmp, "data"),
    );
    const found = await ensureGoTool(GOVULNCHECK, settings);
    if (!found.ok) throw new Error(`govulncheck unavailable: ${found.reason}`);

    const run = async (toolchain, name) => {
      const [evidence, vulncheck, goMod] = CONFIGS[name];
      const extraChecks = vulncheck
        ? [
            vulncheckCheck({
              go: goInstallationOf(toolchain),
              govulncheck: async () => found,
              mode: vulncheck,
              db,
            }),
          ]
        : [];
      await repo.touchGoMod(goMod);
      const t = performance.now();
      const v = await verifyChange({
        toolchain,
        root: repo.dir,
        baseSha: repo.base,
        changed: goMod ? repo.withGoMod : repo.changed,
        extraChecks,
        ...(evidence ? { evidence } : {}),
      });
      const ms = performance.now() - t;
      if (v?.overall !== "pass") throw new Error(`${name}: verdict not green: ${v?.summary}`);
      const rows = v.checks.filter((c) => c.evidence).map((c) => `${c.name}: ${c.summary}`);
      if (vulncheck && !rows.some((r) => r.startsWith("govulncheck:")))
        throw new Error(`${name}: no govulncheck row`);
      return { ms, rows, scope: v.scope };
    };

    const cold = {};
    if (!quick) {
      for (const name of COLD) {
        log(`evidence: cold verify, ${name}`);
        clearBaseCache();
        const toolchain = await createGoToolchain({
          dataDir: join(tmp, `cold-${name.replace(/\W/g, "")}`),
          goflags: "-modcacherw",
        });
        cold[name] = (await run(toolchain, name)).ms;
      }
    }
    const toolchain = await createGoToolchain({ dataDir: join(tmp, "warm"), goflags: "-modcacherw" });
    const warm = {};
    const rows = {};
    for (const name of Object.keys(CONFIGS)) {
      log(`evidence: warm verify, ${name} (1 untimed + ${rounds})`);
      await run(toolchain, name);
      const times = [];
      for (let i = 0; i < rounds; i++) {
        const r = await run(toolchain, name);
        times.push(r.ms);
        rows[name] = r.rows;
      }
      warm[name] = median(times);
    }
    return {
      date: new Date().toISOString(),
      load: `${loadBefore} before, ${loadavg()} after`,
      rounds,
      isolation: toolchain.isolation,
      govulncheck: found.tool.version,
      warm,
      cold,
      rows,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export function renderEvidence(r) {
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const ratio = (table, name) => (table[name] / table[BASELINE(name)]).toFixed(2);
  const table = renderGrid(
    ["evidence", "warm", "÷ without", "cold", "÷ without"],
    Object.keys(r.warm).map((name) => [
      name,
      s(r.warm[name]),
      ratio(r.warm, name),
      r.cold[name] ? s(r.cold[name]) : "—",
      r.cold[name] ? ratio(r.cold, name) : "—",
    ]),
  );
  const rowsOf = (name) => (r.rows[name] ?? []).map((row) => `  - ${row}`);
  return `## Evidence rows (one-file change with its test, generated 2,000-file module)

Measured by \`node bench/evidence.js\` (also part of \`npm run bench\`) on ${r.date.slice(0, 16)}Z, load average ${r.load};
Go runs ${r.isolation === "bubblewrap" ? "sandboxed with bubblewrap" : "not sandboxed"}; warm: median of ${r.rounds}. Ratio: verifyChange with the row(s) ÷ the same
change verified without them (the one-file change for the first rows; for the last, the same change with go.mod touched,
which widens the verify to the whole module and starts govulncheck ${r.govulncheck} by default). Cold: a fresh DATA_DIR.
govulncheck reads a local OSV database with one entry for a module the generated one does not use.

${table}

Rows of the verdict:

- all:
${rowsOf("all").join("\n")}
- go.mod touched, govulncheck (auto):
${rowsOf("go.mod touched: govulncheck (auto)").join("\n")}
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
  const section = renderEvidence(await measureEvidence({ log, quick: process.argv.includes("--quick") }));
  process.stdout.write(section);
  if (!process.argv.includes("--no-write")) {
    const file = join(REPO_ROOT, "bench", "results.md");
    await writeFile(file, withSection(await readFile(file, "utf8"), "evidence", section));
  }
}
