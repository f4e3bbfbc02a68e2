// `backend-go-agent eval`: runs the agent on every task of a suite through the CLI's own
// pipeline (src/eval/run-task.ts), judges each run with the task's hidden tests, prints a
// progress line per run and a table, and writes results.json + results.md to --out.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Budgets } from "../agent/budget.js";
import { loadConfig } from "../config/env.js";
import { localDataDir, localModel, localToolchain } from "../local/local-job-deps.js";
import { type EvalTask, loadSuite, TaskError } from "./eval-task.js";
import { progressLine, renderMarkdown, renderTable } from "./render.js";
import {
  type EvalResults,
  loadPreviousRuns,
  type RunRecord,
  runKey,
  summarize,
  writeResults,
} from "./results.js";
import { runTask } from "./run-task.js";

export const DEFAULT_TASKS_DIR = fileURLToPath(new URL("../../evals/go-backend", import.meta.url));
/** Model providers eval can drive (MODEL_PROVIDER; docs/providers.md). */
export const PROVIDERS = ["anthropic", "bedrock", "vertex"] as const;

export const EVAL_USAGE = `usage: backend-go-agent eval [--tasks <dir>] [--only <id,id>] [--model <alias|id>]
                             [--provider anthropic|bedrock|vertex] [--concurrency <n>] [--repeat <k>]
                             [--out <dir>] [--resume] [--max-turns <n>] [--max-cost-usd <n>] [--keep]

Runs the agent on each task of the suite (default: the bundled evals/go-backend) exactly as
\`backend-go-agent run\` does, then judges the result with the task's hidden tests.
Prints a line per run and a table; writes results.json and results.md to --out
(default ./eval-results). --resume keeps the runs already judged there and runs the rest.
A task's own budgets (task.json) win over --max-turns and --max-cost-usd.
Needs ANTHROPIC_API_KEY (or ANTHROPIC_BASE_URL pointing at a stand-in); every run costs money.`;

export interface EvalIo {
  out: (text: string) => void;
  err: (line: string) => void;
}

class EvalUsageError extends Error {}

function count(name: string, raw: string | undefined, fallback: number, integer = true): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new EvalUsageError(`--${name} must be a positive ${integer ? "whole " : ""}number, got "${raw}"`);
  }
  return n;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function evalCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: EvalIo = { out: (t) => process.stdout.write(t), err: (l) => process.stderr.write(`${l}\n`) },
): Promise<number> {
  try {
    return await evaluate(argv, env, io);
  } catch (e) {
    if (e instanceof EvalUsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`backend-go-agent eval: ${(e as Error).message}\n\n${EVAL_USAGE}`);
      return 64;
    }
    if (e instanceof TaskError) {
      io.err(`backend-go-agent eval: ${e.message}`);
      return 64;
    }
    throw e;
  }
}

async function evaluate(argv: string[], env: NodeJS.ProcessEnv, io: EvalIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tasks: { type: "string" },
      only: { type: "string" },
      model: { type: "string" },
      provider: { type: "string" },
      concurrency: { type: "string" },
      repeat: { type: "string" },
      out: { type: "string" },
      resume: { type: "boolean" },
      "max-turns": { type: "string" },
      "max-cost-usd": { type: "string" },
      keep: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    io.out(`${EVAL_USAGE}\n`);
    return 0;
  }
  const provider = values.provider ?? env.MODEL_PROVIDER ?? "anthropic";
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new EvalUsageError(`--provider must be one of ${PROVIDERS.join(", ")}, got "${provider}"`);
  }
  const concurrency = count("concurrency", values.concurrency, 1);
  const repeat = count("repeat", values.repeat, 1);
  const budgets: Partial<Budgets> = {};
  if (values["max-turns"]) budgets.maxTurns = count("max-turns", values["max-turns"], 0);
  if (values["max-cost-usd"]) budgets.maxCostUsd = count("max-cost-usd", values["max-cost-usd"], 0, false);
  const tasksDir = resolve(values.tasks ?? DEFAULT_TASKS_DIR);
  const outDir = resolve(values.out ?? "eval-results");
  const suite = loadSuite(
    tasksDir,
    values.only
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

  const config = loadConfig({ ...env, MODEL_PROVIDER: provider });
  if (provider === "anthropic" && !config.anthropicApiKey && !config.anthropicBaseUrl) {
    io.err(
      "backend-go-agent eval: ANTHROPIC_API_KEY is not set. The eval runs the real agent on every task " +
        `(${suite.length} tasks × ${repeat}), which costs money: set the key to run it, or point ` +
        "ANTHROPIC_BASE_URL at a stand-in. See docs/cli-and-eval.md.",
    );
    return 1;
  }
  const localModelSetup = await localModel(config, values.model, io.err);
  const model = localModelSetup.modelOverride ?? "the agent's own model";
  const previous = values.resume ? loadPreviousRuns(outDir) : [];
  const judged = new Set(previous.map((r) => runKey(r.task, r.repeat)));
  const ids = new Set(suite.map((t) => t.id));
  const runs: RunRecord[] = previous.filter((r) => ids.has(r.task));
  const todo: { task: EvalTask; repeat: number }[] = [];
  for (const task of suite) {
    for (let k = 1; k <= repeat; k++) if (!judged.has(runKey(task.id, k))) todo.push({ task, repeat: k });
  }
  const total = todo.length + runs.length;
  io.err(
    `eval: ${suite.length} tasks × ${repeat} on ${model}; ${todo.length} to run` +
      (runs.length ? `, ${runs.length} already judged in ${outDir}` : ""),
  );

  const controller = new AbortController();
  const onInt = () => {
    io.err("interrupted; stopping the running tasks…");
    controller.abort();
  };
  process.once("SIGINT", onInt);
  const started = new Date().toISOString();
  // Without --model, the models the runs actually used (the agents' own).
  const modelOf = (): string =>
    values.model ? model : [...new Set(runs.map((r) => r.model).filter(Boolean))].join(", ") || model;
  const snapshot = (): EvalResults =>
    summarize({
      suite: tasksDir,
      model: modelOf(),
      provider,
      startedAt: started,
      repeat,
      runs: sortRuns(runs),
    });
  try {
    const dataDir = localDataDir(config, env);
    const toolchain = await localToolchain(config, dataDir, (m) => io.err(m));
    await pool(todo, concurrency, async ({ task, repeat: k }) => {
      if (controller.signal.aborted) return;
      const record = await runTask(task, {
        toolchain,
        model: localModelSetup,
        dataDir,
        budgets,
        repeat: k,
        signal: controller.signal,
        keep: values.keep === true,
      });
      // A run cut short by Ctrl-C was not judged fairly: leave it for --resume.
      if (controller.signal.aborted) return;
      runs.push(record);
      io.err(progressLine(record, runs.length, total));
      writeResults(outDir, snapshot());
    });
  } finally {
    process.removeListener("SIGINT", onInt);
  }
  const results = { ...snapshot(), finishedAt: new Date().toISOString() };
  writeResults(outDir, results);
  writeFileSync(join(outDir, "results.md"), renderMarkdown(results));
  io.out(`${renderTable(results)}\n`);
  io.err(`eval: wrote ${join(outDir, "results.json")} and results.md`);
  return controller.signal.aborted ? 1 : 0;
}

function sortRuns(runs: RunRecord[]): RunRecord[] {
  return [...runs].sort((a, b) => a.task.localeCompare(b.task) || a.repeat - b.repeat);
}
