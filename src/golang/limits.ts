// Resource limits for every Go run (and a repository's verify commands): the code under
// test is untrusted, and a test that forks without end or allocates without bound must be
// stopped and reported, not take the machine, the app and the other jobs down with it.
//
// - Memory: RLIMIT_DATA per process, set with prlimit. Go's heap is private writable memory
//   and counts; its address-space reservations are PROT_NONE and do not, so builds and
//   tests run normally and an unbounded allocation ends in Go's "fatal error: runtime: out
//   of memory".
// - Core files: RLIMIT_CORE 0, so a crashing test drops no core file into the checkout
//   (where it would be committed).
// - Processes and threads, two ways, whichever this host allows:
//   * a pids cgroup per run, where the app may create one (root, or a delegated cgroup v2
//     subtree): every process the run starts, in or out of the sandbox, counts;
//   * otherwise RLIMIT_NPROC inside the sandbox. Linux counts it per user *namespace*, and
//     bubblewrap gives every unprivileged run a namespace of its own, so it caps that run
//     alone. It is not used outside a user namespace (there it would count all of the
//     user's processes, the app's included) nor for root, whom the kernel exempts.
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join, relative } from "node:path";
import { processAlive } from "../process/process-alive.js";
import type { SpawnConfinement } from "../process/run-process.js";
import { findOnPath } from "./sandbox.js";

/** How a run that hit its process limit says so, on its stderr (checks.ts repeats it). */
export const LIMIT_REACHED = "backend-go-agent: this run reached its limit of";

export interface RunLimits {
  /** Processes and threads one run may have at once. */
  maxProcesses: number;
  /** Private writable memory (heap) one process may map, in bytes. */
  maxMemoryBytes: number;
}

const GIB = 1024 ** 3;
const SYSTEM_BIN = "/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin";

/** Room for `go build -p <cpus>` (each compiler has a thread per CPU); 4 GiB of heap or a quarter of RAM. */
export function defaultRunLimits(): RunLimits {
  return {
    maxProcesses: Math.max(1024, 128 * cpus().length),
    maxMemoryBytes: Math.min(4 * GIB, Math.max(GIB, Math.floor(totalmem() / 4))),
  };
}

export type ProcessLimitKind = "cgroup" | "rlimit" | "none";

export interface RunLimiter {
  readonly limits: RunLimits;
  /** How the process limit is held here. */
  readonly processLimit: ProcessLimitKind;
  /** False when prlimit is missing: no memory limit either. */
  readonly rlimits: boolean;
  /** One line for the startup log. */
  describe(): string;
  /** The command line with its rlimits; goes inside the sandbox, right before the binary. */
  command(binary: string, args: string[]): [string, string[]];
  /** Wraps the spawned process (the sandbox itself, or the plain command) in a fresh cgroup. */
  readonly confinement?: SpawnConfinement;
}

export interface RunLimiterOptions {
  /** Runs go through bubblewrap, which gives each (unprivileged) run its own user namespace. */
  sandboxed: boolean;
  limits?: Partial<RunLimits>;
  /** Where prlimit is looked up after the system directories (unsandboxed runs only). */
  searchPath?: string;
}

export async function createRunLimiter(options: RunLimiterOptions): Promise<RunLimiter> {
  const limits = { ...defaultRunLimits(), ...options.limits };
  // Inside the sandbox only the system directories are mounted: look there first (and only).
  const prlimit =
    findOnPath("prlimit", SYSTEM_BIN) ??
    (options.sandboxed ? undefined : findOnPath("prlimit", options.searchPath));
  const shell = findOnPath("sh", "/bin:/usr/bin");
  const cgroupParent = shell ? await usablePidsCgroup() : undefined;
  const nproc = Boolean(prlimit) && options.sandboxed && nprocCountsPerNamespace();
  const processLimit: ProcessLimitKind = cgroupParent ? "cgroup" : nproc ? "rlimit" : "none";
  const rlimitArgs = [
    `--data=${limits.maxMemoryBytes}`,
    "--core=0",
    ...(nproc ? [`--nproc=${limits.maxProcesses}`] : []),
  ];
  const memory = `${(limits.maxMemoryBytes / GIB).toFixed(limits.maxMemoryBytes % GIB ? 1 : 0)} GiB`;
  return {
    limits,
    processLimit,
    rlimits: Boolean(prlimit),
    describe() {
      const processes =
        processLimit === "cgroup"
          ? `at most ${limits.maxProcesses} processes and threads (a pids cgroup per run)`
          : processLimit === "rlimit"
            ? `at most ${limits.maxProcesses} processes and threads (RLIMIT_NPROC in the sandbox)`
            : "NO process limit (no writable pids cgroup, and RLIMIT_NPROC cannot hold one run alone here)";
      return prlimit
        ? `Each run may have ${processes} and ${memory} of memory per process; no core files.`
        : `Each run may have ${processes}; NO memory limit (prlimit is not installed).`;
    },
    command(binary, args) {
      return prlimit ? [prlimit, [...rlimitArgs, "--", binary, ...args]] : [binary, args];
    },
    ...(cgroupParent && shell
      ? { confinement: cgroupConfinement(cgroupParent, shell, limits.maxProcesses) }
      : {}),
  };
}

