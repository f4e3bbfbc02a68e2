// The RepoFiles port over a local repository: files at a ref, read with `git cat-file`, for the
// CLI (which has no GitHub) — see repo-files.ts for why the bot never reads its own checkout.

import { execFile } from "node:child_process";
import { hostGitArgs, hostGitEnv } from "../workspace/git-env.js";
import { type ConfigFileReader, type RepoFiles, RepoFilesError, type RepoRef } from "./repo-files.js";

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
