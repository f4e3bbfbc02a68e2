// A cheap fingerprint of a checkout (path → size and mtime), taken before and after
// verification: tests may write files into the checkout, and whoever commits afterwards
// must know which files verification left behind so it does not commit them.
import { lstat, readdir } from "node:fs/promises";
import { join, relative } from "node:path";

export type TreeSnapshot = Map<string, string>;

export async function snapshotTree(root: string): Promise<TreeSnapshot> {
  const out: TreeSnapshot = new Map();
  const walk = async (dir: string): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== ".git") await walk(path);
        continue;
      }
      try {
        const st = await lstat(path);
        out.set(relative(root, path), `${st.size}:${st.mtimeMs}:${st.ino}`);
      } catch {
        // removed while walking
      }
    }
  };
  await walk(root);
  return out;
}

/** Paths created, changed or removed between two snapshots, sorted. */
export function diffSnapshots(before: TreeSnapshot, after: TreeSnapshot): string[] {
  const changed = new Set<string>();
  for (const [path, stamp] of after) if (before.get(path) !== stamp) changed.add(path);
  for (const path of before.keys()) if (!after.has(path)) changed.add(path);
  return [...changed].sort();
}
