// The command line and environment for a Go tool that is not `go` itself (gopls, golangci-
// lint), run the way Go runs: the same bubblewrap sandbox when the toolchain uses it, no
// network, GOPROXY=off over the shared module cache, the scrubbed environment. gopls is a
// long-lived process talking over stdio, so callers spawn this spec themselves rather than
// through Toolchain.run, which waits for exit; the tool's directory is mounted read-only.
import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { buildGoEnv, type GoCacheDirs } from "./go-env.js";
import { bwrapArgs, findOnPath, SANDBOX_HOME, SANDBOX_TMP } from "./sandbox.js";
import type { Toolchain } from "./toolchain.js";

/** The parts of the Go adapter (go-toolchain.ts) a tool run needs. */
export interface GoInstallation {
  goroot: string;
  caches: GoCacheDirs;
  isolation: Toolchain["isolation"];
  /** cgo as the toolchain has it, so tools see the packages `go build` sees. */
  cgo?: boolean;
}

export function goInstallationOf(toolchain: Toolchain): GoInstallation | undefined {
  const t = toolchain as Partial<GoInstallation> & Toolchain;
  return t.goroot && t.caches
    ? { goroot: t.goroot, caches: t.caches, isolation: t.isolation, cgo: t.cgo }
    : undefined;
}

export interface ToolRun {
  binary: string;
  args: string[];
  /** The checkout: writable (tools write caches, never sources, but Go may lock files). */
  root: string;
  cwd?: string;
  /** More writable directories (a tool's own cache). */
  writable?: string[];
  /** More directories the tool reads (a local vulnerability database). */
  readOnly?: string[];
  /**
   * The tool itself may reach the network (govulncheck fetching its database over HTTPS). Go
   * still runs offline inside it: GOPROXY stays off, so no module is fetched.
   */
  network?: boolean;
  env?: Record<string, string>;
}

export interface ToolProcess {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Removes the scratch HOME of an unsandboxed run. */
  cleanup(): Promise<void>;
}

export async function toolProcess(go: GoInstallation, run: ToolRun): Promise<ToolProcess> {
  const root = resolve(run.root);
  const cwd = resolve(run.cwd ?? root);
  const settings = { goBinDir: join(go.goroot, "bin"), caches: go.caches, goproxy: "off", cgo: go.cgo };
  for (const dir of run.writable ?? []) mkdirSync(dir, { recursive: true });
  const bwrap = go.isolation === "bubblewrap" ? findOnPath("bwrap", process.env.PATH) : undefined;
  if (bwrap) {
    const env = buildGoEnv(
      { ...settings, home: SANDBOX_HOME, tmpDir: SANDBOX_TMP },
      { network: false, extra: run.env },
    );
    const spec = {
      goroot: go.goroot,
      // Tools read modules (never download them) and build into the repository's own cache.
      writable: [root, go.caches.gocache, ...(run.writable ?? [])],
      readOnly: [
        go.caches.config,
        go.caches.gopath,
        dirname(run.binary),
        ...(run.readOnly ?? []).filter((p) => existsSync(p)),
        ...[join(root, ".git")].filter((p) => existsSync(p)),
      ],
      cwd,
      network: run.network === true,
    };
    return { command: bwrap, args: bwrapArgs(spec, run.binary, run.args), env, cwd, cleanup: async () => {} };
  }
  const scratch = await mkdtemp(join(tmpdir(), "bga-tool-"));
  mkdirSync(join(scratch, "home"));
  const env = buildGoEnv(
    { ...settings, home: join(scratch, "home"), tmpDir: scratch },
    { network: false, extra: run.env },
  );
  return {
    command: run.binary,
    args: run.args,
    env,
    cwd,
    cleanup: () => rm(scratch, { recursive: true, force: true }),
  };
}
