// The Go helper the evidence rows read source with (helper/main.go: test functions and
// exported API through go/parser). It ships as source and is built once per version of that
// source with the app's Go, offline (it needs only the standard library), into the data
// directory, with a build cache of its own; it runs like the other Go tools, in the sandbox,
// without network.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runPath } from "../../golang/go-env.js";
import { type GoInstallation, goInstallationOf, toolProcess } from "../../golang/tool-sandbox.js";
import type { Toolchain } from "../../golang/toolchain.js";
import { childEnv } from "../../process/child-env.js";
import { runProcess } from "../../process/run-process.js";

/** The helper's source: beside this file under src/, and reached from dist/ the same way. */
export const HELPER_SOURCE_DIR = fileURLToPath(
  new URL("../../../src/verify/evidence/helper", import.meta.url),
);
const SOURCES = ["main.go", "go.mod"];

export class EvidenceHelperError extends Error {
  override name = "EvidenceHelperError";
}

export interface FileTests {
  file: string;
  /** Test name → a hash of its declaration (comments left out). */
  tests: Record<string, string>;
  error?: string;
}

export interface PackageApi {
  dir: string;
  package?: string;
  main?: boolean;
  /** "func F", "method T.M", "field T.F", "imethod I.M", "type T", … → its type text. */
  elements: Record<string, string>;
  error?: string;
}

const building = new Map<string, Promise<string>>();

function sourceHash(): string {
  const h = createHash("sha256");
  for (const name of SOURCES) h.update(name).update(readFileSync(join(HELPER_SOURCE_DIR, name)));
  return h.digest("hex").slice(0, 16);
}

/** The built helper's path, building it on first use. */
export function evidenceHelper(go: GoInstallation): Promise<string> {
  if (!existsSync(join(HELPER_SOURCE_DIR, "main.go")))
    return Promise.reject(
      new EvidenceHelperError(`the evidence helper's source is missing (${HELPER_SOURCE_DIR})`),
    );
  // Beside the shared Go configuration: one build per data directory and source version.
  const dir = join(dirname(go.caches.config), "helpers", `evidence-${sourceHash()}`);
  const binary = join(dir, "evidence-helper");
  if (existsSync(binary)) return Promise.resolve(binary);
  let pending = building.get(binary);
  if (!pending) {
    pending = build(go, dir, binary).finally(() => building.delete(binary));
    building.set(binary, pending);
  }
  return pending;
}

async function build(go: GoInstallation, dir: string, binary: string): Promise<string> {
  await mkdir(dirname(dir), { recursive: true });
  // Built in a scratch directory and renamed into place: a half-built helper is never found.
  const scratch = await mkdtemp(`${dir}.build-`);
  try {
    for (const name of SOURCES) await copyFile(join(HELPER_SOURCE_DIR, name), join(scratch, name));
    await mkdir(join(scratch, "tmp"));
    // Our own code, standard library only: no sandbox, no network, and a build cache of its own.
    // Never a repository's: a test can write into its repository's cache, and the helper is
    // shared by every repository's jobs.
    const env = childEnv({
      PATH: runPath(join(go.goroot, "bin")),
      // Not the module's own directory: go ignores a go.mod in the temporary directory's root.
      HOME: join(scratch, "tmp"),
      TMPDIR: join(scratch, "tmp"),
      GOPATH: join(scratch, "gopath"),
      GOCACHE: join(dirname(dir), "go-build"),
      GOPROXY: "off",
      GOTOOLCHAIN: "local",
      GOENV: "off",
      GOFLAGS: "",
      GOWORK: "off",
      CGO_ENABLED: "0",
    });
    const res = await runProcess(
      {
        command: join(go.goroot, "bin", "go"),
        args: ["build", "-trimpath", "-o", "evidence-helper", "."],
        env,
        outputCap: 256 * 1024,
      },
      { cwd: scratch, timeoutMs: 180_000 },
    );
    if (res.exitCode !== 0)
      throw new EvidenceHelperError(
        `could not build the evidence helper: ${(res.stderr || res.stdout).trim().slice(0, 500)}`,
      );
    for (const d of ["gopath", "tmp"]) await rm(join(scratch, d), { recursive: true, force: true });
    await rename(scratch, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another job built it first: theirs is as good.
      if (!existsSync(binary)) throw err;
    });
    return binary;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs the helper on paths under the given roots (each mounted in the sandbox); its JSON. */
async function runHelper<T>(
  toolchain: Toolchain,
  command: "tests" | "api",
  paths: string[],
  roots: string[],
  signal?: AbortSignal,
): Promise<T> {
  const go = goInstallationOf(toolchain);
  if (!go) throw new EvidenceHelperError("the evidence helper needs the Go toolchain adapter");
  if (paths.length === 0) return [] as T;
  const binary = await evidenceHelper(go);
  const [root, ...more] = roots;
  const proc = await toolProcess(go, { binary, args: [command, ...paths], root: root!, writable: more });
  try {
    const res = await runProcess(
      { command: proc.command, args: proc.args, env: proc.env },
      { cwd: proc.cwd, timeoutMs: 120_000, ...(signal ? { signal } : {}) },
    );
    if (res.exitCode !== 0)
      throw new EvidenceHelperError(
        `the evidence helper failed: ${(res.stderr || `exit ${res.exitCode}`).trim().slice(0, 300)}`,
      );
    return JSON.parse(res.stdout) as T;
  } finally {
    await proc.cleanup();
  }
}

/** The top-level Test functions of each file (absolute paths under the roots). */
export function testFunctions(
  toolchain: Toolchain,
  files: string[],
  roots: string[],
  signal?: AbortSignal,
): Promise<FileTests[]> {
  return runHelper<FileTests[]>(toolchain, "tests", files, roots, signal);
}

/** The exported API of the package in each directory (absolute paths under the roots). */
export function packageApis(
  toolchain: Toolchain,
  dirs: string[],
  roots: string[],
  signal?: AbortSignal,
): Promise<PackageApi[]> {
  return runHelper<PackageApi[]>(toolchain, "api", dirs, roots, signal);
}

/** Builds the helper ahead of the first job (the app starts this at startup); never throws. */
export async function prepareEvidenceHelper(toolchain: Toolchain): Promise<string | undefined> {
  const go = goInstallationOf(toolchain);
  if (!go) return undefined;
  return evidenceHelper(go).catch(() => undefined);
}
