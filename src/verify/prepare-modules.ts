// Modules before the agent's first Go run. A fresh checkout has nothing in the module cache,
// and the agent's `go build`/`go test` run offline, so without this every first job on a real
// repository starts with "not in the module cache". `go mod download` (the one step with
// network, through the job's module-access rules) runs once per go.mod/go.sum content: a
// marker in the module cache says that content was downloaded, so a warm repository pays
// nothing, not even a Go process.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Toolchain } from "../golang/toolchain.js";
import { downloadModules } from "./checks.js";
import { findModuleDirs } from "./go-modules.js";
import type { Check } from "./verdict.js";

export interface PreparedModules {
  /** downloaded: go mod download ran and passed; cached: the marker said it had; skipped: nothing to fetch. */
  status: "downloaded" | "cached" | "skipped" | "failed";
  /** The download's check when it failed, in the verdict's plain words. */
  check?: Check;
  durationMs: number;
}

/**
 * Where the markers live: the repository's own directory beside its caches, mounted into no
 * run, so no test can forge "already downloaded" for content that never was.
 */
function markerDir(toolchain: Toolchain): string | undefined {
  return (toolchain as { caches?: { prepared?: string } }).caches?.prepared;
}

async function readOptional(path: string): Promise<string> {
  return readFile(path, "utf8").catch(() => "");
}

/** Downloads the module's dependencies unless the same go.mod and go.sum were downloaded before. */
export async function prepareModules(
  toolchain: Toolchain,
  dir: string,
  opts: { root?: string; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<PreparedModules> {
  const started = Date.now();
  const took = () => Date.now() - started;
  // Not a module, or vendored: nothing to download.
  if (!existsSync(join(dir, "go.mod")) || existsSync(join(dir, "vendor", "modules.txt"))) {
    return { status: "skipped", durationMs: took() };
  }
  const goMod = await readOptional(join(dir, "go.mod"));
  const goSum = await readOptional(join(dir, "go.sum"));
  // No go.sum and no require: a module without dependencies.
  if (!goSum && !/^\s*require\b/m.test(goMod)) return { status: "skipped", durationMs: took() };
  const key = createHash("sha256").update(goMod).update("\0").update(goSum).digest("hex");
  const markers = markerDir(toolchain);
  const marker = markers ? join(markers, key) : undefined;
  if (marker && existsSync(marker)) return { status: "cached", durationMs: took() };
  const check = await downloadModules({
    toolchain,
    dir,
    root: opts.root ?? dir,
    timeoutMs: opts.timeoutMs ?? 10 * 60_000,
    signal: opts.signal,
  });
  if (check.status !== "pass") return { status: "failed", check, durationMs: took() };
  if (marker && markers) {
    // A marker that cannot be written only costs the next job a (warm, fast) download.
    await mkdir(markers, { recursive: true })
      .then(() => writeFile(marker, `${new Date().toISOString()}\n`))
      .catch(() => undefined);
  }
  return { status: "downloaded", durationMs: took() };
}

/** How many modules of a repository without a root go.mod get their downloads before the agent. */
const MAX_PREPARED_MODULES = 8;

/**
 * Modules before the agent: the root module (with its go.work), or, in a repository without a
 * root go.mod (one module per service), each module; the first failure is the one told.
 */
export async function prepareRepositoryModules(
  toolchain: Toolchain,
  dir: string,
  signal: AbortSignal | undefined,
): Promise<PreparedModules> {
  const root = await prepareModules(toolchain, dir, { signal });
  if (root.status !== "skipped" || existsSync(join(dir, "go.mod"))) return root;
  let first: PreparedModules = root;
  for (const m of findModuleDirs(dir).slice(0, MAX_PREPARED_MODULES)) {
    const p = await prepareModules(toolchain, m, { root: dir, signal });
    if (p.status === "failed") return p;
    if (first.status === "skipped") first = p;
  }
  return first;
}

/** What the agent is told when the download failed: its offline Go runs will miss those modules. */
export function modulesMaterial(prepared: PreparedModules): string {
  if (prepared.status !== "failed" || !prepared.check) return "";
  const c = prepared.check;
  return [
    "## Module download before your work",
    `\`go mod download\` failed before you started: ${c.summary}.`,
    "Builds and tests run offline, so packages that import those modules will not build; the verdict will say so too.",
    "Do not try to fix this with `go mod tidy` unless the task is about dependencies.",
    c.details ? `\n\`\`\`\n${c.details}\n\`\`\`` : "",
  ]
    .filter(Boolean)
    .join("\n");
}
