// An eval task is a folder:
//   task.json   { "title", "family", "repo": "repo" | "repo.bundle", "hidden": "hidden",
//                 "judge": "go test ./... -run …", "keepPassing"?: "go test ./…",
//                 "expect"?: "solve" | "ask", "budgets"?: { maxTurns, maxCostUsd, maxWallClockMinutes } }
//   task.md     the issue as a maintainer wrote it; an optional "## Conversation" section of
//               "### @author" blocks is the thread that answered a clarifying question
//   repo/       the repository before (or repo.bundle, a git bundle); its .github/backend-go-agent.yml
//               may declare verify.services / verify.tags, which the judge starts and sets too
//   hidden/     test files laid over the agent's final tree before judging; never in the checkout
//   solution/   the reference change, laid over repo/ by the suite's self-check
//   README.md   what the task checks
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Budgets } from "../agent/budget.js";
import type { ThreadComment } from "../pipeline/task.js";

export class TaskError extends Error {
  override name = "TaskError";
}

export interface EvalTask {
  id: string;
  dir: string;
  title: string;
  family: string;
  /** The repository before: a directory, or a git bundle. */
  repo: { kind: "dir" | "bundle"; path: string };
  /** The issue text (task.md without its conversation). */
  text: string;
  conversation: ThreadComment[];
  hiddenDir: string;
  /** `go` arguments of the judge command, e.g. ["test", "./...", "-run", "^TestHidden"]. */
  judge: string[];
  keepPassing?: string[];
  /** "ask": the right answer is a clarifying question that offers options. */
  expect: "solve" | "ask";
  solutionDir?: string;
  budgets: Partial<Budgets>;
}

const FIELDS = new Set(["title", "family", "repo", "hidden", "judge", "keepPassing", "expect", "budgets"]);

/** "go test ./... -run 'A|B'" → ["test", "./...", "-run", "A|B"]; only `go test` judges. */
export function parseGoTestCommand(command: unknown, where: string): string[] {
  if (typeof command !== "string" || !command.trim())
    throw new TaskError(`${where} must be a command string`);
  const words = [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
  if (words[0] !== "go" || words[1] !== "test") {
    throw new TaskError(`${where} must be a "go test …" command, got "${command}"`);
  }
  return words.slice(1);
}

/** "## Conversation" with "### @author" blocks → the thread; the rest is the issue. */
export function parseTaskText(markdown: string): { text: string; conversation: ThreadComment[] } {
  const at = markdown.search(/^## Conversation\s*$/m);
  if (at < 0) return { text: markdown.trim(), conversation: [] };
  const conversation: ThreadComment[] = [];
  for (const block of markdown.slice(at).split(/^### /m).slice(1)) {
    const [head = "", ...body] = block.split("\n");
    conversation.push({ author: head.trim().replace(/^@/, ""), body: body.join("\n").trim() });
  }
  return { text: markdown.slice(0, at).trim(), conversation };
}

function budgetsOf(raw: unknown, where: string): Partial<Budgets> {
  if (raw === undefined) return {};
  if (typeof raw !== "object" || raw === null) throw new TaskError(`${where}: budgets must be an object`);
  const out: Partial<Budgets> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== "number" || !(value > 0))
      throw new TaskError(`${where}: budgets.${key} must be > 0`);
    if (key === "maxTurns") out.maxTurns = value;
    else if (key === "maxCostUsd") out.maxCostUsd = value;
    else if (key === "maxWallClockMinutes") out.maxWallClockMs = value * 60_000;
    else throw new TaskError(`${where}: unknown budget "${key}" (maxTurns, maxCostUsd, maxWallClockMinutes)`);
  }
  return out;
}

export function loadTask(dir: string): EvalTask {
  const id = basename(dir);
  const where = `task ${id}`;
  const file = join(dir, "task.json");
  if (!existsSync(file)) throw new TaskError(`${where}: task.json is missing`);
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new TaskError(`${where}: task.json is not valid JSON: ${(e as Error).message}`);
  }
  for (const key of Object.keys(meta)) {
    if (!FIELDS.has(key)) throw new TaskError(`${where}: task.json has an unknown key "${key}"`);
  }
  const str = (key: string, fallback?: string): string => {
    const v = meta[key] ?? fallback;
    if (typeof v !== "string" || !v.trim()) throw new TaskError(`${where}: task.json needs "${key}"`);
    return v;
  };
  const repoPath = resolve(dir, str("repo", "repo"));
  if (!existsSync(repoPath)) throw new TaskError(`${where}: the repository ${repoPath} does not exist`);
  const repo = statSync(repoPath).isDirectory()
    ? { kind: "dir" as const, path: repoPath }
    : { kind: "bundle" as const, path: repoPath };
  const hiddenDir = resolve(dir, str("hidden", "hidden"));
  const expect = str("expect", "solve");
  if (expect !== "solve" && expect !== "ask")
    throw new TaskError(`${where}: expect must be "solve" or "ask"`);
  if (expect === "solve" && (!existsSync(hiddenDir) || readdirSync(hiddenDir).length === 0)) {
    throw new TaskError(`${where}: the hidden tests directory ${hiddenDir} is missing or empty`);
  }
  const mdFile = join(dir, "task.md");
  if (!existsSync(mdFile)) throw new TaskError(`${where}: task.md is missing`);
  const { text, conversation } = parseTaskText(readFileSync(mdFile, "utf8"));
  if (!text) throw new TaskError(`${where}: task.md is empty`);
  const solutionDir = join(dir, "solution");
  return {
    id,
    dir,
    title: str("title"),
    family: str("family"),
    repo,
    text,
    conversation,
    hiddenDir,
    judge: expect === "solve" ? parseGoTestCommand(meta.judge, `${where}: judge`) : [],
    ...(meta.keepPassing !== undefined
      ? { keepPassing: parseGoTestCommand(meta.keepPassing, `${where}: keepPassing`) }
      : {}),
    expect,
    ...(existsSync(solutionDir) ? { solutionDir } : {}),
    budgets: budgetsOf(meta.budgets, where),
  };
}

/** Every task folder (one holding task.json) under `root`, sorted by id; `only` filters ids. */
export function loadSuite(root: string, only?: string[]): EvalTask[] {
  if (!existsSync(root)) throw new TaskError(`the task directory ${root} does not exist`);
  const ids = readdirSync(root)
    .filter((name) => existsSync(join(root, name, "task.json")))
    .sort();
  const chosen = only?.length ? ids.filter((id) => only.includes(id)) : ids;
  const unknown = (only ?? []).filter((id) => !ids.includes(id));
  if (unknown.length) throw new TaskError(`no such task in ${root}: ${unknown.join(", ")}`);
  if (chosen.length === 0) throw new TaskError(`no tasks (folders with a task.json) in ${root}`);
  return chosen.map((id) => loadTask(join(root, id)));
}
