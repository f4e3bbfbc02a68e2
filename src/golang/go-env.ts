// The complete environment a Go child process gets. Built from our own settings only:
// nothing is copied from process.env, so API keys, tokens and the App's private key can
// never reach `go`, a test binary or anything a test starts.

import { createHash } from "node:crypto";
import { join } from "node:path";
import { childEnv } from "../process/child-env.js";
import type { ModuleSettings } from "./module-access.js";

/**
 * Where one repository's Go caches live, under DATA_DIR. Every repository has its own module
 * cache and build cache: a test can write to what its run mounts writable, and a file it
 * planted (a cached test result, a build output, a module source, a git hook in the VCS
 * cache) must never be trusted by another repository's job. A second job of the same
 * repository still builds warm.
 */
export interface GoCacheDirs {
  gopath: string;
  gomodcache: string;
  gocache: string;
  /** XDG_CONFIG_HOME: holds only go/telemetry/mode = "off"; shared, always read-only. */
  config: string;
  /** "These modules were downloaded" markers: never mounted into any run. */
  prepared: string;
  /** Caches of gopls and golangci-lint for this repository. */
  tools: string;
}

/** The scope of the CLI and the eval, which work on the operator's own checkouts. */
export const LOCAL_CACHE_SCOPE = "local";

/** A directory name for a scope (`owner/repo`): readable, and unique by its hash. */
export function cacheScopeDir(scope: string): string {
  const readable = scope.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
  return `${readable}-${createHash("sha256").update(scope).digest("hex").slice(0, 12)}`;
}

export function goCacheDirs(dataDir: string, scope: string = LOCAL_CACHE_SCOPE): GoCacheDirs {
  const root = join(dataDir, "go");
  const own = join(root, "repos", cacheScopeDir(scope));
  return {
    gopath: join(own, "path"),
    gomodcache: join(own, "path", "pkg", "mod"),
    gocache: join(own, "build-cache"),
    config: join(root, "config"),
    // Beside the caches (removing the repository's directory removes its markers too), in
    // no directory a run mounts.
    prepared: join(own, "prepared"),
    tools: join(own, "tools"),
  };
}

export interface GoEnvSettings {
  /** Directory holding the `go` binary; first on PATH. */
  goBinDir: string;
  home: string;
  tmpDir: string;
  caches: GoCacheDirs;
  /** GOPROXY for runs allowed on the network; offline runs always get "off". */
  goproxy: string;
  goflags?: string;
  goprivate?: string;
  gonosumdb?: string;
  /** Whether a C compiler is on the runs' PATH: cgo packages (go-sqlite3, -race) need one. */
  cgo?: boolean;
}

/** Variables a run may not override: they carry the isolation and the caches. */
export const PROTECTED_VARS = new Set([
  "PATH",
  "HOME",
  "TMPDIR",
  "GOPATH",
  "GOMODCACHE",
  "GOCACHE",
  "GOPROXY",
  "GOTOOLCHAIN",
  "GOENV",
  "GOPRIVATE",
  "GONOSUMDB",
  "GONOPROXY",
  "GOSUMDB",
  "GOINSECURE",
  "GOROOT",
  "CGO_ENABLED",
  "XDG_CONFIG_HOME",
  // git configuration carries download credentials; a run cannot add its own.
  "GIT_CONFIG_COUNT",
  "GIT_CONFIG_PARAMETERS",
  "GIT_CONFIG_GLOBAL",
  "GIT_CONFIG_SYSTEM",
  "GIT_TERMINAL_PROMPT",
  "GIT_ASKPASS",
]);

const PROTECTED_PATTERN = /^GIT_CONFIG_(KEY|VALUE)_\d+$/;

const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

export class GoEnvError extends Error {
  override name = "GoEnvError";
}

