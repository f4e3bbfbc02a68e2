// Reads the event stream of `go test -json` (test2json) into per-package results: counts,
// failing tests with their trimmed output, elapsed time, and build failures. Go 1.24+
// reports build errors as build-output/build-fail events; older Go (and setup errors)
// print them to stderr under "# <package>" headers, so stderr is read too.
import { trimTail } from "../text.js";

interface TestEvent {
  Time?: string;
  Action?: string;
  Package?: string;
  ImportPath?: string;
  Test?: string;
  Elapsed?: number;
  Output?: string;
  FailedBuild?: string;
}

export interface FailedTest {
  name: string;
  /** "failed"; "timed out" when go's -timeout fired in it; "did not finish" when killed. */
  reason: "failed" | "timed out" | "did not finish";
  /** The test's own output, trimmed to its end; no === RUN lines. */
  output: string;
  elapsedSec?: number;
}

export interface SkippedTest {
  name: string;
  /** What the test said when it skipped ("DATABASE_URL is not set"), without file:line. */
  message: string;
}

export interface PackageResult {
  name: string;
  /** "skip" is a package without tests; "incomplete" never reported an end (killed). */
  status: "pass" | "fail" | "skip" | "build-fail" | "incomplete";
  elapsedSec?: number;
  /** Top-level tests; subtests are not counted. */
  passed: number;
  failed: number;
  skipped: number;
  failedTests: FailedTest[];
  /** Top-level tests that called t.Skip, with their reason. */
  skippedTests: SkippedTest[];
  /** Compiler output when the package (or its test binary) did not build. */
  buildOutput?: string;
  /** Package-level output (a panic outside tests, the timeout dump), trimmed; only on failure. */
  output?: string;
  /** go test's own -timeout fired in this package. */
  timedOut: boolean;
}

export interface TestRunReport {
  packages: PackageResult[];
  totals: {
    packages: number;
    passedPackages: number;
    failedPackages: number;
    passed: number;
    failed: number;
    skipped: number;
  };
  /** From the first to the last event, seconds. */
  elapsedSec?: number;
  /** Errors not tied to a package event: `go:` errors, stderr build output of old Go. */
  errors: string[];
}

const OUTPUT_LIMITS = { maxLines: 40, maxChars: 4000 };
const NOISE = /^\s*=== (RUN|PAUSE|CONT|NAME)\b/;
const TIMEOUT_PANIC = /^panic: test timed out after/m;

interface TestState {
  status?: "pass" | "fail" | "skip";
  elapsed?: number;
  lines: string[];
}

interface PackageState {
  name: string;
  status?: "pass" | "fail" | "skip";
  elapsed?: number;
  failedBuild?: string;
  tests: Map<string, TestState>;
  lines: string[];
}

function stripVariant(importPath: string): string {
  // "example.com/x [example.com/x.test]" names the test variant of package x.
  return importPath.replace(/\s+\[.*\]$/, "");
}

/** Splits stderr of `go test`/`go build` into "# package" blocks and loose `go:` errors. */
export function parseBuildStderr(stderr: string): { blocks: Map<string, string>; loose: string[] } {
  const blocks = new Map<string, string>();
  const loose: string[] = [];
  let current: string | undefined;
  for (const line of stderr.split("\n")) {
    const header = /^# (\S.*)$/.exec(line);
    if (header?.[1]) {
      // vet prints "# [pkg]" after "# pkg"; fold it into the package above.
      if (header[1].startsWith("[") && current) continue;
      current = stripVariant(header[1]);
      if (!blocks.has(current)) blocks.set(current, "");
      continue;
    }
    if (current !== undefined && line.trim() !== "") {
      blocks.set(current, `${blocks.get(current)}${line}\n`);
    } else if (line.trim() !== "" && !line.startsWith("go: downloading")) {
      loose.push(line);
    }
  }
  return { blocks, loose };
}

/**
 * The panic of go's -timeout dumps every goroutine. Keep its head (which names the running
 * tests) and the goroutines of the hung test itself; drop the testing framework's own.
 */
