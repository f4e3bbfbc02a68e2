// Failures the change did not cause. A check that fails on the change runs again, the same
// check with the same scope, on a clean copy of the base commit; what fails there too is
// "pre-existing on <base>": set apart in the verdict, never fed to repair, never a reason for a
// draft. The base's result is cached per base SHA, module and check, so repair rounds (and
// later jobs on the same base) pay for it once.

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import type { Toolchain } from "../golang/toolchain.js";
import { hostGitArgs, hostGitEnv } from "../workspace/git-env.js";
import { type Finding, splitFindings } from "./findings.js";
import { overallStatus, overallSummary } from "./verdict.js";
import type { Baseline, Check, Verdict } from "./verdict-types.js";

export type { Baseline };

import { type BuiltinCheck, type CustomCheck, verify } from "./verify.js";

export interface BaseComparisonOptions {
  /** The git repository (the job's checkout) that holds baseSha. */
  repoDir: string;
  baseSha: string;
  /** The module directory of the change, and the checkout root it lies in. */
  dir: string;
  root?: string;
  checks?: BuiltinCheck[];
  extraChecks?: CustomCheck[];
  /** Packages the change's checks covered (scope.ts); the base runs the same. */
  packages?: string[];
  /** The packages of `packages` go build named, and those it left out (scope.ts). */
  buildPackages?: string[];
  notBuilt?: { pkg: string; reason: string }[];
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (detail: string) => void;
}

/** What a check did on the base: ran (its findings), could not run (why, keyed), or no answer. */
type BaseResult = { ran: true; findings: Finding[] } | { ran: false; couldNotRun?: Finding; reason: string };

const cache = new Map<string, BaseResult>();
const CACHE_LIMIT = 200;

/**
 * Checks whose result can be pre-existing: every failure and every "could not run" — one rule
 * for all checks, present and future. gofmt looks only at the changed files, so it is the change's.
 */
function comparable(c: Check): boolean {
  return (c.status === "fail" || c.status === "error") && c.name !== "gofmt";
}

function wholeCheck(c: Check): Finding[] {
  return [{ key: `check ${c.name}`, label: `${c.name}: ${c.summary}` }];
}

/** A check that could not run, keyed by why: the same words on the base are the same failure. */
function couldNotRun(c: Check, dirs: string[]): Finding {
  let why = c.summary;
  for (const d of dirs) why = why.split(`${d}/`).join("").split(d).join(".");
  return { key: `could not run ${c.name}: ${why}`, label: `${c.name} could not run: ${why}` };
}

const DOWNLOAD = "go mod download";

const BUILTIN: Record<string, BuiltinCheck> = { "go vet": "vet", "go build": "build", "go test": "test" };

/** The base commit's files in a fresh directory (git archive: no hooks, no .git, no worktree to prune). */
export async function exportCommit(repoDir: string, sha: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bga-base-"));
  const env = hostGitEnv();
  await new Promise<void>((done, fail) => {
    const git = spawn("git", hostGitArgs(["-C", repoDir, "archive", "--format=tar", sha]), {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tar = spawn("tar", ["-x", "-C", dir], { env, stdio: ["pipe", "ignore", "pipe"] });
    git.stdout.pipe(tar.stdin);
    let err = "";
    git.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    tar.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    let left = 2;
    let failed = false;
    const exit = (code: number | null) => {
      if (code !== 0) failed = true;
      if (--left === 0) {
        if (failed)
          fail(new Error(`could not check out the base commit: ${err.trim() || "git archive failed"}`));
        else done();
      }
    };
    git.on("error", fail);
    tar.on("error", fail);
    git.on("close", exit);
    tar.on("close", exit);
  });
  return dir;
}

/** The import paths of `packages` whose directories exist in the module at dir (the base's tree). */
function onBase(dir: string, packages: string[]): string[] {
  let module: string | undefined;
  try {
    module = /^module\s+"?([^\s"]+)"?/m.exec(readFileSync(join(dir, "go.mod"), "utf8"))?.[1];
  } catch {
    return packages;
  }
  if (!module) return packages;
  return packages.filter((p) => {
    if (p === module) return true;
    if (!p.startsWith(`${module}/`)) return true;
    return existsSync(join(dir, p.slice(module.length + 1)));
  });
}

