// The Go adapter of the Toolchain port: runs `go` and `gofmt` with a scrubbed environment,
// shared caches under DATA_DIR, a timeout that kills the process group, capped output, and
// (where it works) the bubblewrap sandbox. Whether the sandbox is usable is probed once;
// if not, runs go unsandboxed and the caller's log gets one clear warning.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { runProcess, type SpawnOptions } from "../process/run-process.js";
import { redactValues } from "../secrets.js";
import { buildSeed, seedBuildCache } from "./build-cache-seed.js";
import {
  buildGoEnv,
  type GoCacheDirs,
  type GoEnvSettings,
  goCacheDirs,
  LOCAL_CACHE_SCOPE,
  type RunEnv,
  runPath,
} from "./go-env.js";
import { createRunLimiter, type RunLimits } from "./limits.js";
import { credentialGitConfig, privatePrefixes } from "./module-access.js";
import { bwrapArgs, findOnPath, SANDBOX_HOME, SANDBOX_TMP } from "./sandbox.js";
import type { RunOptions, RunResult, Toolchain } from "./toolchain.js";

export interface GoToolchainOptions {
  /** DATA_DIR: the shared Go caches live under `<dataDir>/go/`. */
  dataDir: string;
  /**
   * "auto" uses bubblewrap when it works here; "off" never does; "required" refuses to start
   * (ToolchainUnavailableError) where it does not work. Default "auto".
   */
  sandbox?: "auto" | "off" | "required";
  /** GOPROXY for module downloads (runs with network: true). */
  goproxy?: string;
  goflags?: string;
  goprivate?: string;
  gonosumdb?: string;
  /** Receives the one startup line about isolation; level "warn" when runs are not sandboxed. */
  log?: (msg: string, level: "info" | "warn") => void;
  /** Bytes kept of stdout and of stderr per run. */
  outputCap?: number;
  /** PATH searched for `go` and `bwrap`; only this value is read, never the rest of the env. */
  searchPath?: string;
  /** Processes and memory per run (limits.ts); defaults fit the machine. */
  limits?: Partial<RunLimits>;
}

export interface GoToolchain extends Toolchain {
  /** e.g. "go1.26.8". */
  readonly goVersion: string;
  readonly goroot: string;
  /** Whether cgo is on: a C compiler is installed (CGO_ENABLED=1 for every run). */
  readonly cgo: boolean;
  /** The caches of this toolchain's scope (LOCAL_CACHE_SCOPE unless forRepository chose one). */
  readonly caches: GoCacheDirs;
  forRepository(scope: string): GoToolchain;
  /**
   * Builds the seed new repositories' build caches start from (build-cache-seed.ts), once per
   * DATA_DIR; resolves to whether there is one. The app starts it at startup.
   */
  prepareBuildCacheSeed(): Promise<boolean>;
}

/** Go is missing or broken on this machine. */
export class ToolchainUnavailableError extends Error {
  override name = "ToolchainUnavailableError";
}

/** A run was asked for something the toolchain refuses (e.g. cwd outside the checkout). */
export class ToolchainUsageError extends Error {
  override name = "ToolchainUsageError";
}

// No ",direct": a public module is never fetched from version control, where go would run
// git in the VCS cache. Private modules (GOPRIVATE) still come from their repositories.
const DEFAULT_GOPROXY = "https://proxy.golang.org";
const PROBE_TIMEOUT_MS = 30_000;

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean) ?? "no output"
  );
}

