// Judging a run: the hidden tests are laid over the agent's final tree and run in the
// toolchain's sandbox (offline, after the one `go mod download`); the verdict is pass or
// fail with the failing tests' names, read from `go test -json`. A task whose right answer
// is a question is judged by whether the agent asked one that offers options.
import { cpSync } from "node:fs";
import type { AgentOutcome } from "../agent/outcome.js";
import { parseTestJson } from "../golang/test-json.js";
import type { Toolchain } from "../golang/toolchain.js";
import type { EvalTask } from "./eval-task.js";

export interface Judgement {
  passed: boolean;
  /** "pkg.TestName" of each failing test; "pkg (build failed)" for a package that did not build. */
  failingTests: string[];
  /** One line: why it passed or failed. */
  summary: string;
}

export interface JudgeOptions {
  toolchain: Toolchain;
  checkoutDir: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const JUDGE_TIMEOUT_MS = 10 * 60_000;

/** The names of what failed in one `go test -json` run. */
export function failingTestNames(stdout: string, stderr: string): string[] {
  const report = parseTestJson(stdout, stderr);
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

async function goTest(args: string[], o: JudgeOptions): Promise<Judgement> {
  const withJson = args.includes("-json") ? args : [args[0]!, "-json", ...args.slice(1)];
  const res = await o.toolchain.go(withJson, {
    cwd: o.checkoutDir,
    timeoutMs: o.timeoutMs ?? JUDGE_TIMEOUT_MS,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const failing = failingTestNames(res.stdout, res.stderr);
  const command = `go ${args.join(" ")}`;
  if (res.timedOut) return { passed: false, failingTests: failing, summary: `${command} timed out` };
  if (res.exitCode === 0 && failing.length === 0) return { passed: true, failingTests: [], summary: command };
  if (failing.length === 0) {
    // No test event names the failure (a `go:` setup error): say what go said.
    const line = res.stderr.split("\n").find((l) => l.trim()) ?? `exit ${res.exitCode}`;
    return { passed: false, failingTests: [], summary: `${command}: ${line.trim().slice(0, 200)}` };
  }
  return { passed: false, failingTests: failing, summary: `${command}: ${failing.length} failing` };
}

/** Lays the hidden tests over the tree, then runs the judge command and the must-keep-passing one. */
export async function judgeTree(task: EvalTask, o: JudgeOptions): Promise<Judgement> {
  cpSync(task.hiddenDir, o.checkoutDir, { recursive: true, force: true });
  // Builds and tests run offline; the modules go.mod names are fetched first (a no-op when warm).
  await o.toolchain.go(["mod", "download"], {
    cwd: o.checkoutDir,
    network: true,
    timeoutMs: o.timeoutMs ?? JUDGE_TIMEOUT_MS,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const hidden = await goTest(task.judge, o);
  if (!task.keepPassing) return hidden;
  const kept = await goTest(task.keepPassing, o);
  return {
    passed: hidden.passed && kept.passed,
    failingTests: [...new Set([...hidden.failingTests, ...kept.failingTests])],
    summary: hidden.passed ? kept.summary : hidden.summary,
  };
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
