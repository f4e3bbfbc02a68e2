// Servers and their tools run as an unprivileged user: PostgreSQL refuses to run as root, and
// a server started for untrusted tests should hold no more rights than it needs. A worker that
// runs as root starts them as the services user (Debian's `postgres`); any other worker runs
// them as itself.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { chown, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { childEnv } from "../process/child-env.js";

export interface ServiceUser {
  /** Absent: the worker's own user. */
  uid?: number;
  gid?: number;
  name: string;
}

/** The services user could not be found (a root worker without the `postgres` user). */
export class ServiceUserError extends Error {
  override name = "ServiceUserError";
}

export function serviceUser(name = "postgres"): ServiceUser {
  if (process.getuid?.() !== 0) return { name: "(the worker's user)" };
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) {
    throw new ServiceUserError(
      `the worker runs as root, and servers run as the unprivileged user "${name}", which does not exist (apt-get install postgresql creates it)`,
    );
  }
  return { uid: Number(uid), gid: Number(gid), name };
}

/**
 * Throws, naming the directory and the fix, when the services user cannot pass through every
 * parent of `dir` (a DATA_DIR under root's 0700 home, or a 0700 temporary directory): its
 * servers could not reach their own files, and each would fail with a bare "Permission denied".
 */
export async function requirePassable(user: ServiceUser, dir: string): Promise<void> {
  if (user.uid === undefined) return;
  const parents: string[] = [];
  for (let d = dirname(resolve(dir)); ; d = dirname(d)) {
    parents.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const parent of parents) {
    const st = await stat(parent);
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      throw new ServiceUserError(
        `the services user "${user.name}" cannot pass through ${parent} (mode ${(st.mode & 0o777).toString(8)}), a parent of DATA_DIR ${dir}; give it o+x (\`chmod o+x ${parent}\`) or put DATA_DIR where every parent is passable`,
      );
    }
  }
}

/** Hands a path the worker made to the services user. */
export async function giveTo(user: ServiceUser, path: string): Promise<void> {
  if (user.uid !== undefined && user.gid !== undefined) await chown(path, user.uid, user.gid);
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a short command (initdb, cp, psql) as the services user; output kept to 256 KiB. */
export function execAs(
  user: ServiceUser,
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: childEnv(options.env),
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(user.uid !== undefined ? { uid: user.uid, gid: user.gid } : {}),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const keep = (into: Buffer[]) => (b: Buffer) => {
      if (into.reduce((n, c) => n + c.length, 0) < 256 * 1024) into.push(b);
    };
    child.stdout.on("data", keep(out));
    child.stderr.on("data", keep(err));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, options.timeoutMs ?? 60_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
    // A command that exits before reading its input (psql refused by a server still starting)
    // closes the pipe: its exit code and stderr say why, so EPIPE on our end is no error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}