export async function createGoToolchain(options: GoToolchainOptions): Promise<GoToolchain> {
  // The isolation line waits for the run limits, so that startup says both in one line.
  let isolation: { msg: string; level: "info" | "warn" } = { msg: "", level: "info" };
  const log = (msg: string, level: "info" | "warn") => {
    isolation = { msg, level };
  };
  const searchPath = options.searchPath ?? process.env.PATH;
  const goOnPath = findOnPath("go", searchPath);
  if (!goOnPath) {
    throw new ToolchainUnavailableError(
      "The go command was not found on PATH. Install Go 1.21 or newer and make sure `go` is on PATH.",
    );
  }
  const dataDir = resolve(options.dataDir);
  const caches = cacheDirsFor(dataDir, LOCAL_CACHE_SCOPE);
  mkdirSync(join(caches.config, "go", "telemetry"), { recursive: true });
  writeFileSync(join(caches.config, "go", "telemetry", "mode"), "off");
  const baseSettings = {
    caches,
    goproxy: options.goproxy?.trim() || DEFAULT_GOPROXY,
    goflags: options.goflags,
    goprivate: options.goprivate,
    gonosumdb: options.gonosumdb,
  };
  const outputCap = options.outputCap;

  // Ask go itself where it lives (handles /usr/bin/go -> /usr/lib/go-x/bin/go).
  const probeHome = await mkdtemp(join(tmpdir(), "bga-go-probe-"));
  let goroot: string;
  let goVersion: string;
  try {
    const env = buildGoEnv(
      {
        ...baseSettings,
        goBinDir: dirname(realpathSync(goOnPath)),
        home: probeHome,
        tmpDir: probeHome,
      },
      { network: false },
    );
    const res = await runProcess(
      { command: goOnPath, args: ["env", "GOROOT", "GOVERSION"], env, outputCap },
      { cwd: probeHome, timeoutMs: PROBE_TIMEOUT_MS },
    );
    const [root, version] = res.stdout.trim().split("\n");
    if (res.exitCode !== 0 || !root || !version) {
      throw new ToolchainUnavailableError(
        `\`go env\` failed (exit ${res.exitCode ?? "killed"}): ${firstLine(res.stderr)}`,
      );
    }
    goroot = realpathSync(root.trim());
    goVersion = version.trim();
  } finally {
    await rm(probeHome, { recursive: true, force: true });
  }
  const goBin = join(goroot, "bin", "go");
  const gofmtBin = join(goroot, "bin", "gofmt");
  const cgo = ["gcc", "cc", "clang"].some((c) => findOnPath(c, runPath(join(goroot, "bin"))));
  const settings = { ...baseSettings, goBinDir: join(goroot, "bin"), cgo };

  let bwrap: string | undefined;
  if (options.sandbox === "required") {
    bwrap = findOnPath("bwrap", searchPath);
    const problem = bwrap
      ? await probeSandbox(bwrap, goBin, goroot, settings, outputCap)
      : "bwrap is not installed";
    if (problem) {
      throw new ToolchainUnavailableError(
        `GO_SANDBOX=required, but Go runs cannot be sandboxed here (${problem}). Install bubblewrap ` +
          "(apt-get install bubblewrap) and allow unprivileged user namespaces (in Docker: see docs/SECURITY.md), " +
          "or set GO_SANDBOX=auto to run unsandboxed with a warning.",
      );
    }
    log(
      `Go runs are sandboxed with bubblewrap (${goVersion}, required; no network except module downloads).`,
      "info",
    );
  } else if (options.sandbox !== "off") {
    bwrap = findOnPath("bwrap", searchPath);
    const problem = bwrap
      ? await probeSandbox(bwrap, goBin, goroot, settings, outputCap)
      : "bwrap is not installed";
    if (problem) {
      log(
        `WARNING: Go runs are NOT sandboxed (${problem}). Tests from repositories run as this user with ` +
          "a scrubbed environment but can read the filesystem and reach the network. Install bubblewrap " +
          "(apt-get install bubblewrap) and allow unprivileged user namespaces to sandbox them.",
        "warn",
      );
      bwrap = undefined;
    } else {
      log(
        `Go runs are sandboxed with bubblewrap (${goVersion}, no network except module downloads).`,
        "info",
      );
    }
  } else {
    log(`Go runs are not sandboxed (sandbox: "off"); ${goVersion} with a scrubbed environment.`, "warn");
  }

  const limiter = await createRunLimiter({ sandboxed: Boolean(bwrap), limits: options.limits, searchPath });
  options.log?.(
    `${isolation.msg} ${limiter.describe()}`,
    limiter.processLimit === "none" ? "warn" : isolation.level,
  );

  const run = async (
    scoped: GoCacheDirs,
    binary: string,
    args: string[],
    opts: RunOptions,
  ): Promise<RunResult> => {
    const { runEnv, secrets } = await runEnvFor(opts);
    const runSettings = { ...settings, caches: scoped };
    // The services bridge only where the run has a network namespace of its own (RunOptions.wrap).
    const [program, programArgs] =
      bwrap && !runEnv.network && opts.wrap?.length
        ? [opts.wrap[0]!, [...opts.wrap.slice(1), binary, ...args]]
        : [binary, args];
    // Limits (limits.ts): rlimits right before the binary (inside the sandbox), a cgroup around the spawn.
    const [command, commandArgs] = limiter.command(program, programArgs);
    const limited: SpawnOptions = { ...opts, confine: limiter.confinement };
    const res = bwrap
      ? await runSandboxed(bwrap, command, commandArgs, limited, runEnv, {
          settings: runSettings,
          goroot,
          caches: scoped,
          outputCap,
        })
      : await runPlain(command, commandArgs, limited, runEnv, runSettings, outputCap);
    return secrets.length ? redacted(res, secrets) : res;
  };
  const commandPath = runPath(settings.goBinDir);

  const kind = bwrap ? "bubblewrap" : "none";
  const goRoot = join(dataDir, "go");
  const seedKey = createHash("sha256")
    .update([goVersion, cgo ? "cgo" : "nocgo", settings.goflags ?? ""].join("\0"))
    .digest("hex")
    .slice(0, 12);
  let seedBuild: Promise<boolean> | undefined;
  const prepareBuildCacheSeed = () => {
    seedBuild ??= buildSeed(goRoot, seedKey, async (args, dir, gocache) => {
      const res = await run({ ...caches, gocache }, goBin, args, { cwd: dir, timeoutMs: 15 * 60_000 });
      return res.exitCode;
    });
    return seedBuild;
  };
  /** Scopes whose build cache this process created: each is seeded once, before its first run. */
  const seeding = new Map<string, Promise<void>>();
  const scopedToolchain = (scoped: GoCacheDirs, ready: Promise<void>): GoToolchain => {
    const after =
      (binary: () => string) =>
      async (args: string[], opts: RunOptions): Promise<RunResult> => {
        await ready;
        return run(scoped, binary(), args, opts);
      };
    return {
      isolation: kind,
      cgo,
      goVersion,
      goroot,
      caches: scoped,
      go: after(() => goBin),
      gofmt: after(() => gofmtBin),
      run: (command, args, opts) => after(() => resolveCommand(command, commandPath))(args, opts),
      forRepository: (scope) => {
        const dirs = goCacheDirs(dataDir, scope);
        let seeded = seeding.get(dirs.gocache);
        if (!seeded) {
          // A new repository's cache starts from the seed when there is one. A seed still being
          // built is not waited for: it compiles more than one job needs.
          const fresh = !existsSync(dirs.gocache);
          cacheDirsFor(dataDir, scope);
          seeded = fresh ? seedBuildCache(goRoot, seedKey, dirs.gocache) : Promise.resolve();
          seeding.set(dirs.gocache, seeded);
        }
        return scopedToolchain(dirs, seeded);
      },
      prepareBuildCacheSeed,
    };
  };
  return scopedToolchain(caches, Promise.resolve());
}

