// Fail → pass: the bot's proof that the change's tests mean something. The test functions the
// change adds or modifies run against the base code with the change's test files laid over it
// (a test that does not compile there fails there) and against the change. Each should fail
// without the change and pass with it; one that passes without it may not test the change,
// and goes back to the agent as a warning. A change to code that no test fails without is named.
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { trimHead } from "../../text.js";
import type { Check } from "../verdict-types.js";
import { type EvidenceContext, short } from "./evidence-context.js";
import { testFunctions } from "./evidence-helper.js";
import { importPathOf, isCodeFile, isTestFile, packagePattern } from "./go-files.js";
import { outcomeOf, runTestEvents, type TestOutcome } from "./test-events.js";
import { testsOverBase } from "./tests-over-base.js";

export const FAIL_PASS_CHECK = "fail → pass";

export interface TargetTest {
  /** `./pkg` in the module. */
  pattern: string;
  name: string;
  kind: "added" | "changed";
}

export interface TestEvidence extends TargetTest {
  base: TestOutcome;
  head: TestOutcome;
  verdict: "proven" | "passes-without" | "fails-with" | "unproven";
}

const baseCache = new Map<string, Map<string, TestOutcome>>();
const CACHE_LIMIT = 100;

export function judge(base: TestOutcome, head: TestOutcome): TestEvidence["verdict"] {
  if (head === "fail" || head === "no-build") return "fails-with";
  if (head !== "pass") return "unproven";
  if (base === "fail" || base === "no-build") return "proven";
  if (base === "pass") return "passes-without";
  return "unproven";
}

const WITHOUT: Record<TestOutcome, string> = {
  fail: "fails without the change",
  "no-build": "does not compile without the change",
  pass: "passes without the change",
  skip: "skips without the change",
  "not-run": "did not run without the change",
};
const WITH: Record<TestOutcome, string> = {
  pass: "passes with it",
  fail: "fails with it",
  "no-build": "does not compile with it",
  skip: "skips with it",
  "not-run": "did not run with it",
};

function line(t: TestEvidence, dir: string): string {
  const mark = t.verdict === "proven" ? "✓" : t.verdict === "unproven" ? "·" : "⚠";
  const why = t.verdict === "passes-without" ? " — it may not test the change" : "";
  return `${mark} ${t.name} (${importPathOf(dir, t.pattern)}, ${t.kind}): ${WITHOUT[t.base]}, ${WITH[t.head]}${why}`;
}

/** The Test functions the change adds or modifies, from both sides' test files. */
async function targets(ctx: EvidenceContext, testFiles: string[]): Promise<TargetTest[]> {
  const baseDir = await ctx.base.moduleDir();
  const baseRoot = await ctx.base.root();
  const head = testFiles.filter((f) => existsSync(f));
  const base = head.map((f) => join(baseDir, relative(ctx.dir, f))).filter((f) => existsSync(f));
  const read = await testFunctions(ctx.toolchain, [...head, ...base], [ctx.root, baseRoot], ctx.signal);
  const byFile = new Map(read.map((r) => [r.file, r.tests]));
  const out: TargetTest[] = [];
  for (const file of head) {
    const now = byFile.get(file) ?? {};
    const was = byFile.get(join(baseDir, relative(ctx.dir, file))) ?? {};
    for (const [name, hash] of Object.entries(now)) {
      if (was[name] === hash) continue;
      out.push({ pattern: packagePattern(ctx.dir, file), name, kind: was[name] ? "changed" : "added" });
    }
  }
  return out.sort((a, b) => a.pattern.localeCompare(b.pattern) || a.name.localeCompare(b.name));
}