export function condenseTimeoutDump(text: string, test: string): string {
  const blocks = text.split(/\n(?=goroutine \d+ \[)/);
  const head = blocks.shift() ?? "";
  const frame = `.${test.split("/")[0]}(`;
  const own = blocks.filter((b) => b.includes(frame));
  const dropped = blocks.length - own.length;
  const note = dropped > 0 ? `\n… ${dropped} other goroutine${dropped === 1 ? "" : "s"} omitted …\n` : "";
  return [head.trimEnd(), note, ...own].join("\n");
}

/** "    db_test.go:12: DATABASE_URL is not set" → "DATABASE_URL is not set". */
function skipMessage(lines: string[]): string {
  return lines
    .filter((l) => !NOISE.test(l) && !/^\s*--- SKIP/.test(l))
    .map((l) => l.trim().replace(/^\S+\.go:\d+: /, ""))
    .filter(Boolean)
    .join(" ")
    .slice(0, 300);
}

function tidy(lines: string[]): string {
  return trimTail(lines.filter((l) => !NOISE.test(l)).join(""), OUTPUT_LIMITS);
}

export function parseTestJson(stdout: string, stderr = ""): TestRunReport {
  const packages = new Map<string, PackageState>();
  const buildOutput = new Map<string, string[]>();
  const errors: string[] = [];
  let first: number | undefined;
  let last: number | undefined;
  const pkg = (name: string): PackageState => {
    let p = packages.get(name);
    if (!p) {
      p = { name, tests: new Map(), lines: [] };
      packages.set(name, p);
    }
    return p;
  };

  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    let ev: TestEvent;
    try {
      ev = JSON.parse(line) as TestEvent;
    } catch {
      // Not an event: a cut line at the output cap, or plain text from a non-json run.
      if (!line.startsWith("{")) errors.push(line);
      continue;
    }
    if (ev.Time) {
      const t = Date.parse(ev.Time);
      if (!Number.isNaN(t)) {
        first ??= t;
        last = t;
      }
    }
    if (ev.Action === "build-output" && ev.ImportPath) {
      const list = buildOutput.get(ev.ImportPath) ?? [];
      list.push(ev.Output ?? "");
      buildOutput.set(ev.ImportPath, list);
      continue;
    }
    if (!ev.Package) continue;
    const p = pkg(ev.Package);
    if (ev.Test) {
      let t = p.tests.get(ev.Test);
      if (!t) {
        t = { lines: [] };
        p.tests.set(ev.Test, t);
      }
      if (ev.Action === "output" && ev.Output) t.lines.push(ev.Output);
      if (ev.Action === "pass" || ev.Action === "fail" || ev.Action === "skip") {
        t.status = ev.Action;
        t.elapsed = ev.Elapsed;
      }
      continue;
    }
    if (ev.Action === "output" && ev.Output) p.lines.push(ev.Output);
    if (ev.Action === "pass" || ev.Action === "fail" || ev.Action === "skip") {
      p.status = ev.Action;
      p.elapsed = ev.Elapsed;
      if (ev.FailedBuild) p.failedBuild = ev.FailedBuild;
    }
  }

  const { blocks, loose } = parseBuildStderr(stderr);
  errors.push(...loose);
  const results = [...packages.values()].map((p) => toResult(p, buildOutput, blocks));
  // Build output on stderr for a package that has no event at all (a setup failure).
  for (const [name, text] of blocks) {
    if (!packages.has(name) && text.trim()) errors.push(`# ${name}\n${text.trimEnd()}`);
  }
  results.sort((a, b) => a.name.localeCompare(b.name));
  const totals = totalsOf(results);
  const elapsedSec = first !== undefined && last !== undefined ? Math.round(last - first) / 1000 : undefined;
  return { packages: results, totals, elapsedSec, errors };
}

export function totalsOf(results: PackageResult[]): TestRunReport["totals"] {
  return {
    packages: results.length,
    passedPackages: results.filter((r) => r.status === "pass").length,
    failedPackages: results.filter((r) => r.status !== "pass" && r.status !== "skip").length,
    passed: results.reduce((n, r) => n + r.passed, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    skipped: results.reduce((n, r) => n + r.skipped, 0),
  };
}

function toResult(
  p: PackageState,
  buildOutput: Map<string, string[]>,
  stderrBlocks: Map<string, string>,
): PackageResult {
  const timedOut = [...p.tests.values(), p].some((s) => TIMEOUT_PANIC.test(s.lines.join("")));
  const failedTests: FailedTest[] = [];
  const skippedTests: SkippedTest[] = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const [name, t] of p.tests) {
    const topLevel = !name.includes("/");
    if (topLevel && t.status === "pass") passed++;
    if (topLevel && t.status === "skip") {
      skipped++;
      skippedTests.push({ name, message: skipMessage(t.lines) });
    }
    if (topLevel && t.status !== "pass" && t.status !== "skip") failed++;
    if (t.status === "pass" || t.status === "skip") continue;
    // List the deepest failures: a parent that failed only through its subtests adds nothing.
    const failingChild = [...p.tests.entries()].some(
      ([other, s]) => other.startsWith(`${name}/`) && s.status !== "pass" && s.status !== "skip",
    );
    if (failingChild) continue;
    const text = t.lines.join("");
    const reason = t.status === "fail" ? "failed" : TIMEOUT_PANIC.test(text) ? "timed out" : "did not finish";
    // A crash names its cause in one line ("fatal error: runtime: out of memory", "panic: …")
    // above a dump of every goroutine, which the kept tail alone would lose.
    const cause = /^(?:fatal error|panic): .*$/m.exec(text)?.[0];
    const tail = tidy(t.lines);
    const output =
      reason === "timed out"
        ? trimTail(
            condenseTimeoutDump(text.replace(/^\s*=== (RUN|PAUSE|CONT|NAME)\b.*\n/gm, ""), name),
            OUTPUT_LIMITS,
          )
        : cause && !tail.includes(cause)
          ? `${cause}\n${tail}`
          : tail;
    failedTests.push({ name, reason, output, elapsedSec: t.elapsed });
  }

  let build: string | undefined;
  if (p.failedBuild) {
    build = (buildOutput.get(p.failedBuild) ?? []).join("");
    if (!build) build = stderrBlocks.get(stripVariant(p.failedBuild)) ?? "";
  } else if (p.status === "fail" && p.lines.some((l) => /\[(build|setup) failed\]/.test(l))) {
    build = stderrBlocks.get(p.name) ?? "";
  }
  const status: PackageResult["status"] =
    build !== undefined ? "build-fail" : p.status === undefined ? "incomplete" : p.status;
  const pkgOutput = p.lines.filter((l) => !/^(PASS|FAIL|ok )\b/.test(l) && !/^(FAIL|ok|\?)\s+\S+\s/.test(l));
  return {
    name: p.name,
    status,
    elapsedSec: p.elapsed,
    passed,
    failed,
    skipped,
    failedTests,
    skippedTests,
    buildOutput: build !== undefined ? trimTail(build, OUTPUT_LIMITS) : undefined,
    output: status !== "pass" && status !== "skip" && pkgOutput.length ? tidy(pkgOutput) : undefined,
    timedOut,
  };
}
