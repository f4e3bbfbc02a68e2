// What a local commit changed, read back from git so another channel (GitHub's Git
// database API) can recreate exactly that commit: every path with its mode and blob, the
// blob sizes, and the commit's author and message. Read-only git commands in the job's
// worktree, in a scrubbed environment with no global or system configuration.
import { execFile } from "node:child_process";
import { hostGitArgs, hostGitEnv } from "./git-env.js";

export interface CommittedFile {
  path: string;
  status: "added" | "modified" | "deleted";
  /** The new mode: 100644, 100755, 120000 (symlink) or 160000 (submodule); the old one when deleted. */
  mode: string;
  /** The new blob (or submodule commit); null when deleted. */
  sha: string | null;
  /** Bytes of the new blob; 0 when deleted or a submodule. */
  size: number;
}

export interface CommittedChange {
  files: CommittedFile[];
  author: { name: string; email: string; date: string };
  message: string;
}

const MAX_BUFFER = 256 * 1024 * 1024;

export function git(dir: string, args: string[], input?: string): Promise<Buffer> {
  // A blob missing from the partial clone is never fetched without credentials.
  const env = hostGitEnv({ GIT_NO_LAZY_FETCH: "1", ...(process.env.TZ ? { TZ: process.env.TZ } : {}) });
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      hostGitArgs(args),
      { cwd: dir, env, encoding: "buffer", maxBuffer: MAX_BUFFER },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args[0]} failed: ${stderr.toString("utf8").trim() || err.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The files `to` changes against `from` (no rename detection: a rename is a delete and an add). */
export async function committedChange(dir: string, from: string, to: string): Promise<CommittedChange> {
  const raw = (await git(dir, ["diff-tree", "-r", "-z", "--no-renames", "--raw", from, to])).toString("utf8");
  const files = parseRawDiff(raw);
  const blobs = files.filter((f) => f.sha && f.mode !== "160000");
  if (blobs.length > 0) {
    const sizes = (
      await git(
        dir,
        ["cat-file", "--batch-check=%(objectname) %(objectsize)"],
        `${blobs.map((f) => f.sha).join("\n")}\n`,
      )
    )
      .toString("utf8")
      .trim()
      .split("\n");
    const bySha = new Map(sizes.map((l) => l.split(" ") as [string, string]));
    for (const f of blobs) f.size = Number(bySha.get(f.sha as string) ?? 0);
  }
  const [name = "", email = "", date = "", ...rest] = (
    await git(dir, ["log", "-1", "--format=%an%x00%ae%x00%aI%x00%B", to])
  )
    .toString("utf8")
    .split("\0");
  return { files, author: { name, email, date }, message: rest.join("\0").replace(/\n+$/, "\n") };
}

/** `git diff-tree -z --raw` records: ":old new oldsha newsha S\0path\0". */
export function parseRawDiff(raw: string): CommittedFile[] {
  const parts = raw.split("\0");
  const files: CommittedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const head = parts[i] ?? "";
    const path = parts[i + 1] ?? "";
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([AMDT])/.exec(head);
    if (!m || !path) continue;
    const [, oldMode, newMode, , newSha, s] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const status = s === "A" ? "added" : s === "D" ? "deleted" : "modified";
    files.push({
      path,
      status,
      mode: status === "deleted" ? oldMode : newMode,
      sha: status === "deleted" ? null : newSha,
      size: 0,
    });
  }
  return files;
}
