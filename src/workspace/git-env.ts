// The environment every git child process of the workspace runs in.
//
// Why a private HOME with a generated ~/.gitconfig instead of `-c core.hooksPath=…` or
// GIT_CONFIG_GLOBAL: simple-git 4 refuses to pass hooksPath, fsmonitor, protocol.allow,
// GIT_CONFIG_GLOBAL or GIT_CONFIG_COUNT unless its `unsafe.*` switches are enabled, and we
// enable none. A fresh HOME whose only file is the config below gives git the same
// hardening, and nothing of the operator's own git setup (or process.env) leaks in.
// The file holds no secret: the token travels only as a per-command `-c` header.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { childEnv } from "../process/child-env.js";

/** Variables git may see. simple-git strips any other GIT_* from what we pass. */
export const ALLOWED_GIT_ENV = ["GIT_TERMINAL_PROMPT", "GIT_CONFIG_NOSYSTEM"] as const;

export function hardenedGitConfig(scheme: "http" | "https"): string {
  return [
    "[core]",
    // No hook of any repository (or of a tampered cache) ever runs.
    "\thooksPath = /dev/null",
    "\tfsmonitor = false",
    "[protocol]",
    // Only the transport of the clone URL: no file://, ext::, ssh or git:// from
    // .gitmodules, redirects or alternates.
    "\tallow = never",
    `[protocol "${scheme}"]`,
    "\tallow = always",
    // Never look into a submodule's directory: a nested repository there brings its own
    // config (core.fsmonitor, filters) that would run as commands on this machine.
    "[diff]",
    "\tignoreSubmodules = all",
    "[status]",
    "\tsubmoduleSummary = false",
    "[submodule]",
    "\trecurse = false",
    "[fetch]",
    "\trecurseSubmodules = false",
    "[push]",
    "\trecurseSubmodules = no",
    "[http]",
    // The auth header must not follow a redirect to another host.
    "\tfollowRedirects = false",
    "[init]",
    "\tdefaultBranch = main",
    "[commit]",
    "\tgpgSign = false",
    "[tag]",
    "\tgpgSign = false",
    "[gc]",
    // Concurrent worktrees share the cache; a background gc must not race them.
    "\tauto = 0",
    "[maintenance]",
    "\tauto = false",
    "[advice]",
    "\tdetachedHead = false",
    "",
  ].join("\n");
}

/** A private HOME holding only the hardened config; remove it with `rm(home)`. */
export async function createGitHome(parentDir: string, scheme: "http" | "https"): Promise<string> {
  const home = await mkdtemp(join(parentDir, "git-home-"));
  await writeFile(join(home, ".gitconfig"), hardenedGitConfig(scheme), { mode: 0o600 });
  return home;
}

export async function removeGitHome(home: string): Promise<void> {
  await rm(home, { recursive: true, force: true });
}

/** The clone's git (simple-git): the private HOME with the hardened config, no prompts, no system config. */
export function cloneGitEnv(home: string): Record<string, string> {
  return childEnv({ HOME: home, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" });
}

export function basicAuthValue(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString("base64");
}

/**
 * The per-command config that carries the token: an extra header scoped to the clone URL's
 * origin, so git sends it to that host only (never to a submodule or redirect target).
 */
export function authHeaderConfig(cloneUrl: URL, token: string): string {
  return `http.${cloneUrl.origin}/.extraheader=AUTHORIZATION: basic ${basicAuthValue(token)}`;
}

/**
 * Whether the `debug` package would print simple-git's logs, which include every command's
 * arguments — and so the per-command auth header. Mirrors debug's matching of DEBUG
 * (comma/space separated, `*` wildcards, `-name` to skip).
 */
export function simpleGitLogsEnabled(debugSetting: string | undefined = process.env.DEBUG): boolean {
  const sample = "simple-git:task:push:1";
  let enabled = false;
  for (const raw of (debugSetting ?? "").split(/[\s,]+/)) {
    if (!raw) continue;
    const skip = raw.startsWith("-");
    const pattern = new RegExp(
      `^${(skip ? raw.slice(1) : raw).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`,
    );
    if (!pattern.test(sample)) continue;
    if (skip) return false;
    enabled = true;
  }
  return enabled;
}

/**
 * The same hardening as `-c` options, for git run without simple-git (which refuses to pass
 * some of these keys): command-line config outranks the repository's own, and git hands it
 * on to any git it starts inside a submodule.
 */
export const HOST_GIT_OVERRIDES = [
  "core.fsmonitor=false",
  "core.hooksPath=/dev/null",
  "diff.ignoreSubmodules=all",
  "status.submoduleSummary=false",
  "submodule.recurse=false",
] as const;

/** `git <args>` with the overrides in front. */
export function hostGitArgs(args: readonly string[]): string[] {
  return [...HOST_GIT_OVERRIDES.flatMap((c) => ["-c", c]), ...args];
}

/**
 * The environment of host git run without simple-git: PATH and a locale, no system or global
 * configuration (only the repository's own, which code under test cannot write, and the
 * hostGitArgs overrides), no prompts; nothing else of the app's environment.
 */
export function hostGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return childEnv({
    HOME: "/nonexistent",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    ...extra,
  });
}
