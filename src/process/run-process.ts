// Runs a command as a child process in its own process group, so a timeout kills
// everything it started (a hung `go test` forks test binaries). Output is capped. A
// confinement (limits.ts: a pids cgroup per run) may wrap the command and clean up after.
import { spawn } from "node:child_process";
import type { RunOptions, RunResult } from "../golang/toolchain.js";

export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_OUTPUT_CAP = 4 * 1024 * 1024;

export interface SpawnSpec {
  command: string;
  args: string[];
  /** The complete environment of the child: nothing is inherited. */
  env: Record<string, string>;
  outputCap?: number;
}

/** Puts a run into a container of its own (a cgroup) and removes what is left after it. */
export interface SpawnConfinement {
  /** Called right before the spawn; the command line to spawn instead. */
  enter(
    command: string,
    args: string[],
  ): { command: string; args: string[]; leave(): Promise<string | undefined> };
}

/** RunOptions as runProcess takes them; the Go toolchain adds its confinement. */
export interface SpawnOptions extends RunOptions {
  confine?: SpawnConfinement;
}

function collector(cap: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk: Buffer) {
      if (size >= cap) {
        truncated = true;
        return;
      }
      const room = cap - size;
      if (chunk.length > room) truncated = true;
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(kept);
      size += kept.length;
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
    get truncated() {
      return truncated;
    },
  };
}

export function runProcess(spec: SpawnSpec, options: SpawnOptions): Promise<RunResult> {
  const started = Date.now();
  const cap = spec.outputCap ?? DEFAULT_OUTPUT_CAP;
  const out = collector(cap);
  const err = collector(cap);
  return new Promise((resolve) => {
    let confined: ReturnType<SpawnConfinement["enter"]> | undefined;
    try {
      confined = options.confine?.enter(spec.command, spec.args);
    } catch (e) {
      resolve({
        exitCode: 127,
        stdout: "",
        stderr: `failed to start ${spec.command}: cannot set up its limits: ${(e as Error).message}\n`,
        timedOut: false,
        aborted: false,
        truncated: false,
        durationMs: Date.now() - started,
      });
      return;
    }
    const child = spawn(confined?.command ?? spec.command, confined?.args ?? spec.args, {
      cwd: options.cwd,
      env: spec.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const finish = (exitCode: number | null, extraErr?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      // Grandchildren may still hold the group; make sure nothing outlives the run.
      killGroup();
      const done = (note?: string) =>
        resolve({
          exitCode: timedOut || aborted ? null : exitCode,
          stdout: out.text(),
          stderr: `${err.text()}${extraErr ?? ""}${note ? `\n${note}\n` : ""}`,
          timedOut,
          aborted,
          truncated: out.truncated || err.truncated,
          durationMs: Date.now() - started,
        });
      if (!confined) return done();
      confined.leave().then(done, () => done());
    };
    child.on("error", (e) => finish(127, `failed to start ${spec.command}: ${e.message}\n`));
    child.on("close", (code) => finish(code));
  });
}