/** A scope's cache directories, made on first use. */
function cacheDirsFor(dataDir: string, scope: string): GoCacheDirs {
  const caches = goCacheDirs(dataDir, scope);
  for (const dir of [caches.gomodcache, caches.gocache, caches.tools]) mkdirSync(dir, { recursive: true });
  return caches;
}

/** A bare program name on the runs' PATH, as an absolute path; anything else is refused. */
function resolveCommand(command: string, pathValue: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(command)) {
    throw new ToolchainUsageError(
      `"${command}" is not a program name: commands must be programs on PATH (e.g. make), run directly, never through a shell.`,
    );
  }
  const found = findOnPath(command, pathValue);
  if (!found) throw new ToolchainUsageError(`"${command}" was not found on PATH (${pathValue}).`);
  return found;
}

/**
 * The environment inputs of one run. Credentials are asked for (and turned into git
 * configuration) only when the run may use the network.
 */
async function runEnvFor(opts: RunOptions): Promise<{ runEnv: RunEnv; secrets: string[] }> {
  const network = opts.network ?? false;
  const access = opts.modules;
  const credentials = network ? (access?.credentials ?? []) : [];
  const tokens = await Promise.all(credentials.map((c) => c.token()));
  const gitConfig = credentials.flatMap((c, i) => credentialGitConfig(c, tokens[i] ?? ""));
  const runEnv: RunEnv = {
    network,
    extra: opts.env,
    job: access,
    privatePrefixes: privatePrefixes(access),
    gitConfig,
  };
  return { runEnv, secrets: tokens };
}

