// The Toolchain port: how the agent's `go` tool and the verifier run Go. Adapters decide
// where (a bubblewrap sandbox or a plain child process); callers only see results.

export interface RunOptions {
  /** Working directory: the checkout, or a directory inside it. */
  cwd: string;
  /**
   * The checkout root, writable inside the sandbox (everything else is read-only).
   * Defaults to cwd; set it when cwd is a subdirectory of the checkout.
   */
  root?: string;
  /** Killed (with its whole process group) after this long. */
  timeoutMs?: number;
  /** Aborts the run the same way a timeout does. */
  signal?: AbortSignal;
  /**
   * Whether the command may reach the network. Only module downloads get it; builds and
   * tests run offline, with GOPROXY=off, so a module that is not in the cache fails with
   * a clear error (run `go mod download` with network: true first).
   */
  network?: boolean;
  /** Bytes kept of stdout and of stderr for this run; defaults to the toolchain's cap. */
  outputCap?: number;
  /**
   * Directories mounted read-only into the sandbox at their own path: the job's service
   * sockets (src/services/). A plain run sees the filesystem anyway.
   */
  binds?: readonly string[];
  /**
   * A program (and its arguments, ending in "--") the command runs under inside the sandbox,
   * in the run's own network namespace: the job's services bridge (src/services/nats-job.ts).
   * Left off where the run has no namespace of its own (unsandboxed, or a module download),
   * so it never listens on the worker's network.
   */
  wrap?: readonly string[];
  /** Extra variables for this run only (e.g. GOFLAGS); never secrets. */
  env?: Record<string, string>;
  /**
   * The job's module settings (the repository's `go:` keys) and private-module credentials;
   * see withModuleAccess. Credentials reach only runs with network: true.
   */
  modules?: ModuleAccess;
}

export interface RunResult {
  /** Exit code, or null when the process was killed. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** True when stdout or stderr went past the cap and was cut. */
  truncated: boolean;
  durationMs: number;
}

export interface Toolchain {
  /** Runs `go <args>`. */
  go(args: string[], options: RunOptions): Promise<RunResult>;
  /** Runs `gofmt <args>`. */
  gofmt(args: string[], options: RunOptions): Promise<RunResult>;
  /**
   * Runs another program (a repository's verify command, e.g. `make test`) the way Go runs:
   * same sandbox, environment and limits. `command` is a bare name found on the toolchain's
   * PATH; it is executed directly, never through a shell.
   */
  run(command: string, args: string[], options: RunOptions): Promise<RunResult>;
  /** Build tags every run sets (the repository's `verify.tags`, see src/services/with-services.ts). */
  readonly buildTags?: readonly string[];
  /** Which isolation runs use, for logs and /health. */
  readonly isolation: "bubblewrap" | "none";
}

/** The repository's `go:` keys (RepoConfig["go"]), layered over the operator's settings. */
export interface ModuleSettings {
  /** Replaces the operator's GOPROXY for this job's downloads. */
  goproxy?: string;
  /** Added to the operator's GOPRIVATE (comma-separated glob patterns). */
  goprivate?: string;
  /** Added to the operator's GONOSUMDB. */
  gonosumdb?: string;
  /** Appended to the operator's GOFLAGS (a later flag wins). */
  goflags?: string;
}

export interface PrivateModuleCredentials {
  /**
   * Module path prefix the token opens, e.g. "github.com/acme" (the installation's account).
   * Added to GOPRIVATE, so neither the module proxy nor the checksum database is asked
   * about those modules: they are fetched from git directly.
   */
  modulePrefix: string;
  /**
   * Where git fetches those modules, when it is not `https://<modulePrefix>/` (a GitHub
   * Enterprise reached through another name, a stand-in in tests): git rewrites the one to
   * the other (url.<gitUrl>.insteadOf) and sends the token only there.
   */
  gitUrl?: string;
  /** Returns a current token; called once per download run (installation tokens live an hour). */
  token: () => Promise<string>;
}

export interface ModuleAccess extends ModuleSettings {
  credentials?: PrivateModuleCredentials[];
}

/**
 * The toolchain whose caches belong to one repository (`owner/repo`) alone, so nothing a
 * test of another repository wrote is ever trusted. Adapters without caches are returned as
 * they are. Scope first, then withModuleAccess: that wrapper keeps the scope it wraps.
 */
export function forRepository<T extends Toolchain>(toolchain: T, scope: string): T {
  const scoped = (toolchain as { forRepository?: (scope: string) => T }).forRepository;
  return scoped ? scoped.call(toolchain, scope) : toolchain;
}