/** The verdict with failures that are also on the base set apart. Unchanged when nothing failed. */
export async function compareWithBase(
  toolchain: Toolchain,
  verdict: Verdict,
  opts: BaseComparisonOptions,
): Promise<Verdict> {
  const failing = verdict.checks.filter(comparable);
  if (failing.length === 0) return verdict;
  const started = Date.now();
  const root = resolve(opts.root ?? opts.dir);
  const moduleDir = relative(root, resolve(opts.dir));
  const scopeKey = opts.packages ? opts.packages.join(",") : "./...";
  const keyOf = (c: Check) => [opts.baseSha, moduleDir, c.name, scopeKey].join("\0");
  const missing = failing.filter((c) => !cache.has(keyOf(c)));

  if (missing.length) {
    const label = missing.map((c) => c.name).join(", ");
    opts.onProgress?.(`${label} on the base ${opts.baseSha.slice(0, 7)}`);
    let baseRoot: string | undefined;
    try {
      baseRoot = await exportCommit(opts.repoDir, opts.baseSha);
      const builtins = missing.flatMap((c) => (BUILTIN[c.name] ? [BUILTIN[c.name]!] : []));
      const extras = (opts.extraChecks ?? []).filter((e) => missing.some((c) => c.name === e.name));
      const baseDir = join(baseRoot, moduleDir);
      // Packages the change added are not on the base: asking for them there fails for nothing.
      const packages = opts.packages && onBase(baseDir, opts.packages);
      const buildPackages = opts.buildPackages && onBase(baseDir, opts.buildPackages);
      const base =
        packages && packages.length === 0
          ? { summary: "no package of the scope is on the base", checks: [] }
          : await verify(toolchain, {
              dir: baseDir,
              root: baseRoot,
              checks: builtins,
              extraChecks: extras,
              ...(packages ? { packages } : {}),
              ...(buildPackages ? { buildPackages } : {}),
              ...(opts.notBuilt ? { notBuilt: opts.notBuilt } : {}),
              ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
              ...(opts.signal ? { signal: opts.signal } : {}),
            });
      const baseDirs = [join(baseRoot, moduleDir), baseRoot];
      for (const c of missing) {
        const b = base.checks.find((x) => x.name === c.name);
        let result: BaseResult;
        // The download is listed only when it failed: absent from the base's checks, it passed
        // (or there was nothing to download: the change brought the module).
        if (!b && (packages?.length === 0 || c.name === DOWNLOAD)) result = { ran: true, findings: [] };
        else if (!b) result = { ran: false, reason: base.summary };
        else if (b.status === "pass" || b.status === "skipped") result = { ran: true, findings: [] };
        else if (b.status === "fail") result = { ran: true, findings: b.findings ?? wholeCheck(b) };
        else result = { ran: false, couldNotRun: couldNotRun(b, baseDirs), reason: b.summary };
        // An aborted run says nothing about the base: not cached.
        if (!opts.signal?.aborted) cache.set(keyOf(c), result);
        if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      }
    } catch (err) {
      for (const c of missing) cache.set(keyOf(c), { ran: false, reason: (err as Error).message });
    } finally {
      if (baseRoot) await rm(baseRoot, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  const short = opts.baseSha.slice(0, 7);
  const baseline: Baseline = { base: short, preexisting: [], fixed: [], unavailable: [], durationMs: 0 };
  const changeDirs = [resolve(opts.dir), root];
  const checks = verdict.checks.map((c): Check => {
    if (!comparable(c)) return c;
    const base: BaseResult = cache.get(keyOf(c)) ?? { ran: false, reason: "not run" };
    if (c.status === "error") {
      // Could not run on the change: pre-existing when it could not run the same way on the base.
      const mine = couldNotRun(c, changeDirs);
      if (base.ran || base.couldNotRun?.key !== mine.key) {
        if (!base.ran) baseline.unavailable.push({ check: c.name, reason: base.reason });
        return c;
      }
      baseline.preexisting.push({ check: c.name, findings: [mine] });
      return {
        ...c,
        status: "skipped",
        summary: `could not run, the same way on ${short} (pre-existing): ${c.summary}`,
        preexisting: true,
      };
    }
    if (!base.ran) {
      baseline.unavailable.push({ check: c.name, reason: base.reason });
      return c;
    }
    const mine = c.findings ?? wholeCheck(c);
    const split = splitFindings(mine, base.findings);
    if (split.preexisting.length) baseline.preexisting.push({ check: c.name, findings: split.preexisting });
    if (split.fixed.length) baseline.fixed.push({ check: c.name, findings: split.fixed });
    if (split.introduced.length === 0) {
      const n = split.preexisting.length;
      return {
        ...c,
        status: "pass",
        summary: `nothing new; ${n} pre-existing on ${short} (${c.summary})`,
        details: "",
        findings: [],
      };
    }
    return {
      ...c,
      findings: split.introduced,
      summary: split.preexisting.length
        ? `${c.summary} (${split.preexisting.length} of them pre-existing on ${short})`
        : c.summary,
    };
  });
  baseline.durationMs = Date.now() - started;
  const summary = overallSummary(checks);
  const pre = baseline.preexisting.reduce((n, p) => n + p.findings.length, 0);
  return {
    ...verdict,
    checks,
    overall: overallStatus(checks),
    summary: pre ? `${summary}; ${pre} pre-existing on ${short} set apart` : summary,
    baseline,
    durationMs: verdict.durationMs + baseline.durationMs,
  };
}

/** Forgets cached base results (tests). */
export function clearBaseCache(): void {
  cache.clear();
}
