// Reading a repository file on the worker, outside the sandbox, for the services (the init SQL,
// migrations): only a regular file that really is inside the checkout — a symlink to
// /etc/shadow in a repository must not turn into SQL whose error message quotes it.
import { lstat, readFile, realpath } from "node:fs/promises";
import { isAbsolute, relative } from "node:path";

/** The file is missing, a link, not regular, outside the checkout, or too large. */
export class RepoFileError extends Error {
  override name = "RepoFileError";
}

const MAX_BYTES = 4 * 1024 * 1024;

export function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Whether `dir` is a real directory inside the checkout (no link on the way out). */
export async function realDirInside(root: string, dir: string): Promise<boolean> {
  try {
    return inside(await realpath(root), await realpath(dir)) && (await lstat(dir)).isDirectory();
  } catch {
    return false;
  }
}

export async function readRepoFile(root: string, path: string): Promise<string> {
  let stat: Awaited<ReturnType<typeof lstat>>;
  try {
    stat = await lstat(path);
  } catch {
    throw new RepoFileError("is not in the repository");
  }
  if (stat.isSymbolicLink()) throw new RepoFileError("is a symbolic link, which is not followed");
  if (!stat.isFile()) throw new RepoFileError("is not a regular file");
  if (stat.size > MAX_BYTES) throw new RepoFileError(`is larger than ${MAX_BYTES / 1024 / 1024} MiB`);
  if (!inside(await realpath(root), await realpath(path)))
    throw new RepoFileError("is outside the repository");
  return readFile(path, "utf8");
}