export async function failPassCheck(ctx: EvidenceContext): Promise<Check | undefined> {
  const name = FAIL_PASS_CHECK;
  const started = Date.now();
  const testFiles = ctx.changed.filter((f) => isTestFile(ctx.dir, f));
  const code = ctx.changed.filter((f) => isCodeFile(ctx.dir, f));
  const untested = (summary: string): Check => ({
    name,
    status: "skipped",
    summary,
    details: "",
    evidence: true,
  });
  if (testFiles.length === 0) {
    return code.length
      ? untested("no test added or changed, though Go code changed: no test shows what the change does")
      : undefined;
  }
  let tests: TargetTest[];
  try {
    tests = await targets(ctx, testFiles);
  } catch (err) {
    return untested(`could not read the tests: ${(err as Error).message}`);
  }
  if (tests.length === 0) {
    return code.length ? untested("the changed test files add or modify no Test function") : undefined;
  }
  ctx.onProgress?.(
    `${name}: ${tests.length} test${tests.length === 1 ? "" : "s"} on the base and the change`,
  );
  const names = [...new Set(tests.map((t) => t.name))];
  const patterns = [...new Set(tests.map((t) => t.pattern))];
  const run = {
    toolchain: ctx.toolchain,
    packages: patterns,
    tests: names,
    timeoutMs: ctx.timeoutMs,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const head = await runTestEvents({ ...run, dir: ctx.dir, root: ctx.root });
  if (head.result.timedOut || head.result.aborted)
    return untested(`the tests did not finish on the change (${head.command})`);

  let base: Map<string, TestOutcome>;
  try {
    const over = await testsOverBase(ctx, names.join(","), patterns.join(","));
    const cached = baseCache.get(over.key);
    if (cached) base = cached;
    else {
      await over.prepare();
      const res = await runTestEvents({ ...run, dir: over.dir, root: over.root });
      if (res.result.timedOut || res.result.aborted)
        return untested(`the tests did not finish on the base ${short(ctx.baseSha)}`);
      base = new Map(
        tests.map((t) => {
          const pkg = importPathOf(over.dir, t.pattern);
          // A package whose tests did not build on the base reports no test events.
          const o = outcomeOf(res.packages, pkg, t.name);
          return [`${t.pattern} ${t.name}`, o];
        }),
      );
      baseCache.set(over.key, base);
      if (baseCache.size > CACHE_LIMIT) baseCache.delete(baseCache.keys().next().value!);
    }
  } catch (err) {
    return untested(`could not run the tests on the base ${short(ctx.baseSha)}: ${(err as Error).message}`);
  }

  const evidence: TestEvidence[] = tests.map((t) => {
    const b = base.get(`${t.pattern} ${t.name}`) ?? "not-run";
    const h = outcomeOf(head.packages, importPathOf(ctx.dir, t.pattern), t.name);
    return { ...t, base: b, head: h, verdict: judge(b, h) };
  });
  return failPassRow(ctx, evidence, code.length > 0, Date.now() - started, head.command);
}

export function failPassRow(
  ctx: Pick<EvidenceContext, "dir" | "baseSha">,
  evidence: TestEvidence[],
  codeChanged: boolean,
  durationMs: number,
  command: string,
): Check {
  const count = (v: TestEvidence["verdict"]) => evidence.filter((t) => t.verdict === v);
  const proven = count("proven");
  const without = count("passes-without");
  const failing = count("fails-with");
  const n = evidence.length;
  const one = n === 1;
  const parts = [
    `${proven.length} of ${n} new or changed test${one ? " fails" : "s fail"} without the change and pass${one ? "es" : ""} with it`,
  ];
  if (without.length)
    parts.push(
      `${without.length} pass${without.length === 1 ? "es" : ""} without it (may not test the change)`,
    );
  if (failing.length) parts.push(`${failing.length} fail${failing.length === 1 ? "s" : ""} with it`);
  if (codeChanged && proven.length === 0) parts.push("no test fails without the change");
  const at = (t: TestEvidence) => `${t.name} in ${importPathOf(ctx.dir, t.pattern)}`;
  // A test failing with the change is the go test row's (red, sent to repair already).
  const warnings = without.map(
    (t) =>
      `${at(t)} passes on the base commit ${short(ctx.baseSha)} too, without your change: it may not test what the change does. Make it fail on the old code (assert the new behaviour), or say in your report why it cannot.`,
  );
  return {
    name: FAIL_PASS_CHECK,
    status: "pass",
    summary: parts.join("; "),
    details: trimHead(evidence.map((t) => line(t, ctx.dir)).join("\n"), { maxLines: 60, maxChars: 6000 }),
    command: `${command} (on ${short(ctx.baseSha)} with the change's tests, and on the change)`,
    durationMs,
    evidence: true,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** Forgets cached base runs (tests). */
export function clearFailPassCache(): void {
  baseCache.clear();
}
