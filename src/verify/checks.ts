// The individual verification checks. Each runs one toolchain command and turns its result
// into a Check; none throws for anything the repository's code can cause.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { LIMIT_REACHED } from "../golang/limits.js";
import { type ModuleProblem, needsTidy, parseModuleProblems, problemLine } from "../golang/module-errors.js";
import {
  type PackageResult,
  parseBuildStderr,
  parseTestJson,
  type TestRunReport,
} from "../golang/test-json.js";
import type { RunOptions, RunResult, Toolchain } from "../golang/toolchain.js";
import { trimHead, trimTail } from "../text.js";
import { positionFindings, testFindings } from "./findings.js";
import { applyExcuses, findServiceNeeds, type ServiceNeed } from "./service-needs.js";
import type { Check } from "./verdict.js";

export interface CheckContext {
  toolchain: Toolchain;
  /** The module directory (holds go.mod). */
  dir: string;
  /** The checkout root, writable in the sandbox. */
  root: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The download step failed: modules missing offline are its consequence, not the change's. */
  downloadFailed?: boolean;
  /** Absolute paths of the files the change touched, inside dir; absent: the whole module. */
  changedFiles?: string[];
  /** Package patterns vet, build and test cover (scope.ts); default the whole module. */
  packages?: string[];
  /** The packages of `packages` go build can name (scope.ts buildable); default `packages`. */
  buildPackages?: string[];
  /** Packages left out of go build, and why (test-only, cgo-only). */
  notBuilt?: { pkg: string; reason: string }[];
  /** The module is vendored (vendor/modules.txt): Go runs read vendor/, never the module cache. */
  vendored?: boolean;
  /** Variables every Go run of this module needs (GOWORK=off outside its go.work). */
  env?: Record<string, string>;
  /** Which check runs now, for the progress line. */
  onProgress?: (detail: string) => void;
}

function targets(ctx: CheckContext): string[] {
  return ctx.packages?.length ? ctx.packages : ["./..."];
}

function targetText(ctx: CheckContext, packages = ctx.packages): string {
  return packages?.length ? `<${packages.length} packages>` : "./...";
}

/** -mod=vendor for a vendored module, whatever go.mod's go line says (before 1.14 it is not the default). */
function modFlags(ctx: CheckContext): string[] {
  return ctx.vendored ? ["-mod=vendor"] : [];
}

/** go's own words when vendor/modules.txt does not match go.mod. */
const INCONSISTENT_VENDORING = /inconsistent vendoring/;

/** vet's, build's or test's result when vendor/ does not match go.mod; undefined otherwise. */
function vendoringCheck(name: string, command: string, res: RunResult): Check | undefined {
  if (!INCONSISTENT_VENDORING.test(res.stderr)) return undefined;
  return {
    name,
    command,
    status: "fail",
    summary: "vendor/modules.txt does not match go.mod: run go mod vendor and commit vendor/",
    details: trimTail(res.stderr, DETAIL_LIMITS),
    durationMs: res.durationMs,
    findings: [{ key: `vendoring ${name}`, label: "vendor/modules.txt does not match go.mod" }],
  };
}

export const DETAIL_LIMITS = { maxLines: 120, maxChars: 12_000 };
const TEST_OUTPUT_CAP = 64 * 1024 * 1024;

