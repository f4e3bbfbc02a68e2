// SQL migrations as golang-migrate (`NNN_name.up.sql` / `NNN_name.down.sql`) and goose
// (`NNN_name.sql` with `-- +goose Up` / `-- +goose Down` sections) lay them out: found,
// read and ordered by version.
import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { readRepoFile } from "./repo-file.js";

export interface MigrationStep {
  /** Relative to the checkout root, `/`-separated. */
  file: string;
  /** The SQL to run; for goose, the file with the other section blanked (line numbers kept). */
  sql: string;
}

export interface Migration {
  version: bigint;
  /** The version as the file names it ("0002"). */
  id: string;
  name: string;
  format: "golang-migrate" | "goose";
  /** Files of this migration (relative to the root), to match the change's. */
  files: string[];
  up?: MigrationStep;
  down?: MigrationStep;
}

const MIGRATE_FILE = /^(\d+)_(.+)\.(up|down)\.sql$/;
const GOOSE_FILE = /^(\d+)_(.+)\.sql$/;
const GOOSE_UP = /^--\s*\+goose\s+Up\b/im;
const GOOSE_DOWN = /^--\s*\+goose\s+Down\b/im;
const SKIP_DIRS = new Set(["vendor", "node_modules", "testdata", ".git"]);

/** Directories under root holding migrations (at most six levels down). */
export async function findMigrationDirs(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    let holds = entries.some((e) => e.isFile() && MIGRATE_FILE.test(e.name));
    for (const e of entries) {
      if (holds) break;
      if (e.isFile() && GOOSE_FILE.test(e.name)) {
        holds = GOOSE_UP.test(await readFile(join(dir, e.name), "utf8").catch(() => ""));
      }
    }
    if (holds) found.push(dir);
    if (depth >= 6) return;
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith(".") && !SKIP_DIRS.has(e.name))
        await walk(join(dir, e.name), depth + 1);
    }
  };
  await walk(root, 0);
  return found;
}

/** Blanks every line outside the wanted goose section, so psql's line numbers are the file's. */
function gooseSection(source: string, wanted: "Up" | "Down"): string | undefined {
  let section: "Up" | "Down" | undefined;
  let any = false;
  const lines = source.split("\n").map((line) => {
    const mark = /^--\s*\+goose\s+(Up|Down)\b/i.exec(line)?.[1];
    if (mark) {
      section = mark.toLowerCase() === "up" ? "Up" : "Down";
      return "";
    }
    if (section !== wanted || /^--\s*\+goose\s/i.test(line)) return "";
    if (line.trim() && !line.trim().startsWith("--")) any = true;
    return line;
  });
  return any ? lines.join("\n") : undefined;
}

/** The migrations of one directory, oldest first. */
export async function readMigrations(root: string, dir: string): Promise<Migration[]> {
  const byVersion = new Map<bigint, Migration>();
  const rel = (name: string) => relative(root, join(dir, name)).split("\\").join("/");
  const files = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  for (const name of files.sort()) {
    const migrate = MIGRATE_FILE.exec(name);
    const goose = migrate ? undefined : GOOSE_FILE.exec(name);
    const match = migrate ?? goose;
    if (!match) continue;
    const source = await readRepoFile(root, join(dir, name));
    const version = BigInt(match[1]!);
    const entry = byVersion.get(version) ?? {
      version,
      id: match[1]!,
      name: match[2]!,
      format: migrate ? ("golang-migrate" as const) : ("goose" as const),
      files: [],
    };
    if (migrate) {
      entry.files.push(rel(name));
      entry[migrate[3] === "up" ? "up" : "down"] = { file: rel(name), sql: source };
    } else {
      if (!GOOSE_UP.test(source)) continue;
      entry.files.push(rel(name));
      entry.up = { file: rel(name), sql: gooseSection(source, "Up") ?? "" };
      const down = GOOSE_DOWN.test(source) ? gooseSection(source, "Down") : undefined;
      if (down !== undefined) entry.down = { file: rel(name), sql: down };
    }
    byVersion.set(version, entry);
  }
  return [...byVersion.values()].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/** The statement of `sql` that ends at (or spans) 1-based `line`: from after the previous `;`. */
export function statementAt(sql: string, line: number): string {
  const lines = sql.split("\n");
  let start = line - 1;
  while (start > 0 && !/;\s*(--.*)?$/.test(lines[start - 1] ?? "")) start -= 1;
  let end = line - 1;
  while (end < lines.length - 1 && !/;\s*(--.*)?$/.test(lines[end] ?? "")) end += 1;
  return lines
    .slice(start, end + 1)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("--"))
    .join(" ");
}
