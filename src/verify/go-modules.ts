// Where a checkout's Go modules are. Real repositories keep several: a go.mod at the root and
// more beside it (river), or none at the root and one per service under internal/ (the DDD
// examples), tied together by a go.work or by `replace` directives. Each module is verified
// in its own directory; go finds a go.work itself by walking up from there, and a module the
// go.work does not list is run with GOWORK=off (otherwise go refuses it).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** Directories no module of the repository's own lives in. */
const SKIPPED_DIRS = new Set(["vendor", "testdata", "node_modules"]);
/** A walk this long is a monorepo of other things; modules past it are not looked for. */
const MAX_DIRS = 5000;

export interface GoModule {
  /** Absolute directory holding go.mod. */
  dir: string;
  /** The go.work governing it (absolute), when it lists this module. */
  workspace?: string;
  /** A go.work is above it but does not list it: runs need GOWORK=off. */
  outsideWorkspace?: boolean;
  /** vendor/modules.txt is there and no workspace governs the module: runs use -mod=vendor. */
  vendored: boolean;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return !rel.startsWith("..") && !isAbsolute(rel);
}

/** Every directory under root holding a go.mod (root first), skipping vendor/, testdata/ and dot directories. */
export function findModuleDirs(root: string): string[] {
  const out: string[] = [];
  const queue = [resolve(root)];
  let seen = 0;
  while (queue.length && seen < MAX_DIRS) {
    const dir = queue.shift()!;
    seen++;
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    if (entries.some((e) => e.isFile() && e.name === "go.mod")) out.push(dir);
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith(".") || e.name.startsWith("_") || SKIPPED_DIRS.has(e.name))
        continue;
      queue.push(join(dir, e.name));
    }
  }
  return out;
}

/** The directory of the nearest go.mod at or above file's directory, within root. */
export function moduleDirOf(root: string, file: string): string | undefined {
  const top = resolve(root);
  let dir = dirname(resolve(top, file));
  while (inside(top, dir)) {
    if (existsSync(join(dir, "go.mod"))) return dir;
    if (dir === top) break;
    dir = dirname(dir);
  }
  return undefined;
}

/** The `use` directories of a go.work file, absolute. */
export function workspaceUses(goWork: string): string[] {
  let text: string;
  try {
    text = readFileSync(goWork, "utf8");
  } catch {
    return [];
  }
  const base = dirname(goWork);
  const uses: string[] = [];
  const clean = text.replace(/\/\/.*$/gm, "");
  for (const m of clean.matchAll(/^\s*use\s*\(([^)]*)\)/gm)) {
    for (const line of m[1]!.split("\n")) if (line.trim()) uses.push(line.trim());
  }
  for (const m of clean.matchAll(/^\s*use\s+([^\s(][^\n]*)$/gm)) uses.push(m[1]!.trim());
  return uses.map((u) => resolve(base, u.replace(/^"(.*)"$/, "$1")));
}

/** The go.work go would use for dir: the nearest one above it, within root. */
function goWorkFor(root: string, dir: string): string | undefined {
  const top = resolve(root);
  let at = resolve(dir);
  while (inside(top, at)) {
    if (existsSync(join(at, "go.work"))) return join(at, "go.work");
    if (at === top) break;
    at = dirname(at);
  }
  return undefined;
}

/** What Go runs in the module at dir need to know: its workspace and whether it is vendored. */
export function describeModule(root: string, dir: string): GoModule {
  const abs = resolve(dir);
  const work = goWorkFor(root, abs);
  const listed = work ? workspaceUses(work).includes(abs) : false;
  return {
    dir: abs,
    ...(work && listed ? { workspace: work } : {}),
    ...(work && !listed ? { outsideWorkspace: true } : {}),
    vendored: !(work && listed) && existsSync(join(abs, "vendor", "modules.txt")),
  };
}

/**
 * The modules a change touches, each with its changed files (absolute). Files outside every
 * module (a README, CI configuration) are in none. `go.work` at the root counts for every
 * module it lists.
 */
export function modulesOfChange(root: string, changed: string[]): Map<string, string[]> {
  const top = resolve(root);
  const out = new Map<string, string[]>();
  const add = (dir: string, file: string) => {
    if (!out.has(dir)) out.set(dir, []);
    out.get(dir)!.push(file);
  };
  for (const f of changed) {
    const file = resolve(top, f);
    const rel = relative(top, file).split(sep).join("/");
    if (/(^|\/)go\.work(\.sum)?$/.test(rel)) {
      for (const dir of workspaceUses(join(top, rel.replace(/\.sum$/, "")))) {
        if (existsSync(join(dir, "go.mod"))) add(dir, file);
      }
      continue;
    }
    const dir = moduleDirOf(top, file);
    if (dir) add(dir, file);
  }
  return out;
}

/** The module's environment and flags for Go runs: GOWORK=off outside its go.work. */
export function moduleEnv(m: GoModule): Record<string, string> {
  return m.outsideWorkspace ? { GOWORK: "off" } : {};
}