export function runOptions(ctx: CheckContext, extra: Partial<RunOptions> = {}): RunOptions {
  return {
    cwd: ctx.dir,
    root: ctx.root,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    ...(ctx.env ? { env: ctx.env } : {}),
    ...extra,
  };
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** A result that says the command could not run or was stopped; undefined when it ran. */
export function interrupted(
  name: string,
  command: string,
  res: RunResult,
  ctx: CheckContext,
): Check | undefined {
  const base = { name, command, durationMs: res.durationMs };
  const output = trimTail(`${res.stdout}${res.stderr}`, DETAIL_LIMITS);
  if (res.timedOut) {
    return {
      ...base,
      // A hanging test is the change's fault; a vet or build that runs out of time is
      // more likely a cold cache or a slow machine.
      status: name === "go test" ? "fail" : "error",
      timedOut: true,
      summary: `timed out after ${seconds(ctx.timeoutMs)} (killed)`,
      details: output,
    };
  }
  if (res.aborted) return { ...base, status: "error", summary: "aborted", details: output };
  if (res.exitCode === 127 && /failed to start/.test(res.stderr)) {
    return { ...base, status: "error", summary: "could not start the command", details: output };
  }
  return undefined;
}

/** go.mod and go.sum as they are now, and a restore() that puts them back if a command changed them. */
async function keepModuleFiles(dir: string): Promise<{ restore(): Promise<void> }> {
  const files = ["go.mod", "go.sum"].map((n) => join(dir, n));
  const before = await Promise.all(files.map((f) => readFile(f).catch(() => undefined)));
  return {
    async restore() {
      await Promise.all(
        files.map(async (f, i) => {
          const was = before[i];
          const now = await readFile(f).catch(() => undefined);
          if (was === undefined && now !== undefined) await rm(f, { force: true });
          else if (was !== undefined && (now === undefined || !was.equals(now))) await writeFile(f, was);
        }),
      );
    },
  };
}

/** `go mod download`: the only step allowed on the network; builds and tests then run offline. */
export async function downloadModules(ctx: CheckContext): Promise<Check> {
  const name = "go mod download";
  // go mod download can add go.sum lines: it fills the cache, it never edits the repository.
  const kept = await keepModuleFiles(ctx.dir);
  const res = await ctx.toolchain.go(["mod", "download"], runOptions(ctx, { network: true }));
  await kept.restore();
  const stopped = interrupted(name, name, res, ctx);
  if (stopped) return { ...stopped, status: "error" };
  if (res.exitCode === 0) {
    return {
      name,
      command: name,
      status: "pass",
      summary: "modules downloaded",
      details: "",
      durationMs: res.durationMs,
    };
  }
  const problems = parseModuleProblems(res.stderr);
  const list = problems.map((p) => `- ${problemLine(p)}`).join("\n");
  return {
    name,
    command: name,
    status: "error",
    summary: problems.length
      ? `could not download ${problemLine(problems[0]!)}${more(problems)}`
      : "could not download modules; the offline build and tests may fail because of it",
    details: trimTail(list ? `${list}\n\n${res.stderr}` : res.stderr, DETAIL_LIMITS),
    durationMs: res.durationMs,
    ...(problems.length ? { moduleProblems: problems } : {}),
  };
}

function more(problems: ModuleProblem[]): string {
  return problems.length > 1
    ? ` (and ${problems.length - 1} more module problem${problems.length > 2 ? "s" : ""})`
    : "";
}

/**
 * An offline step that failed for want of modules. When go.mod or go.sum does not cover the
 * imports, that is the change's fault ("fail", fixed by `go mod tidy`); a module missing
 * from the cache follows from a download that failed ("error"). Undefined otherwise.
 */
function untidyModules(
  output: string,
  ctx: CheckContext,
): { status: "fail" | "error"; summary: string; problems: ModuleProblem[] } | undefined {
  const problems = parseModuleProblems(output);
  if (!needsTidy(problems)) return undefined;
  const untidy = !ctx.downloadFailed && problems.every((p) => p.kind !== "not-downloaded");
  const fix = untidy
    ? "run go mod tidy and commit go.mod and go.sum"
    : "the module download failed (see go mod download)";
  return {
    status: untidy ? "fail" : "error",
    summary: `${problemLine(problems[0]!)}${more(problems)}: ${fix}`,
    problems,
  };
}

/** vet's or build's result when it failed for want of modules; undefined otherwise. */
function untidyCheck(name: string, command: string, res: RunResult, ctx: CheckContext): Check | undefined {
  const untidy = untidyModules(res.stderr, ctx);
  if (!untidy) return undefined;
  return {
    name,
    command,
    status: untidy.status,
    summary: untidy.summary,
    details: trimTail(res.stderr, DETAIL_LIMITS),
    durationMs: res.durationMs,
    moduleProblems: untidy.problems,
  };
}

/** `gofmt -l` on the given .go files (absolute paths inside ctx.dir). */
export async function gofmtCheck(ctx: CheckContext, files: string[] | "all"): Promise<Check> {
  const name = "gofmt";
  const targets = files === "all" ? [ctx.dir] : files;
  const command = files === "all" ? "gofmt -l ." : `gofmt -l <${files.length} changed files>`;
  if (targets.length === 0) {
    return { name, command, status: "skipped", summary: "no changed .go files", details: "" };
  }
  // Absolute paths: a file named like a flag ("-w") can never be read as one.
  const res = await ctx.toolchain.gofmt(["-l", ...targets], runOptions(ctx));
  const stopped = interrupted(name, command, res, ctx);
  if (stopped) return stopped;
  const rel = (p: string) => relative(ctx.dir, resolve(ctx.dir, p)) || ".";
  const dirty = res.stdout
    .split("\n")
    .filter(Boolean)
    .map(rel)
    .filter((p) => files !== "all" || !/(^|\/)(vendor|testdata)\//.test(p));
  if (res.exitCode !== 0 && res.stderr.trim()) {
    // A syntax error names its position (file:line:col:); anything else on stderr is the
    // run itself failing (the sandbox, a limit), which is not the change's fault.
    const parseError = /:\d+:\d+: /.test(res.stderr);
    return {
      name,
      command,
      status: parseError ? "fail" : "error",
      summary: parseError ? "gofmt could not parse a file" : "gofmt could not run",
      details: trimTail(res.stderr, DETAIL_LIMITS),
      durationMs: res.durationMs,
    };
  }
  if (dirty.length === 0) {
    const n = files === "all" ? "all" : `${files.length}`;
    return {
      name,
      command,
      status: "pass",
      summary: `${n} .go files formatted`,
      details: "",
      durationMs: res.durationMs,
    };
  }
  const diff = await ctx.toolchain.gofmt(["-d", ...dirty.map((p) => resolve(ctx.dir, p))], runOptions(ctx));
  return {
    name,
    command,
    status: "fail",
    summary: `${dirty.length} file${dirty.length === 1 ? " needs" : "s need"} gofmt: ${dirty.join(", ")}`,
    details: trimHead(diff.stdout.split(`${ctx.dir}/`).join(""), DETAIL_LIMITS),
    durationMs: res.durationMs,
  };
}

/** What a test that tried to reach the network prints inside the sandbox. */
const OFFLINE_ERROR = /network is unreachable|no such host|dial (tcp|udp)[^\n]*: connect:/;

const FINDING = /^\s*(vet: )?\S+\.go:\d+(:\d+)?: /;

export async function vetCheck(ctx: CheckContext): Promise<Check> {
  const name = "go vet";
  const command = `go vet ${targetText(ctx)}`;
  const res = await ctx.toolchain.go(["vet", ...modFlags(ctx), ...targets(ctx)], runOptions(ctx));
  const stopped = interrupted(name, command, res, ctx);
  if (stopped) return stopped;
  if (res.exitCode === 0) {
    return { name, command, status: "pass", summary: "no findings", details: "", durationMs: res.durationMs };
  }
  const vendoring = vendoringCheck(name, command, res);
  if (vendoring) return vendoring;
  const untidy = untidyCheck(name, command, res, ctx);
  if (untidy) return untidy;
  const findings = res.stderr.split("\n").filter((l) => FINDING.test(l)).length;
  return {
    name,
    command,
    status: findings > 0 ? "fail" : "error",
    summary: findings > 0 ? `${findings} finding${findings === 1 ? "" : "s"}` : "go vet failed",
    details: trimTail(res.stderr, DETAIL_LIMITS),
    durationMs: res.durationMs,
    ...(findings > 0 ? { findings: positionFindings("vet", res.stderr, ctx.dir) } : {}),
  };
}

function notBuiltText(ctx: CheckContext): string {
  const left = ctx.notBuilt ?? [];
  if (left.length === 0) return "";
  const shown = left.slice(0, 3).map((n) => `${n.pkg} (${n.reason})`);
  return `; not built: ${shown.join(", ")}${left.length > 3 ? ` and ${left.length - 3} more` : ""}`;
}

export async function buildCheck(ctx: CheckContext): Promise<Check> {
  const name = "go build";
  // Packages go build cannot name by import path (test-only, cgo-only here) are left to vet and test.
  const packages = ctx.packages?.length ? (ctx.buildPackages ?? ctx.packages) : undefined;
  if (packages && packages.length === 0) {
    return {
      name,
      command: "go build",
      status: "skipped",
      summary: `no package to build${notBuiltText(ctx)}`,
      details: "",
    };
  }
  const command = `go build ${targetText(ctx, packages)}`;
  // -o /dev/null: a lone main package would otherwise leave its binary in the checkout.
  const res = await ctx.toolchain.go(
    ["build", ...modFlags(ctx), "-o", "/dev/null", ...(packages ?? ["./..."])],
    runOptions(ctx),
  );
  const stopped = interrupted(name, command, res, ctx);
  if (stopped) return stopped;
  if (res.exitCode === 0) {
    return {
      name,
      command,
      status: "pass",
      summary: `all packages build${notBuiltText(ctx)}`,
      details: "",
      durationMs: res.durationMs,
    };
  }
  const vendoring = vendoringCheck(name, command, res);
  if (vendoring) return vendoring;
  const untidy = untidyCheck(name, command, res, ctx);
  if (untidy) return untidy;
  const { blocks, loose } = parseBuildStderr(res.stderr);
  const broken = [...blocks.keys()];
  return {
    name,
    command,
    status: broken.length ? "fail" : "error",
    summary: broken.length
      ? `${broken.length} package${broken.length === 1 ? "" : "s"} failed to build: ${broken.join(", ")}`
      : `go build failed: ${loose[0] ?? `exit ${res.exitCode}`}`,
    details: trimTail(res.stderr, DETAIL_LIMITS),
    durationMs: res.durationMs,
    ...(broken.length ? { findings: positionFindings("build", res.stderr, ctx.dir) } : {}),
  };
}

/** go's own -timeout fires first (naming the hung test); the kill at timeoutMs is the backstop. */
export function innerTestTimeoutMs(timeoutMs: number): number {
  return Math.max(1000, timeoutMs - Math.min(60_000, Math.floor(timeoutMs / 2)));
}

export interface TestCheckResult {
  check: Check;
  report: TestRunReport;
  /** Tests that need a database or broker the sandbox does not have: not run, not passed. */
  services: ServiceNeed[];
}

export async function testCheck(ctx: CheckContext): Promise<TestCheckResult> {
  const name = "go test";
  const inner = `${Math.floor(innerTestTimeoutMs(ctx.timeoutMs) / 1000)}s`;
  const command = `go test -json -timeout=${inner} ${targetText(ctx)}`;
  const res = await ctx.toolchain.go(
    ["test", ...modFlags(ctx), "-json", `-timeout=${inner}`, ...targets(ctx)],
    // -json repeats every output line as an event: a cut stream would lose packages.
    runOptions(ctx, { outputCap: TEST_OUTPUT_CAP }),
  );
  const report = parseTestJson(res.stdout, res.stderr);
  const { needs: services, excused } = await findServiceNeeds(ctx.dir, report, ctx.toolchain.buildTags);
  const excusedCount = applyExcuses(report, excused);
  const base = { name, command, durationMs: res.durationMs };
  // Stack traces name files by absolute path; the checkout's own location is noise.
  const details = testDetails(report).split(`${ctx.dir}/`).join("");
  const stopped = interrupted(name, command, res, ctx);
  if (stopped) {
    const running = report.packages.flatMap((p) =>
      p.failedTests.filter((t) => t.reason !== "failed").map((t) => t.name),
    );
    const which = running.length ? `; still running: ${running.join(", ")}` : "";
    return {
      check: { ...stopped, summary: `${stopped.summary}${which}`, details: details || stopped.details },
      report,
      services,
    };
  }
  if (res.exitCode !== 0) {
    const vendoring = vendoringCheck(name, command, res);
    if (vendoring) return { check: vendoring, report, services };
  }
  const t = report.totals;
  const cut = res.truncated ? ` (output cut at ${TEST_OUTPUT_CAP / 1024 / 1024} MiB: counts incomplete)` : "";
  const counts = `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped in ${t.packages} package${t.packages === 1 ? "" : "s"}${cut}`;
  const onlyExcused =
    excusedCount > 0 &&
    t.failed === 0 &&
    report.errors.length === 0 &&
    report.packages.every((p) => p.status === "pass" || p.status === "skip");
  if (res.exitCode === 0 || onlyExcused) {
    return { check: { ...base, status: "pass", summary: counts, details: "" }, report, services };
  }
  // A process limit the tests ran into (limits.ts notes it) explains the crash or hang it caused.
  const limit = res.stderr
    .split("\n")
    .find((l) => l.startsWith(LIMIT_REACHED))
    ?.slice("backend-go-agent: ".length);
  const timedOut = report.packages.filter((p) => p.timedOut);
  if (timedOut.length) {
    const hung = timedOut.flatMap((p) =>
      p.failedTests.filter((f) => f.reason === "timed out").map((f) => f.name),
    );
    return {
      check: {
        ...base,
        status: "fail",
        timedOut: true,
        summary: `timed out after ${inner}${hung.length ? `: ${hung.join(", ")}` : ""}; ${counts}${limit ? `; ${limit}` : ""}`,
        details,
      },
      report,
      services,
    };
  }
  const buildFailed = report.packages.filter((p) => p.status === "build-fail");
  if (buildFailed.length || t.failed || report.packages.some((p) => p.status === "fail")) {
    const parts: string[] = [];
    const untidy = untidyModules(buildFailed.map((p) => p.buildOutput ?? "").join("\n"), ctx);
    if (untidy) parts.push(untidy.summary);
    if (buildFailed.length)
      parts.push(`${buildFailed.length} package${buildFailed.length === 1 ? "" : "s"} failed to build`);
    parts.push(counts);
    if (limit) parts.push(limit);
    if (ctx.toolchain.isolation === "bubblewrap" && OFFLINE_ERROR.test(details)) {
      parts.push("tests run without network in the sandbox");
    }
    // Packages that did not build only because their modules could not be downloaded are
    // no fault of the change.
    const onlyModules = buildFailed.every((p) => parseModuleProblems(p.buildOutput ?? "").length > 0);
    const status = untidy?.status === "error" && onlyModules && t.failed === 0 ? "error" : "fail";
    const check: Check = {
      ...base,
      status,
      summary: parts.join("; "),
      details,
      findings: testFindings(report, ctx.dir),
    };
    if (untidy) check.moduleProblems = untidy.problems;
    return { check, report, services };
  }
  return {
    check: {
      ...base,
      status: "error",
      summary: `go test failed: ${report.errors[0] ?? `exit ${res.exitCode}`}`,
      details: trimTail([...report.errors, res.stderr].join("\n"), DETAIL_LIMITS),
    },
    report,
    services,
  };
}

function packageDetails(p: PackageResult): string {
  const head = `${p.status === "build-fail" ? "BUILD FAILED" : "FAIL"} ${p.name}${p.elapsedSec !== undefined ? ` (${p.elapsedSec}s)` : ""}`;
  const parts = [head];
  if (p.buildOutput) parts.push(p.buildOutput);
  for (const t of p.failedTests) {
    parts.push(`--- ${t.name} ${t.reason}${t.elapsedSec !== undefined ? ` (${t.elapsedSec}s)` : ""}`);
    if (t.output) parts.push(t.output.replace(/^/gm, "    "));
  }
  if (p.output && p.failedTests.length === 0) parts.push(p.output);
  return parts.join("\n");
}

function testDetails(report: TestRunReport): string {
  const failing = report.packages.filter((p) => p.status !== "pass" && p.status !== "skip");
  const text = [...failing.map(packageDetails), ...report.errors].join("\n\n");
  return trimHead(text, DETAIL_LIMITS);
}