/** Should a git server or a tool echo a credential, it still never reaches a caller. */
function redacted(res: RunResult, secrets: string[]): RunResult {
  return { ...res, stdout: redactValues(res.stdout, secrets), stderr: redactValues(res.stderr, secrets) };
}

type BaseSettings = Omit<GoEnvSettings, "home" | "tmpDir">;

function checkedRoot(opts: RunOptions): string {
  const root = resolve(opts.root ?? opts.cwd);
  const rel = relative(root, resolve(opts.cwd));
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new ToolchainUsageError(`cwd ${opts.cwd} is outside the checkout root ${root}.`);
  }
  return root;
}

async function runPlain(
  binary: string,
  args: string[],
  opts: RunOptions,
  runEnv: RunEnv,
  settings: BaseSettings,
  outputCap: number | undefined,
): Promise<RunResult> {
  checkedRoot(opts);
  // A fresh HOME and TMPDIR per run, removed afterwards: nothing carries over between jobs.
  const scratch = await mkdtemp(join(tmpdir(), "bga-go-"));
  try {
    const home = join(scratch, "home");
    const tmp = join(scratch, "tmp");
    mkdirSync(home);
    mkdirSync(tmp);
    const env = buildGoEnv({ ...settings, home, tmpDir: tmp }, runEnv);
    return await runProcess({ command: binary, args, env, outputCap: opts.outputCap ?? outputCap }, opts);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface SandboxContext {
  settings: BaseSettings;
  goroot: string;
  caches: GoCacheDirs;
  outputCap: number | undefined;
}

async function runSandboxed(
  bwrap: string,
  binary: string,
  args: string[],
  opts: RunOptions,
  runEnv: RunEnv,
  ctx: SandboxContext,
): Promise<RunResult> {
  const root = checkedRoot(opts);
  const network = runEnv.network;
  const env = buildGoEnv({ ...ctx.settings, home: SANDBOX_HOME, tmpDir: SANDBOX_TMP }, runEnv);
  const spec = {
    goroot: ctx.goroot,
    // The module cache is writable only for module downloads, which run no repository code
    // (go mod download/tidy); builds and tests read it. The build cache is this repository's.
    writable: network ? [root, ctx.caches.gopath, ctx.caches.gocache] : [root, ctx.caches.gocache],
    // .git read-only: code under test must not plant hooks or config (core.hooksPath,
    // core.fsmonitor) that the app's next git command would run outside the sandbox.
    readOnly: [
      ctx.caches.config,
      ...(network ? [] : [ctx.caches.gopath]),
      ...[join(root, ".git")].filter((p) => existsSync(p)),
      ...(opts.binds ?? []),
    ],
    cwd: resolve(opts.cwd),
    network,
  };
  return runProcess(
    {
      command: bwrap,
      args: bwrapArgs(spec, binary, args),
      env,
      outputCap: opts.outputCap ?? ctx.outputCap,
    },
    opts,
  );
}

/** Runs `go version` inside the sandbox; returns what went wrong, or undefined when it works. */
async function probeSandbox(
  bwrap: string,
  goBin: string,
  goroot: string,
  settings: BaseSettings,
  outputCap: number | undefined,
): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "bga-bwrap-probe-"));
  try {
    const res = await runSandboxed(
      bwrap,
      goBin,
      ["version"],
      { cwd: dir, timeoutMs: PROBE_TIMEOUT_MS },
      { network: false },
      { settings, goroot, caches: settings.caches, outputCap },
    );
    if (res.exitCode === 0 && res.stdout.startsWith("go version")) return undefined;
    return `bubblewrap failed: ${firstLine(res.stderr || res.stdout)}`;
  } catch (err) {
    return `bubblewrap failed: ${(err as Error).message}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
