// Judging a run: the hidden tests are laid over the agent's final tree and run in the
// toolchain's sandbox (offline, after the one `go mod download`); the verdict is pass or
// fail with the failing tests' names, read from `go test -json`. A task whose repository
// declares services (`verify.services` in its own .github/backend-go-agent.yml) is judged
// against them: a PostgreSQL and a Redis of its own, started from the worker's binaries by
// src/services/ exactly as for a job, with the file's build tags, stopped after the judge.
// A task whose services this worker lacks is not judged, and so not passed. A task whose right
// answer is a question is judged by whether the agent asked one that offers options.
import { cpSync } from "node:fs";
import type { AgentOutcome } from "../agent/outcome.js";
import { parseTestJson, type TestRunReport } from "../golang/test-json.js";
import type { Toolchain } from "../golang/toolchain.js";
import type { RepoConfig } from "../repo/index.js";
import { type Services, startJobServices, withServices } from "../services/index.js";
import type { EvalTask } from "./eval-task.js";

export interface Judgement {
  passed: boolean;
  /** "pkg.TestName" of each failing test; "pkg (build failed)" for a package that did not build. */
  failingTests: string[];
  /** One line: why it passed or failed (a failing test's first words: the database's error). */
  summary: string;
  /** The services the hidden tests ran against ("PostgreSQL 15.18") and what starting them took. */
  services?: { labels: string[]; startMs: number };
  /** Why this worker could not judge the task (a service it needs is missing): never a pass. */
  unjudged?: string;
  /** How long judging took, services included. */
  judgeMs?: number;
}

