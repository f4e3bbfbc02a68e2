// Jobs on two issues of one repository may run at once and share its cache. Fetches and
// worktree bookkeeping in that cache are serialised per cache directory within this
// process; the editing itself happens in per-job worktrees and runs in parallel.
const tails = new Map<string, Promise<void>>();

export async function withRepoLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const current = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => current);
  tails.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
