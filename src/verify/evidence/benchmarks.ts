// Benchmarks, when the task is speed: the Benchmark functions of the packages the change touched
// run on the base commit (the change's test files laid over it, as fail → pass does, so a new
// benchmark of an existing API measures the old code too) and on the change, `-count` times
// each, and benchstat compares the two. Its table is the PR's evidence; a result that got worse
// beyond the noise (benchstat calls it significant, and by at least REGRESSION_PERCENT) is a
// warning the agent sees in a repair round. Never red: timings on a shared worker are evidence
// for a reviewer, not a gate.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunResult } from "../../golang/toolchain.js";
import { childEnv } from "../../process/child-env.js";
import { runProcess } from "../../process/run-process.js";
import { trimHead, trimTail } from "../../text.js";
import { innerTestTimeoutMs } from "../checks.js";
import { describeModule, moduleEnv } from "../go-modules.js";
import type { Check } from "../verdict-types.js";
import { type EvidenceContext, short } from "./evidence-context.js";
import { importPathOf, patternDir, touchedPackages } from "./go-files.js";
import { testsOverBase } from "./tests-over-base.js";

export const BENCH_CHECK = "benchmarks";
/** Runs per side: benchstat needs about six for a p-value below 0.05 to be possible. */
export const BENCH_COUNT = 6;
export const BENCH_TIME = "100ms";
/** A significant change smaller than this is within what a shared worker's timings wander. */
export const REGRESSION_PERCENT = 5;
const MAX_BENCHMARKS = 20;
const DETAIL_LIMITS = { maxLines: 120, maxChars: 8000 };

/** Words with which an issue or a command asks for speed (or memory) rather than behaviour. */
const SPEED =
  /\b(faster|speed(?:[\s-]?up)?|performance|perf|optimi[sz](?:e|es|ed|ing|ation)|latency|throughput|allocations?|allocs|benchmarks?|hot[\s-]path|slow(?:er|ness|ly)?|quicker|efficien(?:t|tly|cy))\b/i;

/** Whether a task's text asks for performance: the benchmark row's `auto`. */
export function asksForSpeed(text: string): boolean {
  return SPEED.test(text);
}

const BENCH_FUNC = /^func\s+(Benchmark\w*)\s*\(\s*\w*\s*\*testing\.B\s*\)/gm;

/** The Benchmark functions (by `go test`'s rule: no lower-case letter after the prefix) in a package's test files. */
export function benchmarksIn(pkgDir: string): string[] {
  const names = new Set<string>();
  let files: string[] = [];
  try {
    files = readdirSync(pkgDir).filter((f) => f.endsWith("_test.go"));
  } catch {
    return [];
  }
  for (const f of files) {
    for (const m of readFileSync(join(pkgDir, f), "utf8").matchAll(BENCH_FUNC)) {
      const name = m[1]!;
      if (!/^Benchmark[a-z]/.test(name)) names.add(name);
    }
  }
  return [...names].sort();
}

const RESULT_LINE = /^Benchmark\S*\s+\d+\s+[\d.]+ ns\/op/m;

interface BenchRun {
  result: RunResult;
  command: string;
  /** The output had at least one benchmark result. */
  measured: boolean;
}

