// What an eval run writes: one record per (task, repeat) in results.json, and the totals —
// pass rate with its 95% Wilson interval, median cost and time, cost per solved task.
// --resume reads the file back and skips the runs already judged.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface RunRecord {
  task: string;
  family: string;
  /** 1-based index of this run of the task (--repeat). */
  repeat: number;
  judged: "pass" | "fail";
  failingTests: string[];
  judgeSummary: string;
  /** Why the task could not be judged on this worker (a service it needs is not installed). */
  unjudged?: string;
  /** The services the hidden tests ran against ("PostgreSQL 15.18") and their start time. */
  judgeServices?: { labels: string[]; startMs: number };
  /** How the agent's run ended. */
  outcome: "completed" | "needs_clarification" | "failed";
  reason?: string;
  /** The budget that stopped the run, if one did. */
  budget?: string;
  /** The bot's own verification: pass, fail, error, skipped, or none (nothing to verify). */
  botVerdict: string;
  botGreen: boolean;
  asked: boolean;
  questions?: string[];
  turns: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  wallMs: number;
  repairRounds: number;
  model: string;
  changedFiles: string[];
}

export interface Interval {
  low: number;
  high: number;
}

export interface Totals {
  runs: number;
  passed: number;
  passRate: number;
  /** 95% Wilson score interval of the pass rate. */
  interval95: Interval;
  medianCostUsd: number;
  medianWallMs: number;
  totalCostUsd: number;
  /** Total cost over solved runs; null when nothing was solved. */
  costPerSolvedUsd: number | null;
  botGreen: number;
  asked: number;
}

export interface EvalResults {
  suite: string;
  model: string;
  provider: string;
  startedAt: string;
  finishedAt?: string;
  repeat: number;
  runs: RunRecord[];
  totals: Totals;
  perTask: Record<string, Totals>;
}

/** Wilson score interval for k successes in n trials (z = 1.96). */
export function wilson(k: number, n: number, z = 1.96): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function totalsOf(runs: RunRecord[]): Totals {
  const passed = runs.filter((r) => r.judged === "pass").length;
  const totalCostUsd = runs.reduce((n, r) => n + r.costUsd, 0);
  return {
    runs: runs.length,
    passed,
    passRate: runs.length ? passed / runs.length : 0,
    interval95: wilson(passed, runs.length),
    medianCostUsd: median(runs.map((r) => r.costUsd)),
    medianWallMs: median(runs.map((r) => r.wallMs)),
    totalCostUsd,
    costPerSolvedUsd: passed ? totalCostUsd / passed : null,
    botGreen: runs.filter((r) => r.botGreen).length,
    asked: runs.filter((r) => r.asked).length,
  };
}

export function summarize(base: Omit<EvalResults, "totals" | "perTask">): EvalResults {
  const perTask: Record<string, Totals> = {};
  for (const id of [...new Set(base.runs.map((r) => r.task))].sort()) {
    perTask[id] = totalsOf(base.runs.filter((r) => r.task === id));
  }
  return { ...base, totals: totalsOf(base.runs), perTask };
}

export const RESULTS_JSON = "results.json";

/** The runs of an earlier results.json in `outDir`, or none. */
export function loadPreviousRuns(outDir: string): RunRecord[] {
  const file = join(outDir, RESULTS_JSON);
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<EvalResults>;
  return Array.isArray(parsed.runs) ? parsed.runs : [];
}

export const runKey = (task: string, repeat: number): string => `${task}#${repeat}`;

/** Written whole after every run (through a rename), so an interrupted eval can --resume. */
export function writeResults(outDir: string, results: EvalResults): void {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, RESULTS_JSON);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
