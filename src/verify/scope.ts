// What a change can affect: the packages it touched and every package of the module that
// imports them, directly or not, tests included (`go list -deps -test`, edges reversed). A
// change to go.mod/go.sum/go.work, to vendor/, or to Go source outside any package widens the
// scope to the whole module. A graph that cannot be read widens it too: never less than asked.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Toolchain } from "../golang/toolchain.js";
import { describeModule, moduleEnv } from "./go-modules.js";

export type ScopeMode = "affected" | "all";

export interface Scope {
  /** Import paths to check; undefined: the whole module (./...). */
  packages?: string[];
  tested: number;
  total: number;
  mode: ScopeMode;
  /** Why the scope is the whole module, when it is. */
  widened?: string;
  /**
   * The packages of `packages` that `go build` can name: a package with only _test.go files
   * ("no non-test Go files"), or whose files all need cgo or other tags, fails `go build` by
   * import path though nothing is wrong with it. go vet and go test still cover test-only ones.
   */
  buildable?: string[];
  /** Packages of `packages` left out of `go build`, and why ("only _test.go files", "needs cgo"). */
  notBuilt?: { pkg: string; reason: string }[];
}

interface ListedPackage {
  importPath: string;
  owner: string;
  dir: string;
  main: boolean;
  imports: string[];
  /** Non-test Go files that build here (GoFiles + CgoFiles). */
  goFiles: number;
  /** _test.go files of the package. */
  testFiles: number;
  /** Files the build constraints (GOOS, tags, cgo) exclude here. */
  ignored: string[];
}

const FORMAT =
  '{{.ImportPath}}\t{{.ForTest}}\t{{.Dir}}\t{{if .Module}}{{.Module.Main}}{{end}}\t{{join .Imports " "}}' +
  '\t{{len .GoFiles}} {{len .CgoFiles}} {{len .TestGoFiles}} {{len .XTestGoFiles}}\t{{join .IgnoredGoFiles " "}}';

const strip = (p: string) => p.replace(/\s+\[.*\]$/, "");

const WIDENING = /(^|\/)(go\.(mod|sum|work|work\.sum)|vendor\/.*)$/;

export function parseList(stdout: string): ListedPackage[] {
  const out: ListedPackage[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    const [importPath = "", forTest = "", dir = "", main = "", imports = "", counts = "", ignored = ""] =
      line.split("\t");
    // A line without the counts (an older format) counts as a buildable package.
    const [go = 1, cgo = 0, test = 0, xtest = 0] = counts ? counts.split(" ").map(Number) : [];
    // The generated test main ("pkg.test") only ties a package to its own tests.
    if (!dir || (!forTest && importPath.endsWith(".test"))) continue;
    out.push({
      importPath,
      owner: forTest || strip(importPath),
      dir,
      main: main === "true",
      imports: imports.split(" ").filter(Boolean).map(strip),
      goFiles: go + cgo,
      testFiles: test + xtest,
      ignored: ignored.split(" ").filter(Boolean),
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
  const inScope = all.filter((p) => affected.has(p));
  const notBuilt = unbuildable(own, inScope);
  const skip = new Set(notBuilt.map((n) => n.pkg));
  // A package none of whose files build here (cgo off, other tags) fails vet and test by import
  // path too: left out of every check, and named in the build row. Test-only ones stay for vet and test.
  const excluded = new Set(notBuilt.filter((n) => !n.reason.startsWith(TEST_ONLY)).map((n) => n.pkg));
  const packages = inScope.filter((p) => !excluded.has(p));
  return {
    packages,
    tested: packages.length,
    total: all.length,
    mode: "affected",
    buildable: packages.filter((p) => !skip.has(p)),
    ...(notBuilt.length ? { notBuilt } : {}),
  };
}

const TEST_ONLY = "only _test.go files";

/** The packages `go build <import path>` refuses though they are fine, and why. */
function unbuildable(own: ListedPackage[], packages: string[]): { pkg: string; reason: string }[] {
  const real = new Map(own.filter((p) => p.importPath === p.owner).map((p) => [p.owner, p]));
  const out: { pkg: string; reason: string }[] = [];
  for (const pkg of packages) {
    const p = real.get(pkg);
    if (!p || p.goFiles > 0) continue;
    if (p.ignored.length === 0)
      out.push({ pkg, reason: "only _test.go files (go vet and go test cover it)" });
    else if (p.ignored.some((f) => usesCgo(join(p.dir, f))))
      out.push({ pkg, reason: "needs cgo, which is off here (CGO_ENABLED=0)" });
    else out.push({ pkg, reason: "its build constraints exclude every file here" });
  }
  return out;
}

function usesCgo(file: string): boolean {
  try {
    return /^import\s+(\(\s*)?"C"/m.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

/** The scope of a change in the module at dir; changed files are absolute paths. */
export async function affectedScope(
  toolchain: Toolchain,
  dir: string,
  changed: string[],
  opts: { root?: string; signal?: AbortSignal; mode?: ScopeMode } = {},
): Promise<Scope> {
  const module = describeModule(opts.root ?? dir, dir);
  const env = moduleEnv(module);
  const mod = module.vendored ? ["-mod=vendor"] : [];
  const res = await toolchain.go(["list", ...mod, "-e", "-deps", "-test", "-f", FORMAT, "./..."], {
    cwd: dir,
    root: opts.root ?? dir,
    timeoutMs: 120_000,
    ...(Object.keys(env).length ? { env } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  // -e lists what it can: a package with a broken import (a go.sum entry missing on the base)
  // still leaves the rest of the graph readable, so the scope stays narrow.
  const listed = res.exitCode === 0 || (!res.timedOut && !res.aborted) ? parseList(res.stdout) : [];
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