async function runBenchmarks(
  ctx: EvidenceContext,
  dir: string,
  root: string,
  packages: string[],
  names: string[],
): Promise<BenchRun> {
  const module = describeModule(root, dir);
  const env = moduleEnv(module);
  const args = [
    "test",
    ...(module.vendored ? ["-mod=vendor"] : []),
    "-run=^$",
    `-bench=^(${names.join("|")})$`,
    "-benchmem",
    `-count=${BENCH_COUNT}`,
    `-benchtime=${BENCH_TIME}`,
    `-timeout=${Math.floor(innerTestTimeoutMs(ctx.timeoutMs) / 1000)}s`,
    ...packages,
  ];
  const result = await ctx.toolchain.go(args, {
    cwd: dir,
    root,
    timeoutMs: ctx.timeoutMs,
    ...(Object.keys(env).length ? { env } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const shown = packages.length > 3 ? [`<${packages.length} packages>`] : packages;
  const command = ["go", ...args.slice(0, args.length - packages.length), ...shown].join(" ");
  return { result, command, measured: RESULT_LINE.test(result.stdout) };
}

/** One benchmark's comparison in one unit, from benchstat's CSV. */
export interface BenchDelta {
  pkg: string;
  name: string;
  unit: string;
  /** "~" (within the noise), "?" (nothing to compare), or a signed percentage. */
  delta: string;
  p: string;
}

/** benchstat -format csv: a header pair per table (columns, then units), then a row per benchmark. */
export function parseBenchstatCsv(csv: string): BenchDelta[] {
  const out: BenchDelta[] = [];
  let pkg = "";
  let unit = "";
  for (const line of csv.split("\n")) {
    const pkgLine = /^pkg: (.+)$/.exec(line);
    if (pkgLine) {
      pkg = pkgLine[1]!.trim();
      continue;
    }
    const cols = line.split(",");
    if (cols.length < 7) continue;
    if (cols[0] === "") {
      if (cols[2] === "CI") unit = cols[1]!;
      continue;
    }
    if (cols[0] === "geomean") continue;
    out.push({ pkg, name: cols[0]!, unit, delta: cols[5]!, p: cols[6]! });
  }
  return out;
}

/** Lower is better for time, bytes and allocations per op; higher for rates (MB/s). */
function worse(d: BenchDelta): number | undefined {
  const m = /^([+-][\d.]+)%$/.exec(d.delta);
  if (!m) return undefined;
  const change = Number(m[1]);
  return d.unit.endsWith("/s") ? -change : change;
}

export function regressions(deltas: BenchDelta[]): BenchDelta[] {
  return deltas.filter((d) => (worse(d) ?? 0) >= REGRESSION_PERCENT);
}

export function improvements(deltas: BenchDelta[]): BenchDelta[] {
  return deltas.filter((d) => (worse(d) ?? 0) < 0);
}

async function benchstat(path: string, inputs: [string, string][], csv: boolean, ctx: EvidenceContext) {
  const dir = await mkdtemp(join(tmpdir(), "bga-benchstat-"));
  try {
    const args = csv ? ["-format", "csv"] : [];
    for (const [label, text] of inputs) {
      await writeFile(join(dir, label), text);
      args.push(`${label}=${label}`);
    }
    // benchstat reads two text files and runs no repository code: no sandbox needed.
    return await runProcess(
      { command: path, args, env: childEnv() },
      { cwd: dir, timeoutMs: 60_000, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const baseCache = new Map<string, string>();
const CACHE_LIMIT = 50;

/** The Go function (benchstat drops the prefix and appends GOMAXPROCS). */
function funcName(d: BenchDelta): string {
  return `Benchmark${d.name.replace(/-\d+$/, "")}`;
}

function describeDelta(d: BenchDelta): string {
  return `${d.name.replace(/-\d+$/, "")} ${d.unit} ${d.delta.replace("-", "−")}`;
}

export async function benchCheck(ctx: EvidenceContext): Promise<Check | undefined> {
  const name = BENCH_CHECK;
  const started = Date.now();
  const row = (status: Check["status"], summary: string, extra: Partial<Check> = {}): Check => ({
    name,
    status,
    summary,
    details: "",
    evidence: true,
    durationMs: Date.now() - started,
    ...extra,
  });
  const packages = touchedPackages(ctx.dir, ctx.changed);
  if (packages.length === 0) return undefined;
  const found = packages.map((p) => ({ pattern: p, names: benchmarksIn(patternDir(ctx.dir, p)) }));
  const withBench = found.filter((f) => f.names.length);
  const names = [...new Set(withBench.flatMap((f) => f.names))].slice(0, MAX_BENCHMARKS);
  if (names.length === 0) {
    const where = packages.map((p) => importPathOf(ctx.dir, p)).join(", ");
    return row("skipped", `the task asks for speed, and no Benchmark function is in the touched packages`, {
      warnings: [
        `The task asks for speed, and the packages you changed (${where}) have no Benchmark function, so the PR cannot show what the change gains. Add a benchmark of the code you sped up, written against the API the base already has, so it runs on both.`,
      ],
    });
  }
  const tool = ctx.tools.benchstat ? await ctx.tools.benchstat() : { ok: false as const, reason: "" };
  if (!tool.ok) {
    return row(
      "skipped",
      `not run: benchstat is not available on this worker${tool.reason ? ` (${tool.reason})` : ""}`,
    );
  }
  const patterns = withBench.map((f) => f.pattern);
  ctx.onProgress?.(`${name}: ${names.length} on the change and the base, ${BENCH_COUNT} runs each`);
  const head = await runBenchmarks(ctx, ctx.dir, ctx.root, patterns, names);
  if (head.result.aborted) return row("error", "aborted", { command: head.command });
  if (head.result.timedOut)
    return row("skipped", `the benchmarks did not finish within the time limit on the change`, {
      command: head.command,
    });
  if (!head.measured || head.result.exitCode !== 0) {
    const output = trimTail(`${head.result.stdout}\n${head.result.stderr}`.trim(), DETAIL_LIMITS);
    return row("fail", "the benchmarks fail on the change", {
      command: head.command,
      details: output,
      findings: [
        { key: `bench ${names.join(",")}`, label: "the benchmarks fail on the change", detail: output },
      ],
    });
  }

  let baseOutput = "";
  let baseProblem = "";
  try {
    const over = await testsOverBase(ctx, names.join(","), patterns.join(","));
    const cached = baseCache.get(over.key);
    if (cached !== undefined) baseOutput = cached;
    else {
      await over.prepare();
      const base = await runBenchmarks(ctx, over.dir, over.root, patterns, names);
      if (base.result.aborted) return row("error", "aborted", { command: head.command });
      if (base.result.timedOut) baseProblem = "they did not finish within the time limit there";
      else if (!base.measured) baseProblem = "they do not build or run there";
      baseOutput = base.measured ? base.result.stdout : "";
      if (!baseProblem) {
        baseCache.set(over.key, baseOutput);
        if (baseCache.size > CACHE_LIMIT) baseCache.delete(baseCache.keys().next().value!);
      }
    }
  } catch (err) {
    baseProblem = `the base could not be prepared: ${(err as Error).message}`;
  }

  const base = short(ctx.baseSha);
  const command = `${head.command} (on ${base} with the change's tests, and on the change); benchstat base change`;
  const inputs: [string, string][] = baseOutput
    ? [
        ["base", baseOutput],
        ["change", head.result.stdout],
      ]
    : [["change", head.result.stdout]];
  const table = await benchstat(tool.tool.path, inputs, false, ctx);
  if (table.exitCode !== 0) {
    return row("error", "benchstat could not read the results", {
      command,
      details: trimTail(table.stderr, DETAIL_LIMITS),
    });
  }
  const details = trimHead(table.stdout.trim(), DETAIL_LIMITS);
  const count = `${names.length} benchmark${names.length === 1 ? "" : "s"}`;
  const extra = { command, details, tool: { name: tool.tool.name, version: tool.tool.version } };
  if (!baseOutput) {
    return row(
      "pass",
      `${count} ran on the change; none on the base ${base} (${baseProblem}), so nothing to compare`,
      {
        ...extra,
        warnings: [
          `Your benchmarks (${names.join(", ")}) do not run on the base commit ${base} (${baseProblem}), so the PR cannot show the change is faster. Write them against the API the base already has, so benchstat can compare the two.`,
        ],
      },
    );
  }
  const deltas = parseBenchstatCsv((await benchstat(tool.tool.path, inputs, true, ctx)).stdout);
  const slower = regressions(deltas);
  const faster = improvements(deltas);
  const parts = [`${count}, base ${base} → change (benchstat, ${BENCH_COUNT} runs each)`];
  if (faster.length)
    parts.push(
      `better: ${faster.slice(0, 3).map(describeDelta).join(", ")}${faster.length > 3 ? ", …" : ""}`,
    );
  if (slower.length)
    parts.push(
      `worse beyond the noise: ${slower.slice(0, 3).map(describeDelta).join(", ")}${slower.length > 3 ? ", …" : ""}`,
    );
  if (!faster.length && !slower.length) parts.push("no change beyond the noise");
  const warnings = slower.map(
    (d) =>
      `${funcName(d)} (${d.pkg}) is worse in ${d.unit} by ${d.delta} than on the base ${base} (${d.p}). If the task is speed, find what made it slower; if the trade-off is deliberate, say why in your report.`,
  );
  return row("pass", parts.join("; "), { ...extra, ...(warnings.length ? { warnings } : {}) });
}

/** Forgets cached base runs (tests). */
export function clearBenchCache(): void {
  baseCache.clear();
}
