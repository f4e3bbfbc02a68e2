// A checkout holds one repository: its own, at the root. Code that ran in it (a test the
// agent wrote, or one the repository already had) can create `sub/.git` with a config of its
// own; git on the host then reads that config when it looks into `sub` (a submodule's status
// during `git diff`, `git add`), and keys such as core.fsmonitor or a clean filter run as
// commands outside the sandbox. `-c` overrides cannot name every such key, so a checkout that
// gained a nested repository is never handed to host git at all: the job stops and says why.
import { opendir } from "node:fs/promises";
import { join } from "node:path";
import { GitWorkspaceError } from "./workspace-errors.js";

/** Directories never walked: the root's own repository. */
const ROOT_GIT = ".git";

/** Relative paths of every `.git` (file, directory or link) below the root, up to `limit`. */
export async function nestedRepositories(root: string, limit = 20): Promise<string[]> {
  const found: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let dir: Awaited<ReturnType<typeof opendir>>;
    try {
      dir = await opendir(rel ? join(root, rel) : root);
    } catch {
      return; // removed while we walked, or unreadable: nothing git could read either
    }
    for await (const entry of dir) {
      if (found.length >= limit) break;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === ROOT_GIT) {
        if (rel) found.push(path);
        continue;
      }
      // Links are not followed: git does not follow them into directories either.
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk("");
  return found.sort();
}

/** Throws when the checkout has a nested repository it did not have when the job began. */
export async function refuseNestedRepositories(
  root: string,
  hadBefore: readonly string[] = [],
): Promise<void> {
  const gained = (await nestedRepositories(root)).filter((p) => !hadBefore.includes(p));
  if (gained.length === 0) return;
  throw new GitWorkspaceError(
    "nested-repository",
    `the checkout gained a nested git repository (${gained.join(", ")}) after code ran in it; git on this ` +
      "machine would read that repository's own configuration, which can run commands, so nothing was committed. " +
      "Tests must not create .git directories inside the repository.",
  );
}
