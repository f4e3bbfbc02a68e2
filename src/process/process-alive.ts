// Whether a process still runs, for sweeping what a dead process left behind (locks, cgroups,
// service directories). EPERM means it runs, as another user.

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
