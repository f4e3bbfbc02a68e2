// Bare repositories for the git stand-in, written with git's plumbing (no working tree, no
// network): seed from a fixture directory, commit files onto a branch, read refs and files.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";

/** A file's new content, null to delete it, or a gitlink (a submodule entry). */
export type FileChange = string | Buffer | null | { gitlink: string } | { content: string; executable: true };

const IDENTITY = {
  GIT_AUTHOR_NAME: "Fixture Author",
  GIT_AUTHOR_EMAIL: "fixture@example.com",
  GIT_COMMITTER_NAME: "Fixture Author",
  GIT_COMMITTER_EMAIL: "fixture@example.com",
};

/** git with no system or user config, as the stand-in's own server side. */
export function git(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {},
) {
  return new Promise<Buffer>((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      {
        cwd: opts.cwd,
        encoding: "buffer",
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: tmpdir(),
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
          LC_ALL: "C",
          ...IDENTITY,
          ...opts.env,
        },
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(" ")} failed: ${stderr.toString() || err.message}`));
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function out(args: string[], opts: Parameters<typeof git>[1] = {}): Promise<string> {
  return (await git(args, opts)).toString("utf8").trim();
}

export async function initBareRepo(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await git(["init", "--bare", "--quiet", "--initial-branch=main", dir]);
  // What GitHub allows: partial clone filters, fetching any reachable object, pushes.
  for (const [key, value] of [
    ["uploadpack.allowFilter", "true"],
    ["uploadpack.allowAnySHA1InWant", "true"],
    ["http.receivepack", "true"],
  ] as const) {
    await git(["--git-dir", dir, "config", key, value]);
  }
}

/** Resolves a ref (branch name or sha) in a bare repository; undefined when absent. */
export async function revParse(gitDir: string, ref: string): Promise<string | undefined> {
  return out(["--git-dir", gitDir, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).catch(
    () => undefined,
  );
}

/** Commits `files` on top of `branch` (or of `from`, or as a root commit); returns the sha. */
export async function commitFiles(
  gitDir: string,
  branch: string,
  files: Record<string, FileChange>,
  opts: { message?: string; from?: string } = {},
): Promise<string> {
  const parent = await revParse(gitDir, opts.from ?? branch);
  const scratch = await mkdtemp(join(tmpdir(), "git-index-"));
  const env = { GIT_INDEX_FILE: join(scratch, "index") };
  try {
    const g = (args: string[], input?: string | Buffer) =>
      out(["--git-dir", gitDir, ...args], { env, input });
    if (parent) await g(["read-tree", parent]);
    for (const [path, change] of Object.entries(files)) {
      if (change === null) {
        // Mode 0 removes the entry; --force-remove would need a work tree.
        await g(["update-index", "--index-info"], `0 ${"0".repeat(40)}\t${path}\n`);
      } else if (typeof change === "object" && "gitlink" in change) {
        await g(["update-index", "--add", "--cacheinfo", `160000,${change.gitlink},${path}`]);
      } else {
        const executable = typeof change === "object" && "executable" in change;
        const content = executable ? change.content : change;
        const blob = await g(["hash-object", "-w", "--stdin"], content);
        await g([
          "update-index",
          "--add",
          "--cacheinfo",
          `${executable ? "100755" : "100644"},${blob},${path}`,
        ]);
      }
    }
    const tree = await g(["write-tree"]);
    const message = opts.message ?? `Update ${Object.keys(files).join(", ")}`;
    const sha = await g(["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message]);
    await g(["update-ref", `refs/heads/${branch}`, sha]);
    return sha;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every file under `dir` (executable bits kept), as a FileChange map. */
export async function readFixture(dir: string): Promise<Record<string, FileChange>> {
  const files: Record<string, FileChange> = {};
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== ".git") await walk(full);
      } else if (entry.isFile()) {
        const path = relative(dir, full).split(sep).join("/");
        const content = await readFile(full);
        const mode = (await stat(full)).mode;
        files[path] = mode & 0o111 ? { content: content.toString("utf8"), executable: true } : content;
      }
    }
  }
  await walk(dir);
  return files;
}

export type TreeEntry = { type: "blob" | "tree" | "commit"; path: string; sha: string; size: number };

/** A file's content or a directory's entries at `ref`; undefined when the path is absent. */
export async function readPath(
  gitDir: string,
  ref: string,
  path: string,
): Promise<
  { type: "file"; sha: string; content: Buffer } | { type: "dir"; entries: TreeEntry[] } | undefined
> {
  const spec = `${ref}:${path.replace(/^\/+|\/+$/g, "")}`;
  const type = await out(["--git-dir", gitDir, "cat-file", "-t", spec]).catch(() => undefined);
  if (type === "blob") {
    const sha = await out(["--git-dir", gitDir, "rev-parse", spec]);
    return { type: "file", sha, content: await git(["--git-dir", gitDir, "cat-file", "blob", sha]) };
  }
  if (type !== "tree") return undefined;
  const listing = await out(["--git-dir", gitDir, "ls-tree", "-l", "-z", spec]);
  const entries = listing
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const [meta, name] = line.split("\t") as [string, string];
      const [, kind, sha, size] = meta.split(/\s+/) as [string, TreeEntry["type"], string, string];
      const prefix = path.replace(/^\/+|\/+$/g, "");
      return { type: kind, sha, size: Number(size) || 0, path: prefix ? `${prefix}/${name}` : name };
    });
  return { type: "dir", entries };
}

export interface DiffFile {
  filename: string;
  status: "added" | "modified" | "removed";
  patch: string;
}

/** Files changed on `head` since it left `base` (three-dot, as GitHub's PR files list). */
export async function diffFiles(gitDir: string, base: string, head: string): Promise<DiffFile[]> {
  const range = `${base}...${head}`;
  const listing = await out(["--git-dir", gitDir, "diff", "--name-status", "--no-renames", "-z", range]);
  const fields = listing.split("\0").filter(Boolean);
  const files: DiffFile[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const code = fields[i]!;
    const filename = fields[i + 1]!;
    const patch = await out(["--git-dir", gitDir, "diff", range, "--", filename]);
    const status = code === "A" ? "added" : code === "D" ? "removed" : "modified";
    files.push({ filename, status, patch: patch.slice(patch.indexOf("@@")) });
  }
  return files;
}

/** The unified diff of `head` since it left `base`. */
export async function diffText(gitDir: string, base: string, head: string): Promise<string> {
  return (await git(["--git-dir", gitDir, "diff", `${base}...${head}`])).toString("utf8");
}
