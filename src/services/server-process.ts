// One server process of a job (postgres, redis-server, nats-server): started in its own process group as
// the services user, its output in a log file of the job's directory, waited for until it
// answers, and stopped with its whole group. Its pid is written next to the log, so that a
// worker that died mid-job leaves enough for the next one's sweep (sweep.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { childEnv } from "../process/child-env.js";
import type { ServiceUser } from "./run-as.js";

/** The server exited or did not become ready; `logLine` is its last words. */
export class ServerStartError extends Error {
  override name = "ServerStartError";
  constructor(
    message: string,
    readonly logLine: string,
  ) {
    super(logLine ? `${message}: ${logLine}` : message);
  }
}

export interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  user: ServiceUser;
  /** The log file (created here). */
  log: string;
  /** Where the pid goes, for the sweep. */
  pidFile: string;
  /** True once the server answers. */
  ready(): boolean;
  timeoutMs?: number;
  /** The signal that asks it to stop quickly (postgres: SIGINT, "fast" shutdown). */
  stopSignal: NodeJS.Signals;
  signal?: AbortSignal;
}

export interface RunningServer {
  readonly pid: number;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;

/** The last line of a log that says something (an error, a FATAL), for the verdict. */
export function lastLogLine(path: string): string {
  try {
    const lines = readFileSync(path, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    // postgres' FATAL, redis' "# ", nats-server's [FTL]/[ERR], the services bridge's own words.
    return (
      lines.findLast((l) => /FATAL|ERROR|PANIC|# |\[(FTL|ERR)\]|^bridge: /.test(l)) ?? lines.at(-1) ?? ""
    );
  } catch {
    return "";
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone already
  }
}

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const fd = openSync(spec.log, "a", 0o600);
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      env: childEnv(),
      stdio: ["ignore", fd, fd],
      detached: true,
      ...(spec.user.uid !== undefined ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
    });
  } finally {
    closeSync(fd);
  }
  const spawned = await new Promise<number>((resolve, reject) => {
    child.once("spawn", () => resolve(child.pid!));
    child.once("error", reject);
  }).catch((err: Error) => {
    throw new ServerStartError(`${spec.name} could not be started`, err.message);
  });
  child.unref();
  writeFileSync(spec.pidFile, `${spawned}\n`);
  let stopped: Promise<void> | undefined;
  const server: RunningServer = {
    pid: spawned,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        killGroup(spawned, spec.stopSignal);
        const timer = setTimeout(() => killGroup(spawned, "SIGKILL"), STOP_GRACE_MS);
        await exited(child);
        clearTimeout(timer);
        // Anything it forked and left behind goes with the group.
        killGroup(spawned, "SIGKILL");
      })();
      return stopped;
    },
  };
  const deadline = Date.now() + (spec.timeoutMs ?? 30_000);
  while (!spec.ready()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ServerStartError(`${spec.name} exited while starting`, lastLogLine(spec.log));
    }
    if (spec.signal?.aborted || Date.now() > deadline) {
      await server.stop();
      throw new ServerStartError(
        spec.signal?.aborted
          ? `${spec.name}: the job was stopped while it started`
          : `${spec.name} did not become ready in time`,
        lastLogLine(spec.log),
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return server;
}
