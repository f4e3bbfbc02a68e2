// The RepoFiles port: read-only access to a repository's files as of one ref, for material
// the bot itself relies on (configuration, instructions, agent files). The app reads through
// the GitHub contents API (src/github/repo-files.ts) at the default branch — on pull requests
// at the base branch — rather than from the job's checkout: the checkout holds the PR's head
// (the very content a PR author controls), its base may not even be fetched, and the agent
// writes into it during the run. The CLI, which has no GitHub, reads a ref of a local
// repository with git instead (below).

import { execFile } from "node:child_process";
import { hostGitArgs, hostGitEnv } from "../workspace/git-env.js";
import type { ConfigFileReader } from "./repo-config.js";

export interface RepoFiles {
  /** For messages and labels: `owner/repo@ref`. */
  readonly where: string;
  /** The text of a file, or null when there is no such file. */
  read(path: string): Promise<string | null>;
  /** Names of the files (not folders) directly in a folder; empty when there is none. */
  list(dir: string): Promise<string[]>;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

export class RepoFilesError extends Error {
  override name = "RepoFilesError";
}

const SAFE_REF = /^[A-Za-z0-9._/-]+$/;

function git(dir: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      hostGitArgs(["-C", dir, ...args]),
      {
        maxBuffer: 16 * 1024 * 1024,
        // Nothing of the operator's environment or git config: this only reads objects.
        env: hostGitEnv({ LC_ALL: "C" }),
      },
      (err, stdout) => {
        if (err && typeof err.code !== "number") reject(err);
        else resolve({ code: err ? Number(err.code) : 0, stdout });
      },
    );
  });
}

/** Reads files at `ref` of a local repository (`git cat-file`), for the CLI. */
export async function localGitRepoFiles(dir: string, ref: string): Promise<RepoFiles> {
  if (!SAFE_REF.test(ref) || ref.startsWith("-") || ref.includes("..")) {
    throw new RepoFilesError(`"${ref}" is not a ref this tool reads`);
  }
  const commit = await git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (commit.code !== 0) throw new RepoFilesError(`${dir} has no commit "${ref}"`);
  const sha = commit.stdout.trim();
  const clean = (p: string) => p.replace(/^\/+|\/+$/g, "");
  return {
    where: `${dir}@${ref}`,
    async read(path) {
      const type = await git(dir, ["cat-file", "-t", `${sha}:${clean(path)}`]);
      if (type.code !== 0 || type.stdout.trim() !== "blob") return null;
      const blob = await git(dir, ["cat-file", "blob", `${sha}:${clean(path)}`]);
      return blob.code === 0 ? blob.stdout : null;
    },
    async list(d) {
      const tree = clean(d);
      const res = await git(dir, ["ls-tree", "-z", `${sha}:${tree}`]);
      if (res.code !== 0) return [];
      return res.stdout
        .split("\0")
        .filter(Boolean)
        .map((line) => /^\d+ (\w+) [0-9a-f]+\t(.*)$/s.exec(line))
        .filter((m): m is RegExpExecArray => m !== null && m[1] === "blob")
        .map((m) => m[2]!);
    },
  };
}

/** The configuration reader over a local repository: its own files only (no organisation). */
export function localConfigReader(files: RepoFiles, self: RepoRef): ConfigFileReader {
  return async (repo, path) =>
    repo.owner === self.owner && repo.repo === self.repo ? files.read(path) : null;
}
