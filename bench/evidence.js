// `node bench/evidence.js` (after `npm run build`): what each evidence row (fail → pass,
// go test -race, exported API) adds to the verification of a one-file change on the generated
// 2,000-file module (generate-repo.js), as a ratio to the same verifyChange without evidence.
// The change adds an exported function to the leaf package and a test that fails without it.
// Cold: a fresh DATA_DIR (empty module and build caches, the evidence helper not built yet) for
// "none" and "all"; warm: the median of BENCH_ROUNDS runs per configuration after one untimed run.
// Base results are cached per base commit (as in production), so warm rounds measure what a repair
// round pays. Appends its section to bench/results.md (--no-write: only print).
import { execFileSync } from "node:child_process";
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGoToolchain } from "../dist/golang/go-toolchain.js";
import { clearBaseCache } from "../dist/verify/base-comparison.js";
import { verifyChange } from "../dist/verify/verify-change.js";
import { packages, writeRepository } from "./generate-repo.js";
import { REPO_ROOT } from "./stand-in.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const OFF = { failPass: "off", race: "off", api: "off" };
const CONFIGS = {
  none: undefined,
  "fail → pass": { ...OFF, failPass: "on" },
  "go test -race": { ...OFF, race: "on" },
  "exported API": { ...OFF, api: "warn" },
  all: { failPass: "on", race: "on", api: "warn" },
};

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
  return { dir, base, changed: [`${leaf.dir}/${file}`, `${leaf.dir}/bench_double_test.go`] };
}

async function run(toolchain, repo, evidence) {
  const t = Date.now();
  const v = await verifyChange({
    toolchain,
    root: repo.dir,
    baseSha: repo.base,
    changed: repo.changed,
    ...(evidence ? { evidence } : {}),
  });
  const ms = Date.now() - t;
  if (v?.overall !== "pass") throw new Error(`verdict not green: ${v?.summary}`);
  return { ms, rows: v.checks.filter((c) => c.evidence).map((c) => `${c.name}: ${c.summary}`) };
}

async function main() {
  const tmp = await mkdtemp(join(tmpdir(), "bga-bench-evidence-"));
  try {
    const repo = await repository(tmp);
    const cold = {};
    for (const name of ["none", "all"]) {
      clearBaseCache();
      const toolchain = await createGoToolchain({
        dataDir: join(tmp, `cold-${name.replace(/\W/g, "")}`),
        goflags: "-modcacherw",
      });
      cold[name] = (await run(toolchain, repo, CONFIGS[name])).ms;
    }
    const toolchain = await createGoToolchain({ dataDir: join(tmp, "warm"), goflags: "-modcacherw" });
    const warm = {};
    let rows = [];
    for (const [name, evidence] of Object.entries(CONFIGS)) {
      await run(toolchain, repo, evidence);
      const times = [];
      for (let i = 0; i < ROUNDS; i++) {
        const r = await run(toolchain, repo, evidence);
        times.push(r.ms);
        if (name === "all") rows = r.rows;
      }
      warm[name] = median(times);
    }
    const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
    const lines = [
      "",
      "## Evidence rows (one-file change with its test, generated 2,000-file module)",
      "",
      `Measured ${new Date().toISOString().slice(0, 16)}Z with \`node bench/evidence.js\`, load ${(await readFile("/proc/loadavg", "utf8")).split(" ").slice(0, 3).join(" ")}; warm: median of ${ROUNDS}. Ratio: verifyChange with the row(s) ÷ without evidence.`,
      "",
      "| evidence | warm | ÷ none | cold | ÷ none |",
      "| --- | --- | --- | --- | --- |",
      ...Object.keys(CONFIGS).map(
        (name) =>
          `| ${name} | ${s(warm[name])} | ${(warm[name] / warm.none).toFixed(2)} | ${cold[name] ? s(cold[name]) : "—"} | ${cold[name] ? (cold[name] / cold.none).toFixed(2) : "—"} |`,
      ),
      "",
      ...rows.map((r) => `- ${r}`),
      "",
    ];
    process.stdout.write(lines.join("\n"));
    if (!process.argv.includes("--no-write"))
      await appendFile(join(REPO_ROOT, "bench", "results.md"), lines.join("\n"));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
