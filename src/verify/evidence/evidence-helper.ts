// The Go helper the evidence rows read source with (helper/main.go: test functions and
// exported API through go/parser). It ships as source and is built once per version of that
// source with the app's Go, offline (golang/stdlib-program.ts), into the data directory; it
// runs like the other Go tools, in the sandbox, without network.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { builtProgram, ProgramBuildError, type StdlibProgram } from "../../golang/stdlib-program.js";
import { type GoInstallation, goInstallationOf, toolProcess } from "../../golang/tool-sandbox.js";
import type { Toolchain } from "../../golang/toolchain.js";
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

const PROGRAM: StdlibProgram = { name: "evidence-helper", sourceDir: HELPER_SOURCE_DIR, sources: SOURCES };

/** The built helper's path, building it on first use. */
export function evidenceHelper(go: GoInstallation): Promise<string> {
  // Beside the shared Go configuration: one build per data directory and source version.
  return builtProgram(
    PROGRAM,
    join(go.goroot, "bin", "go"),
    join(dirname(go.caches.config), "helpers"),
  ).catch((err: unknown) => {
    throw err instanceof ProgramBuildError ? new EvidenceHelperError(err.message) : err;
  });
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
