// The suite's self-check (`npm run eval:check`): for every task, the reference solution laid
// over the repository passes the hidden tests, the repository as it stands fails them, and so
// does the plausible wrong solution (wrong/) when the task has one. No model is involved.
//   node dist/eval/self-check.js [--tasks <dir>] [--only <id,id>]
import { cpSync, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/env.js";
import type { Toolchain } from "../golang/toolchain.js";
import { localDataDir, localToolchain } from "../local/local-job-deps.js";
import { type Services, sharedServices } from "../services/index.js";
import { DEFAULT_TASKS_DIR } from "./eval-command.js";
import { type EvalTask, loadSuite } from "./eval-task.js";
import { type Judgement, judgeTree } from "./judge.js";
import { checkoutTask } from "./run-task.js";
import { loadTaskConfig } from "./task-config.js";

export interface CheckLine {
  task: string;
  variant: "solution" | "before" | "wrong";
  want: "pass" | "fail";
  got: Judgement;
  ok: boolean;
}

export interface CheckOptions {
  toolchain: Toolchain;
  /** The worker's services, for tasks that declare some (sharedServices). */
  services?: Services;
}

async function judgeVariant(task: EvalTask, o: CheckOptions, overlay?: string): Promise<Judgement> {
  const base = await mkdtemp(join(tmpdir(), `bga-evalcheck-${task.id}-`));
  try {
    const dir = join(base, task.id);
    const before = await checkoutTask(task, dir);
    const config = await loadTaskConfig(dir, before);
    if (overlay) cpSync(overlay, dir, { recursive: true, force: true });
    return await judgeTree(task, {
      toolchain: o.toolchain,
      checkoutDir: dir,
      config,
      ...(o.services ? { services: o.services } : {}),
    });
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

export async function checkTask(task: EvalTask, o: CheckOptions): Promise<CheckLine[]> {
  if (task.expect === "ask") return [];
  const lines: CheckLine[] = [];
  const variants: [CheckLine["variant"], string | undefined, "pass" | "fail"][] = [
    ["solution", task.solutionDir, "pass"],
    ["before", undefined, "fail"],
    ["wrong", join(task.dir, "wrong"), "fail"],
  ];
  for (const [variant, overlay, want] of variants) {
    if (variant === "solution" && !overlay) {
      lines.push({
        task: task.id,
        variant,
        want,
        got: { passed: false, failingTests: [], summary: "no solution/ dir" },
        ok: false,
      });
      continue;
    }
    if (variant === "wrong" && !existsSync(overlay!)) continue;
    const got = await judgeVariant(task, o, overlay);
    // A task this worker cannot judge (a service missing) is checked by nothing: never ok.
    lines.push({ task: task.id, variant, want, got, ok: !got.unjudged && got.passed === (want === "pass") });
  }
  return lines;
}

/** "ok   pg-task wrong: fail, want fail (…) in 6.1 s; PostgreSQL 15.18 started in 420 ms" */
export function checkLineText(line: CheckLine): string {
  const { got } = line;
  const failing = got.failingTests.slice(0, 4).join(", ");
  const detail = got.passed
    ? ""
    : ` (${got.unjudged || !failing ? got.summary : `${failing}; ${got.summary}`})`;
  const time = got.judgeMs === undefined ? "" : ` in ${(got.judgeMs / 1000).toFixed(1)} s`;
  const ms = got.services?.startMs ?? 0;
  const services = got.services
    ? `; ${got.services.labels.join(", ")} started in ${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`}`
    : "";
  return `${line.ok ? "ok  " : "BAD "} ${line.task} ${line.variant}: ${got.passed ? "pass" : got.unjudged ? "not judged" : "fail"}, want ${line.want}${detail}${time}${services}`;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { tasks: { type: "string" }, only: { type: "string" } },
  });
  const suite = loadSuite(resolve(values.tasks ?? DEFAULT_TASKS_DIR), values.only?.split(","));
  const config = loadConfig(process.env);
  const dataDir = localDataDir(config, process.env);
  const toolchain = await localToolchain(config, dataDir, (m) => process.stderr.write(`${m}\n`));
  const services = sharedServices(dataDir);
  const started = Date.now();
  let bad = 0;
  for (const task of suite) {
    for (const line of await checkTask(task, { toolchain, services })) {
      if (!line.ok) bad++;
      process.stdout.write(`${checkLineText(line)}\n`);
    }
    if (task.expect === "ask")
      process.stdout.write(`ok   ${task.id}: an asking task (judged on the question)\n`);
  }
  process.stdout.write(
    `${suite.length} tasks checked in ${((Date.now() - started) / 1000).toFixed(1)} s; ${bad} wrong\n`,
  );
  return bad ? 1 : 0;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/").split("/").pop()!)) {
  process.exitCode = await main(process.argv.slice(2));
}
