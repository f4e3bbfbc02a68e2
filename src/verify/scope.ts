// What a change can affect: the packages it touched and every package of the module that
// imports them, directly or not, tests included (`go list -deps -test`, edges reversed). A
// change to go.mod/go.sum/go.work, to vendor/, or to Go source outside any package widens the
// scope to the whole module. A graph that cannot be read widens it too: never less than asked.
import { dirname, relative, resolve, sep } from "node:path";
import type { Toolchain } from "../golang/toolchain.js";

export type ScopeMode = "affected" | "all";

export interface Scope {
  /** Import paths to check; undefined: the whole module (./...). */
  packages?: string[];
  tested: number;
  total: number;
  mode: ScopeMode;
  /** Why the scope is the whole module, when it is. */
  widened?: string;
}

interface ListedPackage {
  importPath: string;
  owner: string;
  dir: string;
  main: boolean;
  imports: string[];
}

const FORMAT =
  '{{.ImportPath}}\t{{.ForTest}}\t{{.Dir}}\t{{if .Module}}{{.Module.Main}}{{end}}\t{{join .Imports " "}}';

const strip = (p: string) => p.replace(/\s+\[.*\]$/, "");

const WIDENING = /(^|\/)(go\.(mod|sum|work|work\.sum)|vendor\/.*)$/;

export function parseList(stdout: string): ListedPackage[] {
  const out: ListedPackage[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    const [importPath = "", forTest = "", dir = "", main = "", imports = ""] = line.split("\t");
    // The generated test main ("pkg.test") only ties a package to its own tests.
    if (!dir || (!forTest && importPath.endsWith(".test"))) continue;
    out.push({
      importPath,
      owner: forTest || strip(importPath),
      dir,
      main: main === "true",
      imports: imports.split(" ").filter(Boolean).map(strip),
    });
  }
  return out;
}

/** Affected packages of the module from a `go list` graph and the changed files (absolute). */
export function affectedFrom(listed: ListedPackage[], changed: string[], moduleDir: string): Scope {
  const own = listed.filter((p) => p.main);
  const all = [...new Set(own.map((p) => p.owner))];
  const whole = (widened: string): Scope => ({ tested: all.length, total: all.length, mode: "all", widened });
  const byDir = new Map(own.map((p) => [p.dir, p.owner]));
  const seeds = new Set<string>();
  for (const file of changed) {
    const rel = relative(moduleDir, file).split(sep).join("/");
    if (WIDENING.test(rel)) return whole(`${rel} changed`);
    // testdata belongs to the package above it.
    const at = rel.includes("testdata/") ? resolve(moduleDir, rel.split("testdata/")[0]!) : dirname(file);
    const pkg = byDir.get(at);
    if (pkg) seeds.add(pkg);
    else if (/\.(go|s)$/.test(file)) return whole(`${rel} is in no package the graph knows`);
  }
  const rev = new Map<string, Set<string>>();
  for (const p of own) {
    for (const i of p.imports) {
      if (!rev.has(i)) rev.set(i, new Set());
      rev.get(i)!.add(p.owner);
    }
  }
  const affected = new Set<string>();
  const queue = [...seeds];
  while (queue.length) {
    const p = queue.pop()!;
    if (affected.has(p)) continue;
    affected.add(p);
    for (const q of rev.get(p) ?? []) if (!affected.has(q)) queue.push(q);
  }
  const packages = all.filter((p) => affected.has(p));
  return { packages, tested: packages.length, total: all.length, mode: "affected" };
}

/** The scope of a change in the module at dir; changed files are absolute paths. */
export async function affectedScope(
  toolchain: Toolchain,
  dir: string,
  changed: string[],
  opts: { root?: string; signal?: AbortSignal; mode?: ScopeMode } = {},
): Promise<Scope> {
  const res = await toolchain.go(["list", "-e", "-deps", "-test", "-f", FORMAT, "./..."], {
    cwd: dir,
    root: opts.root ?? dir,
    timeoutMs: 120_000,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const listed = res.exitCode === 0 ? parseList(res.stdout) : [];
  const scope =
    listed.length > 0
      ? affectedFrom(listed, changed, dir)
      : { tested: 0, total: 0, mode: "all" as const, widened: "the package graph could not be read" };
  if (opts.mode === "all" || !scope.packages) {
    const { packages: _, ...rest } = scope;
    return { ...rest, tested: scope.total, mode: "all" };
  }
  return scope;
}

/** "tested 3 of 80 packages: those the change can affect". */
export function scopeLine(s: Scope): string {
  if (s.mode === "all") return `tested all ${s.total} packages${s.widened ? ` (${s.widened})` : ""}`;
  return `tested ${s.tested} of ${s.total} packages: those the change can affect`;
}
