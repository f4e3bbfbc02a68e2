// A small Go program of the app's own (standard library only, shipped as source) built once
// per version of its source with the worker's Go, offline, into a directory of built
// programs with a build cache of its own; concurrent first uses share one build. The
// evidence helper and the services bridge are built this way.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { childEnv } from "../process/child-env.js";
import { runProcess } from "../process/run-process.js";
import { runPath } from "./go-env.js";

export interface StdlibProgram {
  /** The binary's name: "evidence-helper", "bridge". */
  name: string;
  /** The directory holding its sources. */
  sourceDir: string;
  /** Its source files (hashed: a new version is a new build). */
  sources: string[];
}

export class ProgramBuildError extends Error {
  override name = "ProgramBuildError";
}

const building = new Map<string, Promise<string>>();

function sourceHash(program: StdlibProgram): string {
  const h = createHash("sha256");
  for (const name of program.sources) h.update(name).update(readFileSync(join(program.sourceDir, name)));
  return h.digest("hex").slice(0, 16);
}

/** The built program's path under `outRoot`, building it with `goBin` on first use. */
export function builtProgram(program: StdlibProgram, goBin: string, outRoot: string): Promise<string> {
  if (!program.sources.every((s) => existsSync(join(program.sourceDir, s))))
    return Promise.reject(
      new ProgramBuildError(`the source of ${program.name} is missing (${program.sourceDir})`),
    );
  const dir = join(outRoot, `${program.name}-${sourceHash(program)}`);
  const binary = join(dir, program.name);
  if (existsSync(binary)) return Promise.resolve(binary);
  let pending = building.get(binary);
  if (!pending) {
    pending = build(program, goBin, dir, binary).finally(() => building.delete(binary));
    building.set(binary, pending);
  }
  return pending;
}

async function build(program: StdlibProgram, goBin: string, dir: string, binary: string): Promise<string> {
  await mkdir(dirname(dir), { recursive: true });
  // Built in a scratch directory and renamed into place: a half-built program is never found.
  const scratch = await mkdtemp(`${dir}.build-`);
  try {
    for (const name of program.sources) await copyFile(join(program.sourceDir, name), join(scratch, name));
    await mkdir(join(scratch, "tmp"));
    // Our own code, standard library only: no sandbox, no network, and a build cache of its own.
    // Never a repository's: a test can write into its repository's cache, and the program is
    // shared by every repository's jobs.
    const env = childEnv({
      PATH: runPath(dirname(goBin)),
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
      { command: goBin, args: ["build", "-trimpath", "-o", program.name, "."], env, outputCap: 256 * 1024 },
      { cwd: scratch, timeoutMs: 180_000 },
    );
    if (res.exitCode !== 0)
      throw new ProgramBuildError(
        `could not build ${program.name}: ${(res.stderr || res.stdout).trim().slice(0, 500)}`,
      );
    for (const d of ["gopath", "tmp"]) await rm(join(scratch, d), { recursive: true, force: true });
    // mkdtemp made it 0700; the services user runs the bridge from it.
    await chmod(scratch, 0o755);
    await rename(scratch, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process built it first: theirs is as good.
      if (!existsSync(binary)) throw err;
    });
    return binary;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
