// Shared by the Go tests: one toolchain per test file over one persistent cache directory
// (like Go's own GOCACHE), so only the first run on a machine builds cold; and fixture
// checkouts copied to temp directories that each test removes.
import { spawnSync } from "node:child_process";
import { cpSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "@jest/globals";
import { createGoToolchain, type GoToolchain } from "../../src/golang/go-toolchain.js";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** Where the suite's Go caches live; kept between runs on purpose, as a cache. */
export const TEST_DATA_DIR = join(tmpdir(), "backend-go-agent-test-go");

export function testToolchain(
  extra: { sandbox?: "auto" | "off"; log?: (msg: string) => void } = {},
): Promise<GoToolchain> {
  // -modcacherw: the module cache stays deletable by a non-root CI user.
  return createGoToolchain({ dataDir: TEST_DATA_DIR, goflags: "-modcacherw", ...extra });
}

/** Copies test/fixtures/<name> to a fresh temp directory; call the returned cleanup. */
export async function checkoutFixture(name: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `bga-${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function emptyDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "bga-empty-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Why bubblewrap cannot sandbox Go here, or undefined when it can (CI installs it). */
export const NO_BUBBLEWRAP: string | undefined = (() => {
  const probe = spawnSync("bwrap", ["--ro-bind", "/", "/", "--unshare-net", "true"], { encoding: "utf8" });
  if (probe.error) return "bubblewrap is not installed (apt-get install bubblewrap)";
  if (probe.status !== 0) return `bubblewrap does not run here: ${probe.stderr.trim()}`;
  return undefined;
})();

/** `describe`/`it` for cases about the sandbox itself: skipped, with the reason in the name, without it. */
export const describeSandboxed: typeof describe = NO_BUBBLEWRAP
  ? (((name: string, fn: () => void) =>
      describe.skip(`${name} (skipped: ${NO_BUBBLEWRAP})`, fn)) as typeof describe)
  : describe;
export const itSandboxed: typeof it = NO_BUBBLEWRAP
  ? (((name: string, fn: () => void, timeout?: number) =>
      it.skip(`${name} (skipped: ${NO_BUBBLEWRAP})`, fn, timeout)) as typeof it)
  : it;
