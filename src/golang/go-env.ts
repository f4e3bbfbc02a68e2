// The complete environment a Go child process gets. Built from our own settings only:
// nothing is copied from process.env, so API keys, tokens and the App's private key can
// never reach `go`, a test binary or anything a test starts.
import { join } from "node:path";

/** Where the shared Go caches live, under DATA_DIR, so a second job builds warm. */
export interface GoCacheDirs {
  gopath: string;
  gomodcache: string;
  gocache: string;
  /** XDG_CONFIG_HOME: holds only go/telemetry/mode = "off". */
  config: string;
}

export function goCacheDirs(dataDir: string): GoCacheDirs {
  const root = join(dataDir, "go");
  return {
    gopath: join(root, "path"),
    gomodcache: join(root, "path", "pkg", "mod"),
    gocache: join(root, "build-cache"),
    config: join(root, "config"),
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
]);

const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

export class GoEnvError extends Error {
  override name = "GoEnvError";
}

export function buildGoEnv(
  settings: GoEnvSettings,
  run: { network: boolean; extra?: Record<string, string> },
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: [settings.goBinDir, ...SYSTEM_PATH.filter((p) => p !== settings.goBinDir)].join(":"),
    HOME: settings.home,
    TMPDIR: settings.tmpDir,
    GOPATH: settings.caches.gopath,
    GOMODCACHE: settings.caches.gomodcache,
    GOCACHE: settings.caches.gocache,
    // Offline runs get GOPROXY=off so a module that was not downloaded fails with a
    // clear "module lookup disabled" error instead of a network timeout.
    GOPROXY: run.network ? settings.goproxy : "off",
    GOTOOLCHAIN: "local",
    // HOME is fresh, but a go.env file elsewhere must not change settings either.
    GOENV: "off",
    // Telemetry off: otherwise go starts a detached uploader that outlives the run.
    XDG_CONFIG_HOME: settings.caches.config,
    CGO_ENABLED: "0",
  };
  if (settings.goprivate) env.GOPRIVATE = settings.goprivate;
  if (settings.gonosumdb) env.GONOSUMDB = settings.gonosumdb;
  // -buildvcs=false: verification ships no binary, and stamping would run git on a .git
  // that the sandbox mounts read-only (or that a worktree keeps outside the checkout).
  // Later flags win, so the operator's GOFLAGS and the run's can still turn it back on.
  env.GOFLAGS = ["-buildvcs=false", settings.goflags?.trim(), run.extra?.GOFLAGS?.trim()]
    .filter(Boolean)
    .join(" ");
  for (const [key, value] of Object.entries(run.extra ?? {})) {
    if (key === "GOFLAGS") continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new GoEnvError(`"${key}" is not a valid environment variable name.`);
    }
    if (PROTECTED_VARS.has(key)) {
      throw new GoEnvError(
        `${key} is set by the toolchain (isolation and shared caches) and cannot be changed per run.`,
      );
    }
    env[key] = value;
  }
  return env;
}
