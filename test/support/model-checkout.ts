// Shared by the agent and CLI tests: the ledger-service fixture as a fresh git repository in
// a temp directory, a TaskRequest for it, and the agent definition the app ships.
import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TaskRequest } from "../../src/pipeline/task.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const LEDGER_FIXTURE = join(REPO_ROOT, "test", "fixtures", "ledger-service");
export const GO_ENGINEER = join(REPO_ROOT, "agents", "backend-engineer-golang.md");

const GIT_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Fixture",
  GIT_AUTHOR_EMAIL: "fixture@example.com",
  GIT_COMMITTER_NAME: "Fixture",
  GIT_COMMITTER_EMAIL: "fixture@example.com",
};

/** Runs git in a test's own checkout; never in the project's (a wrong `dir` would commit there). */
export function git(dir: string, ...args: string[]): string {
  const rel = relative(REPO_ROOT, resolve(dir));
  if (!rel.startsWith("..") && !isAbsolute(rel))
    throw new Error(`git ${args[0]} in the project's checkout: ${dir}`);
  return execFileSync("git", args, { cwd: dir, env: GIT_ENV, encoding: "utf8" }).trim();
}

export interface LedgerCheckout {
  /** Parent temp directory: the checkout is `dir`, and `outside` sits next to it. */
  base: string;
  dir: string;
  outside: string;
  cleanup(): Promise<void>;
}

/** The fixture as a git repository (one commit on main), with a sibling directory outside it. */
export async function ledgerCheckout(): Promise<LedgerCheckout> {
  const base = await mkdtemp(join(tmpdir(), "bga-ledger-"));
  const dir = join(base, "ledger-service");
  const outside = join(base, "outside");
  cpSync(LEDGER_FIXTURE, dir, { recursive: true });
  cpSync(LEDGER_FIXTURE, outside, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "ledger-service fixture");
  return { base, dir, outside, cleanup: () => rm(base, { recursive: true, force: true }) };
}

export function cliTask(instruction: string, overrides: Partial<TaskRequest> = {}): TaskRequest {
  return {
    deliveryId: "test-delivery",
    target: { owner: "local", repo: "ledger-service", number: 0, kind: "issue" },
    trigger: { kind: "cli", actor: "tester", instruction, at: new Date(0).toISOString() },
    context: { title: "", body: "", comments: [] },
    ...overrides,
  };
}
