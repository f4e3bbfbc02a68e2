// A lock file for the tools directory: two workers (or two jest workers) that both find a
// tool missing must not run `go install` into the same GOBIN at once. The lock is a file
// created exclusively and holding the owner's pid; a lock whose process is gone, or that
// is older than the longest install, is taken over.
import { open, readFile, rm, stat } from "node:fs/promises";
import { processAlive } from "../process/process-alive.js";

const POLL_MS = 500;

async function stale(path: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    const pid = Number.parseInt(text, 10);
    if (Number.isFinite(pid) && pid > 0 && !processAlive(pid)) return true;
    return Date.now() - info.mtimeMs > staleMs;
  } catch {
    return false;
  }
}

/** Runs fn holding the lock at path; waits (polling) while another process holds it. */
export async function withInstallLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: { staleMs?: number; waitMs?: number } = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 20 * 60_000;
  const deadline = Date.now() + (options.waitMs ?? 30 * 60_000);
  for (;;) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (await stale(path, staleMs)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited too long for the install lock ${path}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