export interface JudgeOptions {
  toolchain: Toolchain;
  checkoutDir: string;
  /**
   * The task repository's configuration as it was before the agent ran (task-config.ts):
   * its `verify.services` are started for the hidden tests, its `verify.tags` set.
   */
  config?: RepoConfig;
  /** The worker's services (sharedServices); without them a task that declares some is not judged. */
  services?: Services;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const JUDGE_TIMEOUT_MS = 10 * 60_000;

/** The names of what failed in one `go test -json` run. */
export function failingTestNames(stdout: string, stderr: string): string[] {
  return failingIn(parseTestJson(stdout, stderr));
}

function failingIn(report: TestRunReport): string[] {
  const names: string[] = [];
  for (const p of report.packages) {
    if (p.status === "build-fail") names.push(`${p.name} (build failed)`);
    else if (p.status === "incomplete" && p.failedTests.length === 0)
      names.push(`${p.name} (did not finish)`);
    for (const t of p.failedTests) names.push(`${p.name}.${t.name}`);
    if (p.status === "fail" && p.failedTests.length === 0 && !p.buildOutput) names.push(`${p.name} (failed)`);
  }
  return names;
}

/** The first line a failing test printed that is not go test's own ("--- FAIL") nor a clipping marker, without file:line. */
function firstWords(report: TestRunReport): string | undefined {
  for (const p of report.packages) {
    for (const t of p.failedTests) {
      const line = t.output
        .split("\n")
        .map((l) => l.trim().replace(/^\S+\.go:\d+: /, ""))
        .find((l) => l && !/^--- (FAIL|PASS|SKIP)/.test(l) && !/^… .* cut …$/.test(l));
      if (line) return `${t.name}: ${line.slice(0, 200)}`;
    }
  }
  return undefined;
}

/**
 * One `go test -json` run. For the hidden tests (`hidden`), running none, or one skipping
 * (`DATABASE_URL is not set`), is no pass: nothing was shown to work.
 */
async function goTest(
  args: string[],
  o: JudgeOptions,
  toolchain: Toolchain,
  hidden: boolean,
): Promise<Judgement> {
  const withJson = args.includes("-json") ? args : [args[0]!, "-json", ...args.slice(1)];
  const res = await toolchain.go(withJson, {
    cwd: o.checkoutDir,
    timeoutMs: o.timeoutMs ?? JUDGE_TIMEOUT_MS,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const report = parseTestJson(res.stdout, res.stderr);
  const failing = failingIn(report);
  const command = `go ${args.join(" ")}`;
  if (res.timedOut) return { passed: false, failingTests: failing, summary: `${command} timed out` };
  if (res.exitCode === 0 && failing.length === 0) {
    const skipped = report.packages.flatMap((p) => p.skippedTests.map((t) => ({ pkg: p.name, ...t })));
    if (hidden && skipped.length) {
      const s = skipped[0]!;
      return {
        passed: false,
        failingTests: skipped.map((t) => `${t.pkg}.${t.name} (skipped)`),
        summary: `${command}: ${skipped.length} skipped — ${s.name}: ${s.message || "skipped"}`,
      };
    }
    if (hidden && report.totals.passed === 0)
      return { passed: false, failingTests: [], summary: `${command}: no hidden test ran` };
    return { passed: true, failingTests: [], summary: command };
  }
  if (failing.length === 0) {
    // No test event names the failure (a `go:` setup error): say what go said.
    const line = res.stderr.split("\n").find((l) => l.trim()) ?? `exit ${res.exitCode}`;
    return { passed: false, failingTests: [], summary: `${command}: ${line.trim().slice(0, 200)}` };
  }
  const words = firstWords(report);
  return {
    passed: false,
    failingTests: failing,
    summary: `${command}: ${failing.length} failing${words ? ` — ${words}` : ""}`,
  };
}

/**
 * Lays the hidden tests over the tree, starts the services the task's configuration declares,
 * then runs the judge command and the must-keep-passing one against them.
 */
export async function judgeTree(task: EvalTask, o: JudgeOptions): Promise<Judgement> {
  const began = Date.now();
  cpSync(task.hiddenDir, o.checkoutDir, { recursive: true, force: true });
  // Builds and tests run offline; the modules go.mod names are fetched first (a no-op when warm).
  await o.toolchain.go(["mod", "download"], {
    cwd: o.checkoutDir,
    network: true,
    timeoutMs: o.timeoutMs ?? JUDGE_TIMEOUT_MS,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const started = o.config
    ? await startJobServices(o.services, o.config, o.checkoutDir, o.signal)
    : undefined;
  try {
    const job = started?.job;
    const services = job?.used.length
      ? { services: { labels: job.used.map((u) => u.label), startMs: started!.costMs } }
      : {};
    if (job?.problems.length) {
      const unjudged = job.problems.map((p) => p.reason).join("; ");
      return {
        passed: false,
        failingTests: [],
        summary: `not judged: ${unjudged}`,
        unjudged,
        ...services,
        judgeMs: Date.now() - began,
      };
    }
    const toolchain = withServices(o.toolchain, job, started?.tags ?? []);
    const hidden = await goTest(task.judge, o, toolchain, true);
    const kept = task.keepPassing ? await goTest(task.keepPassing, o, toolchain, false) : undefined;
    const judged: Judgement = kept
      ? {
          passed: hidden.passed && kept.passed,
          failingTests: [...new Set([...hidden.failingTests, ...kept.failingTests])],
          summary: hidden.passed ? kept.summary : hidden.summary,
        }
      : hidden;
    return { ...judged, ...services, judgeMs: Date.now() - began };
  } finally {
    await started?.job?.stop();
  }
}

/** A question offers options when it names two or more alternatives. */
export function offersOptions(question: string): boolean {
  if (/\bor\b/i.test(question)) return true;
  if (/(^|\n)\s*(?:[-*]|\(?[a-z1-9][).])\s+\S.*\n\s*(?:[-*]|\(?[a-z1-9][).])\s+\S/i.test(question))
    return true;
  return /\([^)]*,[^)]*\)/.test(question);
}

export function judgeAsk(outcome: AgentOutcome): Judgement {
  if (outcome.kind !== "needs_clarification") {
    return {
      passed: false,
      failingTests: [],
      summary: `did not ask (the run ${outcome.kind.replace("_", " ")})`,
    };
  }
  const withOptions = outcome.questions.filter(offersOptions);
  return withOptions.length > 0
    ? { passed: true, failingTests: [], summary: `asked ${outcome.questions.length}, with options` }
    : { passed: false, failingTests: [], summary: "asked, but offered no options to choose from" };
}
