// What a job of a dead worker left under DATA_DIR/services/jobs: each job directory names
// its worker's pid (`owner`) and its servers' pids; when that worker is gone, its servers are
// killed (with their process groups) and the directory removed. Jobs of a live worker on the
// same DATA_DIR are left alone.
import { existsSync, readFileSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { processAlive } from "../process/process-alive.js";

export const OWNER_FILE = "owner";
const PID_FILES = ["postgres.pid", "redis.pid", "nats.pid"];

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim().split("\n")[0]);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A process whose command line names the server: a reused pid is never killed. */
function isServer(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /postgres|redis-server|nats-server/.test(cmd);
  } catch {
    return false;
  }
}

function isGone(pid: number | undefined): boolean {
  return pid === undefined || !processAlive(pid) || !isServer(pid);
}

/** Removes the leftovers of jobs whose worker is dead; returns the directories removed. */
export async function sweepJobs(jobsRoot: string): Promise<string[]> {
  if (!existsSync(jobsRoot)) return [];
  const removed: string[] = [];
  for (const entry of await readdir(jobsRoot)) {
    const dir = join(jobsRoot, entry);
    const owner = readPid(join(dir, OWNER_FILE));
    if (owner !== undefined && owner !== process.pid && processAlive(owner)) continue;
    if (owner === process.pid) continue;
    for (const file of PID_FILES) {
      const pid = readPid(join(dir, file));
      if (pid === undefined || !isServer(pid)) continue;
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
    // SIGKILL lands asynchronously: a server still writing its files would race the removal.
    for (let i = 0; i < 100 && PID_FILES.some((f) => isGone(readPid(join(dir, f))) === false); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
