// One eval run: the task's repository copied to a fresh temp checkout (the hidden tests stay
// in the task folder, out of the agent's reach), the job run through runJob with the CLI's
// own adapters (localJobDeps), then the hidden tests judged on whatever tree the agent left,
// with the services the task's configuration declares (the agent's job had its own).

import { cpSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Budgets } from "../agent/budget.js";
import type { Toolchain } from "../golang/toolchain.js";
import { type LocalModel, localJobDeps, localTask } from "../local/local-job-deps.js";
import { runJob } from "../pipeline/run-job.js";
import { runProcess } from "../process/run-process.js";
import { sharedServices } from "../services/index.js";
import { hostGitArgs, hostGitEnv } from "../workspace/git-env.js";
import type { EvalTask } from "./eval-task.js";
import { judgeAsk, judgeTree } from "./judge.js";
import type { RunRecord } from "./results.js";
import { loadTaskConfig } from "./task-config.js";

export interface RunTaskOptions {
  toolchain: Toolchain;
  model: LocalModel;
  /** Where the Go caches and tools live (localDataDir). */
  dataDir: string;
  /** The command line's budgets; the task's own win (a task knows how big it is). */
  budgets?: Partial<Budgets>;
  repeat: number;
  signal?: AbortSignal;
  /** Keep the temp checkout (for looking at what the agent did). */
  keep?: boolean;
}

const GIT_ENV = hostGitEnv({
  GIT_AUTHOR_NAME: "eval",
  GIT_AUTHOR_EMAIL: "eval@example.com",
  GIT_COMMITTER_NAME: "eval",
  GIT_COMMITTER_EMAIL: "eval@example.com",
});

async function git(cwd: string, ...args: string[]): Promise<string> {
  const res = await runProcess(
    { command: "git", args: hostGitArgs(args), env: GIT_ENV },
    { cwd, timeoutMs: 60_000 },
  );
  if (res.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed: ${res.stderr.trim()}`);
  return res.stdout;
}

/**
 * The task's repository as a git checkout with one commit (a bundle keeps its history);
 * returns that commit, the "before" the judge reads the task's configuration from.
 */
export async function checkoutTask(task: EvalTask, dir: string): Promise<string> {
  if (task.repo.kind === "bundle") {
    // A bundle made of a branch has no HEAD to check out: take the first branch it holds.
    const heads = (await git(tmpdir(), "bundle", "list-heads", task.repo.path)).split("\n");
    const branch = heads.map((l) => /\srefs\/heads\/(\S+)$/.exec(l)?.[1]).find(Boolean);
    await git(tmpdir(), "clone", "-q", ...(branch ? ["--branch", branch] : []), task.repo.path, dir);
    return (await git(dir, "rev-parse", "HEAD")).trim();
  }
  cpSync(task.repo.path, dir, { recursive: true });
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", `${task.id}: the repository before the task`);
  return (await git(dir, "rev-parse", "HEAD")).trim();
}

export async function runTask(task: EvalTask, o: RunTaskOptions): Promise<RunRecord> {
  const started = Date.now();
  const base = await mkdtemp(join(tmpdir(), `bga-eval-${task.id}-`));
  const dir = join(base, task.id);
  const log: string[] = [];
  try {
    const before = await checkoutTask(task, dir);
    // Read now, from the task's own commit: what the agent does to the file changes nothing.
    const config = await loadTaskConfig(dir, before);
    const deps = localJobDeps({
      repoDir: dir,
      dataDir: o.dataDir,
      toolchain: o.toolchain,
      model: o.model,
      budgets: { ...o.budgets, ...task.budgets },
      ...(o.signal ? { signal: o.signal } : {}),
      out: (t) => log.push(t),
      err: (l) => log.push(`${l}\n`),
    });
    const request = localTask(dir, task.text, { comments: task.conversation, title: task.title });
    const result = await runJob(request, deps);
    const { outcome, verdict } = result;
    const judgement =
      task.expect === "ask"
        ? judgeAsk(outcome)
        : await judgeTree(task, {
            toolchain: o.toolchain,
            checkoutDir: dir,
            config,
            services: sharedServices(o.dataDir),
            ...(o.signal ? { signal: o.signal } : {}),
          });
    const u = outcome.usage;
    return {
      task: task.id,
      family: task.family,
      repeat: o.repeat,
      judged: judgement.passed ? "pass" : "fail",
      failingTests: judgement.failingTests,
      judgeSummary: judgement.summary,
      ...(judgement.unjudged ? { unjudged: judgement.unjudged } : {}),
      ...(judgement.services ? { judgeServices: judgement.services } : {}),
      outcome: outcome.kind,
      ...(outcome.kind === "failed" ? { reason: outcome.reason } : {}),
      ...(outcome.kind === "failed" && outcome.budget ? { budget: outcome.budget } : {}),
      botVerdict: verdict ? verdict.overall : "none",
      botGreen: verdict?.overall === "pass",
      asked: outcome.kind === "needs_clarification",
      ...(outcome.kind === "needs_clarification" ? { questions: outcome.questions } : {}),
      turns: outcome.turns,
      inputTokens: u.input_tokens,
      outputTokens: u.output_tokens,
      cacheReadTokens: u.cache_read_input_tokens,
      cacheWriteTokens: u.cache_creation_input_tokens,
      costUsd: outcome.costUsd,
      wallMs: Date.now() - started,
      // Repair rounds arrive with issue 15's verdict; until then a run has none to count.
      repairRounds: (result as { repairRounds?: number }).repairRounds ?? 0,
      model: outcome.model,
      changedFiles: outcome.changedFiles,
    };
  } catch (e) {
    // The harness itself failed (a broken bundle, git): the run counts as failed, and says why.
    return {
      ...emptyRecord(task, o.repeat, Date.now() - started),
      judgeSummary: `the eval harness failed: ${(e as Error).message}`,
      reason: (e as Error).message,
    };
  } finally {
    if (!o.keep) await rm(base, { recursive: true, force: true });
  }
}

function emptyRecord(task: EvalTask, repeat: number, wallMs: number): RunRecord {
  return {
    task: task.id,
    family: task.family,
    repeat,
    judged: "fail",
    failingTests: [],
    judgeSummary: "",
    outcome: "failed",
    botVerdict: "none",
    botGreen: false,
    asked: false,
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    wallMs,
    repairRounds: 0,
    model: "",
    changedFiles: [],
  };
}
