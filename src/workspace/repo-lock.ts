// Jobs on two issues of one repository may run at once and share its cache. Fetches and
// worktree bookkeeping in that cache are serialised per cache directory: within this
// process by a promise chain, across worker processes on the same DATA_DIR by a lock file
// created with O_EXCL. The editing itself happens in per-job worktrees and runs in parallel.
import { open, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";

const tails = new Map<string, Promise<void>>();

export interface RepoLockOptions {
  /** A lock older than this is taken over even if its holder looks alive. Default 30 minutes. */
  staleMs?: number;
  /** How often a waiting process looks again. Default 100 ms. */
  pollMs?: number;
}

export async function withRepoLock<T>(
  key: string,
  fn: () => Promise<T>,
  opts: RepoLockOptions = {},
): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const current = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => current);
  tails.set(key, tail);
  await previous;
  try {
    const lockPath = `${key}.lock`;
    await acquireFileLock(lockPath, opts);
    try {
      return await fn();
    } finally {
      await unlink(lockPath).catch(() => undefined);
    }
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

async function acquireFileLock(path: string, opts: RepoLockOptions): Promise<void> {
  const staleMs = opts.staleMs ?? 30 * 60_000;
  const pollMs = opts.pollMs ?? 100;
  const me = JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() });
  for (;;) {
    try {
      const handle = await open(path, "wx", 0o600);
      await handle.writeFile(me);
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (await isStale(path, staleMs)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Stale: its holder on this host is gone, it is unreadable, or it is older than staleMs. */
async function isStale(path: string, staleMs: number): Promise<boolean> {
  let holder: { pid?: number; host?: string; at?: number };
  try {
    holder = JSON.parse(await readFile(path, "utf8"));
  } catch {
    // Half-written by a holder that is still writing it, or garbage; give a writer a moment.
    await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      holder = JSON.parse(await readFile(path, "utf8"));
    } catch {
      return true;
    }
  }
  if (typeof holder.at !== "number" || Date.now() - holder.at > staleMs) return true;
  if (holder.host === hostname() && typeof holder.pid === "number") {
    try {
      process.kill(holder.pid, 0);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "ESRCH";
    }
  }
  return false;
}
