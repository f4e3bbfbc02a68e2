// The bubblewrap sandbox around Go runs. A test in a repository is untrusted code: inside
// the sandbox it sees the system directories read-only, the checkout and the Go caches
// writable, a private /tmp, its own pid namespace, and no network unless the run is a
// module download. The app's own directory (its .env), other checkouts and the job
// database are not mounted at all.
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { delimiter, join } from "node:path";

/** System directories mounted read-only (symlinks such as /bin -> usr/bin are recreated). */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

/**
 * Only what Go, its tests and `go mod download` need from /etc: name resolution, TLS roots,
 * users, time zones. Not all of /etc, which may hold keys readable by the app's user.
 */
const ETC_ENTRIES = [
  "/etc/alternatives",
  "/etc/ca-certificates",
  "/etc/ca-certificates.conf",
  "/etc/ssl/certs",
  "/etc/pki/tls/certs",
  "/etc/pki/ca-trust",
  "/etc/resolv.conf",
  "/etc/hosts",
  "/etc/host.conf",
  "/etc/nsswitch.conf",
  "/etc/gai.conf",
  "/etc/services",
  "/etc/protocols",
  "/etc/passwd",
  "/etc/group",
  "/etc/localtime",
  "/etc/timezone",
  "/etc/mime.types",
  "/etc/gitconfig",
  "/etc/ld.so.cache",
];

/** Inside the sandbox, HOME and TMPDIR live on the private /tmp. */
export const SANDBOX_HOME = "/tmp/home";
export const SANDBOX_TMP = "/tmp";

export interface SandboxSpec {
  /** The Go installation, mounted read-only. */
  goroot: string;
  /** Directories the run may write: the checkout and the Go caches. */
  writable: string[];
  /** Mounted read-only on top of the writable ones (the module cache of offline runs). */
  readOnly: string[];
  cwd: string;
  network: boolean;
}

function systemMounts(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    const stat = lstatSync(dir);
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  for (const entry of ETC_ENTRIES) {
    if (existsSync(entry)) args.push("--ro-bind", entry, entry);
  }
  return args;
}

/** The bwrap arguments that run `command args` inside the sandbox. */
export function bwrapArgs(spec: SandboxSpec, command: string, args: string[]): string[] {
  const out = [
    "--die-with-parent",
    "--new-session",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    // As root, bwrap would keep every capability; a test could then remount its way out.
    "--cap-drop",
    "ALL",
    ...systemMounts(),
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--tmpfs",
    "/tmp",
    "--dir",
    SANDBOX_HOME,
  ];
  if (!spec.network) out.push("--unshare-net");
  // After the tmpfs, so a GOROOT or checkout below /tmp is mounted over it, not hidden.
  out.push("--ro-bind", spec.goroot, spec.goroot);
  for (const dir of spec.writable) out.push("--bind", dir, dir);
  for (const dir of spec.readOnly) out.push("--ro-bind", dir, dir);
  out.push("--chdir", spec.cwd, "--", command, ...args);
  return out;
}

/** Finds an executable by name on a PATH string. */
export function findOnPath(name: string, pathValue: string | undefined): string | undefined {
  for (const dir of (pathValue ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      const stat = lstatSync(candidate);
      if (stat.isFile() || stat.isSymbolicLink()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
