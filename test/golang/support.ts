// Shared by the Go tests: one toolchain per test file over one persistent cache directory
// (like Go's own GOCACHE), so only the first run on a machine builds cold; and fixture
// checkouts copied to temp directories that each test removes.
import { cpSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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
