// Which of a change's files are Go tests, Go code, or test data, and where their packages are.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

const OUTSIDE = /(^|\/)(vendor|testdata)\//;

function rel(dir: string, file: string): string {
  return relative(dir, file).split(sep).join("/");
}

export function isTestFile(dir: string, file: string): boolean {
  const r = rel(dir, file);
  return r.endsWith("_test.go") && !OUTSIDE.test(r) && !r.startsWith("..");
}

/** Non-test Go source of the module's own packages (not vendor/, not testdata/). */
export function isCodeFile(dir: string, file: string): boolean {
  const r = rel(dir, file);
  return r.endsWith(".go") && !r.endsWith("_test.go") && !OUTSIDE.test(r) && !r.startsWith("..");
}

/** Files a test reads: what the change's tests need laid over the base with them. */
export function isTestData(dir: string, file: string): boolean {
  const r = rel(dir, file);
  return /(^|\/)testdata\//.test(r) && !/(^|\/)vendor\//.test(r) && !r.startsWith("..");
}

/** `./a/b` for the package of a file (`.` at the module root). */
export function packagePattern(dir: string, file: string): string {
  const r = rel(dir, dirname(file));
  return r ? `./${r}` : ".";
}

/** The module path of go.mod in dir, or undefined. */
export function modulePath(dir: string): string | undefined {
  try {
    return /^module\s+"?([^\s"]+)"?/m.exec(readFileSync(join(dir, "go.mod"), "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

/** The import path of the package `./a/b` in the module at dir. */
export function importPathOf(dir: string, pattern: string): string {
  const mod = modulePath(dir) ?? "";
  return pattern === "." ? mod : `${mod}/${pattern.slice(2)}`;
}

/** A package pattern's directory inside the module dir. */
export function patternDir(dir: string, pattern: string): string {
  return pattern === "." ? dir : join(dir, pattern.slice(2));
}

/** `./pkg` of every package a Go file of the change is in, that still holds Go files. */
export function touchedPackages(dir: string, changed: string[]): string[] {
  const files = changed.filter((f) => isCodeFile(dir, f) || isTestFile(dir, f));
  const patterns = new Set(files.map((f) => packagePattern(dir, f)));
  return [...patterns].filter((p) => holdsGo(patternDir(dir, p))).sort();
}

function holdsGo(pkgDir: string): boolean {
  return existsSync(pkgDir) && readdirSync(pkgDir).some((n) => n.endsWith(".go"));
}
