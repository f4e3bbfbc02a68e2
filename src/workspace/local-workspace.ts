// The Workspace adapter for the CLI: an existing local git checkout. The job gets its own
// branch (backend-go/cli-<timestamp>) and commits there; nothing is pushed. Git runs with
// a minimal environment (no API keys), and never runs the repository's hooks: a hooks path
// could point at files the agent just wrote.

import type { CommitOptions, PreparedWorkspace, Workspace } from "../pipeline/ports.js";
import { childEnv } from "../process/child-env.js";
import { runProcess } from "../process/run-process.js";
import { hostGitArgs } from "./git-env.js";
import { nestedRepositories, refuseNestedRepositories } from "./nested-repositories.js";
import { literalPaths } from "./pathspec.js";

export class WorkspaceError extends Error {
  override name = "WorkspaceError";
}

export interface LocalWorkspaceOptions {
  repoDir: string;
  /** Branch to create; default backend-go/cli-<UTC timestamp>. */
  branch?: string;
  now?: () => Date;
}

/** The user's own git, in their checkout: HOME keeps their settings (safe.directory, identity). */
function localGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return childEnv({ GIT_TERMINAL_PROMPT: "0", HOME: process.env.HOME, ...extra });
}

export function cliBranchName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `backend-go/cli-${stamp}`;
}

/** Parses `git status --porcelain=v1 -z` into paths. */
export function parsePorcelain(out: string): string[] {
  const fields = out.split("\0");
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!;
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    // A rename or copy is followed by its source path.
    if (entry[0] === "R" || entry[0] === "C") paths.push(fields[++i]!);
  }
  return [...new Set(paths)].sort();
}

export function createLocalWorkspace(options: LocalWorkspaceOptions): Workspace {
  let dir = options.repoDir;
  let preparing: Promise<PreparedWorkspace> | undefined;
  /** Submodules the user had checked out before the job: theirs, not the job's. */
  let nestedBefore: string[] = [];

  async function git(args: string[], extraEnv?: Record<string, string>, allowFail = false) {
    const res = await runProcess(
      { command: "git", args: hostGitArgs(args), env: localGitEnv(extraEnv) },
      { cwd: dir, timeoutMs: 120_000 },
    );
    if (res.exitCode !== 0 && !allowFail) {
      const what = res.stderr.trim().split("\n")[0] || `exit ${res.exitCode}`;
      throw new WorkspaceError(`git ${args[0]} failed in ${dir}: ${what}`);
    }
    return res;
  }

  async function prepare(): Promise<PreparedWorkspace> {
    const top = await git(["rev-parse", "--show-toplevel"], undefined, true);
    if (top.exitCode !== 0)
      throw new WorkspaceError(`${options.repoDir} is not a git repository; run git init first`);
    dir = top.stdout.trim();
    const head = await git(["rev-parse", "--verify", "HEAD"], undefined, true);
    if (head.exitCode !== 0) throw new WorkspaceError(`${dir} has no commits yet; commit something first`);
    const status = await git(["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
    if (parsePorcelain(status.stdout).length > 0) {
      throw new WorkspaceError(
        `${dir} has uncommitted changes; commit or stash them first, so the agent's commit holds only its own work`,
      );
    }
    const branch = options.branch ?? cliBranchName((options.now ?? (() => new Date()))());
    const valid = await git(["check-ref-format", "--branch", branch], undefined, true);
    if (valid.exitCode !== 0) throw new WorkspaceError(`"${branch}" is not a valid branch name`);
    await git(["switch", "-c", branch]);
    nestedBefore = await nestedRepositories(dir);
    return { dir, branch, baseSha: head.stdout.trim(), startedFrom: "base-branch" };
  }

  return {
    // Called again to join the first call, like the remote workspace.
    prepare() {
      preparing ??= prepare();
      return preparing;
    },

    async changedFiles() {
      await refuseNestedRepositories(dir, nestedBefore);
      const status = await git(["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
      return parsePorcelain(status.stdout);
    },

    async commit({ message, author, coAuthor, exclude }: CommitOptions) {
      await refuseNestedRepositories(dir, nestedBefore);
      await git(["add", "-A"]);
      if (exclude?.length) await git(["reset", "--quiet", "--", ...literalPaths(exclude)]);
      const staged = await git(["diff", "--cached", "--quiet"], undefined, true);
      if (staged.exitCode === 0) return null;
      const trailer = coAuthor ? `\nCo-authored-by: ${coAuthor.name} <${coAuthor.email}>\n` : "";
      const identity = {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      };
      await git(
        [
          "-c",
          "commit.gpgsign=false",
          "commit",
          "--no-verify",
          "-q",
          "-m",
          `${message.trimEnd()}\n${trailer}`,
        ],
        identity,
      );
      return (await git(["rev-parse", "HEAD"])).stdout.trim();
    },

    async push() {
      return { pushed: false };
    },
  };
}
