// Parses `git diff --name-status -z` and `git ls-files --others -z` into one sorted list.
import type { ChangedFile } from "./git-workspace-types.js";

export function parseChangedFiles(nameStatusZ: string, untrackedZ: string): ChangedFile[] {
  const byPath = new Map<string, ChangedFile["status"]>();
  const fields = nameStatusZ.split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const code = fields[i]!;
    const path = fields[i + 1]!;
    if (!code || !path) continue;
    byPath.set(path, code.startsWith("A") ? "added" : code.startsWith("D") ? "deleted" : "modified");
  }
  for (const path of untrackedZ.split("\0")) {
    if (path) byPath.set(path, "added");
  }
  return [...byPath.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, status]) => ({ path, status }));
}
