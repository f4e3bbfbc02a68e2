// The local runner: the same runJob the GitHub app uses, with a local checkout as the
// workspace and the terminal as the code host (src/local/local-code-host.ts). The
// repository's .github/backend-go-agent.yml, instructions and agents apply as in the app.
//   backend-go-agent run --repo <path> (--task "<text>" | --task-file <file>)
//                        [--agent <name>] [--model <id>] [--max-turns <n>] [--max-cost-usd <n>]
//                        [--provider anthropic|bedrock|vertex]
// Exit codes: 0 completed, 2 needs clarification, 1 failed, 64 bad usage.
//   backend-go-agent eval …  measures the same job on a task suite (src/eval/eval-command.ts).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Budgets } from "./agent/budget.js";
import { loadConfig } from "./config/env.js";
import { evalCommand } from "./eval/eval-command.js";
import { localDataDir, localJobDeps, localModel, localTask, localToolchain } from "./local/local-job-deps.js";
import { runJob } from "./pipeline/run-job.js";

export const EXIT = { completed: 0, failed: 1, needs_clarification: 2, usage: 64 } as const;

const USAGE = `usage: backend-go-agent run --repo <path> (--task "<text>" | --task-file <file>)
                            [--agent <name|file.md>] [--model <id>] [--max-turns <n>] [--max-cost-usd <n>]
                            [--provider anthropic|bedrock|vertex]

Runs the agent on a local git checkout, commits its changes on a new branch
backend-go/cli-<timestamp>, prints the report to stdout and progress to stderr.
The checkout's .github/backend-go-agent.yml, AGENTS.md/CLAUDE.md and .github/agents/*.md
apply as they do in the app. Reads ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, MODEL_ALIASES,
MODEL_PROVIDER (--provider wins) and its settings (docs/providers.md),
DATA_DIR and the Go settings (GOPROXY, GOPRIVATE, GONOSUMDB, GOFLAGS, GO_SANDBOX) from the
environment.
Exit codes: 0 completed, 2 needs clarification, 1 failed, 64 bad usage.

       backend-go-agent eval [--tasks <dir>] [--model <id>] [--repeat <k>] … (eval --help)`;

class UsageError extends Error {}

const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function positive(name: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be a positive ${integer ? "whole " : ""}number, got "${raw}"`);
  }
  return n;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: "string" },
      task: { type: "string" },
      "task-file": { type: "string" },
      agent: { type: "string" },
      model: { type: "string" },
      "max-turns": { type: "string" },
      "max-cost-usd": { type: "string" },
      provider: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.completed;
  }
  if (!values.repo) throw new UsageError("--repo is required");
  if (!values.task === !values["task-file"])
    throw new UsageError("give exactly one of --task or --task-file");
  const text = (values.task ?? readFileSync(values["task-file"]!, "utf8")).trim();
  if (!text) throw new UsageError("the task is empty");
  const budgets: Partial<Budgets> = {};
  const maxTurns = positive("max-turns", values["max-turns"], true);
  const maxCost = positive("max-cost-usd", values["max-cost-usd"], false);
  if (maxTurns) budgets.maxTurns = maxTurns;
  if (maxCost) budgets.maxCostUsd = maxCost;

  const config = loadConfig({
    ...process.env,
    ...(values.provider ? { MODEL_PROVIDER: values.provider } : {}),
  });
  if (config.modelProvider.kind === "anthropic" && !config.anthropicApiKey)
    throw new UsageError("ANTHROPIC_API_KEY is not set");
  const repo = resolve(values.repo);
  const task = localTask(repo, text, values.agent ? { agent: values.agent } : {});
  const controller = new AbortController();
  process.once("SIGINT", () => {
    err("interrupted; stopping…");
    controller.abort();
  });
  const dataDir = localDataDir(config, process.env);
  const toolchain = await localToolchain(config, dataDir, err);
  const deps = localJobDeps({
    repoDir: repo,
    dataDir,
    toolchain,
    model: await localModel(config, values.model, err),
    budgets,
    signal: controller.signal,
    out: (t) => process.stdout.write(t),
    err,
  });
  const result = await runJob(task, deps);
  return EXIT[result.outcome.kind];
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "run") return await run(rest);
    if (command === "eval") return await evalCommand(rest, process.env);
    if (command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.completed;
    }
    throw new UsageError(command ? `unknown command "${command}"` : "no command given");
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err(`backend-go-agent: ${(e as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    err(`backend-go-agent: ${(e as Error).message}`);
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
