// Installs the pinned Go tools (tool-versions.ts) on first need: `go install` into
// <GO_TOOLS_DIR>/bin (default DATA_DIR/tools/bin), under a file lock, once per process. A
// `<name>.version` stamp beside each binary says which version is there, so a changed pin
// reinstalls. The Docker image and CI install them ahead (bin/install-go-tools.sh writes the
// same layout); here a missing tool is installed, or, with GO_TOOLS_INSTALL=off, reported.

import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { childEnv } from "../process/child-env.js";
import { runProcess } from "../process/run-process.js";
import { trimTail } from "../text.js";
import { runPath } from "./go-env.js";
import { withInstallLock } from "./install-lock.js";
import { findOnPath } from "./sandbox.js";
import type { GoToolSpec } from "./tool-versions.js";

export interface GoToolsSettings {
  /** Holds bin/ (the binaries and their stamps) and the install's own Go caches. */
  dir: string;
  /** auto: install a missing tool on first need; off: only use what is installed. */
  install: "auto" | "off";
  goproxy: string;
}

export interface InstalledTool {
  name: string;
  version: string;
  /** Absolute path of the binary. */
  path: string;
}

export type ToolAvailability = { ok: true; tool: InstalledTool } | { ok: false; reason: string };

const INSTALL_TIMEOUT_MS = 20 * 60_000;

/** GO_TOOLS_DIR (default DATA_DIR/tools), GO_TOOLS_INSTALL (auto|off), GOPROXY. */
export function goToolsSettings(env: NodeJS.ProcessEnv, dataDir: string): GoToolsSettings {
  // Anything but "off" installs on need: a typo must not silently take the tools away.
  const mode = env.GO_TOOLS_INSTALL?.trim().toLowerCase();
  return {
    dir: resolve(env.GO_TOOLS_DIR?.trim() || join(dataDir, "tools")),
    install: mode === "off" ? "off" : "auto",
    goproxy: env.GOPROXY?.trim() || "https://proxy.golang.org,direct",
  };
}

/** The tool when its stamp names the pinned version, else undefined. */
export function installedTool(spec: GoToolSpec, dir: string): InstalledTool | undefined {
  const path = join(dir, "bin", spec.name);
  try {
    const stamp = readFileSync(`${path}.version`, "utf8").trim();
    if (stamp === spec.version && existsSync(path)) return { name: spec.name, version: spec.version, path };
  } catch {
    // not installed
  }
  return undefined;
}

const pending = new Map<string, Promise<ToolAvailability>>();

/** The tool, installed if need be; concurrent callers share one install. Never throws. */
export function ensureGoTool(spec: GoToolSpec, settings: GoToolsSettings): Promise<ToolAvailability> {
  const found = installedTool(spec, settings.dir);
  if (found) return Promise.resolve({ ok: true, tool: found });
  if (settings.install === "off") {
    return Promise.resolve({
      ok: false,
      reason: `${spec.name} ${spec.version} is not installed in ${settings.dir}/bin and GO_TOOLS_INSTALL=off; run \`npm run install-go-tools\``,
    });
  }
  const key = `${settings.dir}\0${spec.install}`;
  let p = pending.get(key);
  if (!p) {
    p = installTool(spec, settings).catch((err: Error) => ({ ok: false as const, reason: err.message }));
    pending.set(key, p);
    // A failed install (no network) is tried again by a later job, not remembered forever.
    p.then((r) => {
      if (!r.ok) pending.delete(key);
    }).catch(() => undefined);
  }
  return p;
}

/**
 * Starts installing every pinned tool that is missing, without waiting: at startup, so the
 * first job that lints does not wait minutes for the build. Returns the names being installed
 * ([] with GO_TOOLS_INSTALL=off or when all are there). A failure is logged and tried again on need.
 */
export function installMissingGoTools(
  settings: GoToolsSettings,
  specs: readonly GoToolSpec[],
  log?: (msg: string) => void,
): string[] {
  if (settings.install === "off") return [];
  const missing = specs.filter((s) => !installedTool(s, settings.dir));
  for (const spec of missing) {
    const started = Date.now();
    ensureGoTool(spec, settings)
      .then((r) =>
        log?.(
          r.ok
            ? `installed ${spec.name} ${spec.version} in ${Math.round((Date.now() - started) / 1000)} s`
            : `could not install ${spec.name} ${spec.version} in the background: ${r.reason}`,
        ),
      )
      .catch((err: unknown) =>
        log?.(`could not install ${spec.name} in the background: ${(err as Error).message}`),
      );
  }
  return missing.map((s) => s.name);
}

async function installTool(spec: GoToolSpec, settings: GoToolsSettings): Promise<ToolAvailability> {
  const bin = join(settings.dir, "bin");
  mkdirSync(bin, { recursive: true });
  return withInstallLock(join(settings.dir, "install.lock"), async () => {
    const again = installedTool(spec, settings.dir);
    if (again) return { ok: true, tool: again };
    const go = findOnPath("go", process.env.PATH);
    if (!go) return { ok: false, reason: `${spec.name} cannot be installed: go is not on PATH` };
    const home = await mkdtemp(join(tmpdir(), "bga-go-install-"));
    try {
      // Our own pinned modules, so no sandbox; still nothing of the app's environment.
      const env = childEnv({
        PATH: runPath(dirname(realpathSync(go))),
        HOME: home,
        TMPDIR: home,
        GOBIN: bin,
        GOPATH: join(settings.dir, "gopath"),
        GOMODCACHE: join(settings.dir, "gopath", "pkg", "mod"),
        GOCACHE: join(settings.dir, "go-build"),
        GOPROXY: settings.goproxy,
        GOTOOLCHAIN: "local",
        GOENV: "off",
        GOFLAGS: "-modcacherw",
        CGO_ENABLED: "0",
        GIT_TERMINAL_PROMPT: "0",
      });
      const res = await runProcess(
        { command: go, args: ["install", spec.install], env, outputCap: 256 * 1024 },
        { cwd: home, timeoutMs: INSTALL_TIMEOUT_MS },
      );
      if (res.exitCode !== 0) {
        const why = res.timedOut ? "timed out" : trimTail(res.stderr, { maxLines: 8, maxChars: 1500 });
        return { ok: false, reason: `go install ${spec.install} failed: ${why}` };
      }
      writeFileSync(join(bin, `${spec.name}.version`), `${spec.version}\n`);
      return { ok: true, tool: { name: spec.name, version: spec.version, path: join(bin, spec.name) } };
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
}