/** Root of the first user namespace is exempt from RLIMIT_NPROC; everyone else is counted. */
function nprocCountsPerNamespace(): boolean {
  return process.getuid?.() !== 0 || !isInitialUserNamespace();
}

function isInitialUserNamespace(): boolean {
  try {
    const map = readFileSync("/proc/self/uid_map", "utf8").trim().split(/\s+/);
    return map[0] === "0" && map[1] === "0" && map[2] === "4294967295";
  } catch {
    return true;
  }
}

interface CgroupMount {
  mountPoint: string;
  root: string;
  version: 1 | 2;
}

/** The pids hierarchy's mount: cgroup v1 with the pids controller, or the v2 unified mount. */
function pidsMounts(): CgroupMount[] {
  const out: CgroupMount[] = [];
  let text: string;
  try {
    text = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [fstype, , superOptions = ""] = right.split(" ");
    const root = fields[3];
    const mountPoint = fields[4];
    if (!root || !mountPoint) continue;
    if (fstype === "cgroup" && superOptions.split(",").includes("pids"))
      out.push({ mountPoint, root, version: 1 });
    if (fstype === "cgroup2") out.push({ mountPoint, root, version: 2 });
  }
  return out;
}

/** The directory of this process's own cgroup in a pids hierarchy, if it is mounted. */
function ownPidsCgroups(): string[] {
  let text: string;
  try {
    text = readFileSync("/proc/self/cgroup", "utf8");
  } catch {
    return [];
  }
  const dirs: string[] = [];
  const mounts = pidsMounts();
  for (const line of text.split("\n")) {
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    const version = controllers === "" ? 2 : controllers.split(",").includes("pids") ? 1 : 0;
    if (!version) continue;
    for (const m of mounts.filter((mount) => mount.version === version)) {
      const rel = relative(m.root, path);
      if (rel.startsWith("..")) continue;
      dirs.push(join(m.mountPoint, rel));
    }
  }
  return dirs;
}

const PREFIX = "backend-go-agent-";

/** A cgroup under ours that we may create, limit and join; undefined when there is none. */
async function usablePidsCgroup(): Promise<string | undefined> {
  for (const parent of ownPidsCgroups()) {
    sweepStale(parent);
    const probe = join(parent, `${PREFIX}probe-${process.pid}`);
    try {
      await mkdir(probe);
    } catch {
      continue;
    }
    try {
      // pids.max exists only where the pids controller is enabled for children.
      await writeFile(join(probe, "pids.max"), "16");
      await readFile(join(probe, "cgroup.procs"), "utf8");
      return parent;
    } catch {
      // not a usable pids cgroup
    } finally {
      await rmdir(probe).catch(() => undefined);
    }
  }
  return undefined;
}

/**
 * Empty run cgroups left by a crashed app (rmdir refuses populated ones). Only those of dead
 * processes: another live app (a second worker on the machine) creates a run's cgroup empty
 * and joins it a moment later, and must find it there.
 */
function sweepStale(parent: string): void {
  try {
    for (const name of readdirSync(parent)) {
      if (!name.startsWith(PREFIX)) continue;
      const owner = Number(/(\d+)(?:-\d+)?$/.exec(name.slice(PREFIX.length))?.[1]);
      if (!Number.isInteger(owner) || owner <= 0 || processAlive(owner)) continue;
      try {
        rmdirSync(join(parent, name));
      } catch {
        // populated or not ours to remove
      }
    }
  } catch {
    // unreadable: nothing to sweep
  }
}

let runCounter = 0;

const JOIN_AND_EXEC =
  'echo $$ > "$1" || { echo "backend-go-agent: cannot join the run cgroup" >&2; exit 125; }; shift; exec "$@"';

function cgroupConfinement(parent: string, shell: string, maxProcesses: number): SpawnConfinement {
  return {
    enter(command, args) {
      const dir = join(parent, `${PREFIX}${process.pid}-${++runCounter}`);
      // Synchronous: the spawn right after must find the cgroup in place.
      mkdirSync(dir);
      writeFileSync(join(dir, "pids.max"), String(maxProcesses));
      // The shell joins the cgroup, then becomes the command (exec keeps its pid), so the
      // command and everything it starts are counted from its first instruction on.
      return {
        command: shell,
        args: ["-c", JOIN_AND_EXEC, "sh", join(dir, "cgroup.procs"), command, ...args],
        leave: () => leaveCgroup(dir, maxProcesses),
      };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills what is left in the cgroup (processes that left the process group), then removes it. */
async function leaveCgroup(dir: string, maxProcesses: number): Promise<string | undefined> {
  let refused = 0;
  try {
    const events = await readFile(join(dir, "pids.events"), "utf8");
    refused = Number(/^max (\d+)/m.exec(events)?.[1] ?? 0);
  } catch {
    // no pids.events on old kernels
  }
  await writeFile(join(dir, "cgroup.kill"), "1").catch(() => undefined);
  for (let pass = 0; pass < 100; pass++) {
    let pids: number[] = [];
    try {
      pids = (await readFile(join(dir, "cgroup.procs"), "utf8")).split("\n").filter(Boolean).map(Number);
    } catch {
      break;
    }
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    await sleep(20);
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await rmdir(dir);
      break;
    } catch {
      await sleep(40);
    }
  }
  return refused > 0
    ? `${LIMIT_REACHED} ${maxProcesses} processes and threads; ${refused} more process starts were refused`
    : undefined;
}
