// The local runner: the same runJob the GitHub app uses, with a local checkout as the
// workspace and the terminal as the code host (src/local/local-code-host.ts). The
// repository's .github/backend-go-agent.yml, instructions and agents apply as in the app.
//   backend-go-agent run --repo <path> (--task "<text>" | --task-file <file>)
//                        [--agent <name>] [--model <id>] [--max-turns <n>] [--max-cost-usd <n>]
// Exit codes: 0 completed, 2 needs clarification, 1 failed, 64 bad usage.
import { readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createAnthropicModelClient } from "./agent/anthropic-client.js";
import type { Budgets } from "./agent/budget.js";
import { resolveModel } from "./agent/models.js";
import { loadConfig } from "./config/env.js";
import { createGoToolchain } from "./golang/go-toolchain.js";
import { withModuleAccess } from "./golang/module-access.js";
import { goToolDeps } from "./jobs/go-tool-deps.js";
import { runJob } from "./jobs/run-job.js";
import type { TaskRequest } from "./jobs/task.js";
import { LocalCodeHost } from "./local/local-code-host.js";
import { createLocalWorkspace } from "./workspace/local-workspace.js";

export const EXIT = { completed: 0, failed: 1, needs_clarification: 2, usage: 64 } as const;
const AGENTS_DIR = fileURLToPath(new URL("../agents/", import.meta.url));

const USAGE = `usage: backend-go-agent run --repo <path> (--task "<text>" | --task-file <file>)
                            [--agent <name|file.md>] [--model <id>] [--max-turns <n>] [--max-cost-usd <n>]

Runs the agent on a local git checkout, commits its changes on a new branch
backend-go/cli-<timestamp>, prints the report to stdout and progress to stderr.
The checkout's .github/backend-go-agent.yml, AGENTS.md/CLAUDE.md and .github/agents/*.md
apply as they do in the app. Reads ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, MODEL_ALIASES,
DATA_DIR and the Go settings (GOPROXY, GOPRIVATE, GONOSUMDB, GOFLAGS, GO_SANDBOX) from the
environment.
Exit codes: 0 completed, 2 needs clarification, 1 failed, 64 bad usage.`;

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

  const config = loadConfig(process.env);
  if (!config.anthropicApiKey) throw new UsageError("ANTHROPIC_API_KEY is not set");
  const dataDir = process.env.DATA_DIR ? config.dataDir : join(homedir(), ".cache", "backend-go-agent");
  const repo = resolve(values.repo);
  const task: TaskRequest = {
    deliveryId: `cli-${Date.now()}`,
    target: { owner: "local", repo: basename(repo), number: 0, kind: "issue" },
    trigger: {
      kind: "cli",
      actor: userInfo().username || "you",
      instruction: text,
      at: new Date().toISOString(),
    },
    context: { title: "", body: "", comments: [] },
    ...(values.agent ? { agent: values.agent } : {}),
  };
  const controller = new AbortController();
  process.once("SIGINT", () => {
    err("interrupted; stopping…");
    controller.abort();
  });
  // GOPROXY, GOPRIVATE, GONOSUMDB, GOFLAGS and GO_SANDBOX apply here as they do in the app.
  const toolchain = await createGoToolchain({ dataDir, ...config.go, log: (m) => err(m) });
  const result = await runJob(task, {
    host: new LocalCodeHost({
      repoDir: repo,
      appAgentsDir: AGENTS_DIR,
      out: (t) => process.stdout.write(t),
      err,
    }),
    workspace: ({ checkout }) => createLocalWorkspace({ repoDir: repo, branch: checkout.workBranch }),
    toolchain: ({ config: repoConfig }) => withModuleAccess(toolchain, { ...repoConfig.go }),
    modelClient: createAnthropicModelClient({
      apiKey: config.anthropicApiKey,
      baseURL: config.anthropicBaseUrl,
    }),
    resolveModel: (m) => resolveModel(m, config.modelAliases),
    ...(values.model ? { modelOverride: resolveModel(values.model, config.modelAliases) } : {}),
    budgetOverrides: budgets,
    author: { name: "backend-go-agent", email: "backend-go-agent@users.noreply.github.com" },
    signal: controller.signal,
    ...goToolDeps(toolchain, dataDir),
  });
  return EXIT[result.outcome.kind];
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "run") return await run(rest);
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