export interface RunEnv {
  network: boolean;
  extra?: Record<string, string>;
  /** The job's settings (the repository's `go:` keys), layered over the operator's. */
  job?: ModuleSettings;
  /** Module prefixes the job has credentials for: private, so no proxy and no checksum database. */
  privatePrefixes?: string[];
  /** git configuration (download credentials), passed as GIT_CONFIG_*; network runs only. */
  gitConfig?: [string, string][];
}

/** Comma-separated pattern lists joined, without empties or repeats. */
function patterns(...lists: (string | undefined)[]): string {
  const all = lists.flatMap((l) => (l ?? "").split(",").map((p) => p.trim()));
  return [...new Set(all.filter(Boolean))].join(",");
}

/** The PATH of every run: Go first, then the system directories (never the app's PATH). */
export function runPath(goBinDir: string): string {
  return [goBinDir, ...SYSTEM_PATH.filter((p) => p !== goBinDir)].join(":");
}

export function buildGoEnv(settings: GoEnvSettings, run: RunEnv): Record<string, string> {
  const env = childEnv({
    PATH: runPath(settings.goBinDir),
    HOME: settings.home,
    TMPDIR: settings.tmpDir,
    GOPATH: settings.caches.gopath,
    GOMODCACHE: settings.caches.gomodcache,
    GOCACHE: settings.caches.gocache,
    // Offline runs get GOPROXY=off so a module that was not downloaded fails with a
    // clear "module lookup disabled" error instead of a network timeout.
    GOPROXY: run.network ? run.job?.goproxy?.trim() || settings.goproxy : "off",
    GOTOOLCHAIN: "local",
    // HOME is fresh, but a go.env file elsewhere must not change settings either.
    GOENV: "off",
    // Telemetry off: otherwise go starts a detached uploader that outlives the run.
    XDG_CONFIG_HOME: settings.caches.config,
    // cgo where a C compiler is installed (as `go` itself decides), so cgo packages build
    // and -race works; the C compiler runs in the same sandbox.
    CGO_ENABLED: settings.cgo ? "1" : "0",
  });
  const goprivate = patterns(settings.goprivate, run.job?.goprivate, ...(run.privatePrefixes ?? []));
  const gonosumdb = patterns(settings.gonosumdb, run.job?.gonosumdb);
  if (goprivate) env.GOPRIVATE = goprivate;
  if (gonosumdb) env.GONOSUMDB = gonosumdb;
  if (run.network) {
    // A private repository without valid credentials must fail, not wait for a password.
    env.GIT_TERMINAL_PROMPT = "0";
    // go runs git for modules fetched from version control: no hook or fsmonitor of a
    // repository in the VCS cache may run, whatever its config says.
    const config: [string, string][] = [
      ["core.hooksPath", "/dev/null"],
      ["core.fsmonitor", "false"],
      ...(run.gitConfig ?? []),
    ];
    if (config.length) {
      env.GIT_CONFIG_COUNT = String(config.length);
      config.forEach(([key, value], i) => {
        env[`GIT_CONFIG_KEY_${i}`] = key;
        env[`GIT_CONFIG_VALUE_${i}`] = value;
      });
    }
  }
  // -buildvcs=false: verification ships no binary, and stamping would run git on a .git
  // that the sandbox mounts read-only (or that a worktree keeps outside the checkout).
  // Later flags win, so the operator's GOFLAGS and the run's can still turn it back on.
  env.GOFLAGS = [
    "-buildvcs=false",
    settings.goflags?.trim(),
    run.job?.goflags?.trim(),
    run.extra?.GOFLAGS?.trim(),
  ]
    .filter(Boolean)
    .join(" ");
  for (const [key, value] of Object.entries(run.extra ?? {})) {
    if (key === "GOFLAGS") continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new GoEnvError(`"${key}" is not a valid environment variable name.`);
    }
    if (PROTECTED_VARS.has(key) || PROTECTED_PATTERN.test(key)) {
      throw new GoEnvError(
        `${key} is set by the toolchain (isolation and shared caches) and cannot be changed per run.`,
      );
    }
    env[key] = value;
  }
  return env;
}
