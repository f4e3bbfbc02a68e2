// The Toolchain port: how the agent's `go` tool and the verifier run Go. Adapters decide
// where (a bubblewrap sandbox or a plain child process); callers only see results.
import type { ModuleAccess } from "./module-access.js";

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
  /** Which isolation runs use, for logs and /health. */
  readonly isolation: "bubblewrap" | "none";
}
