// One Go cache directory per test run, shared by every end-to-end app the run starts: only
// the first job of the run pays the cold build (see test/e2e/harness.ts tempDataDir).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function setup() {
  process.env.BGA_E2E_GO_DIR = await mkdtemp(join(tmpdir(), "bga-e2e-go-"));
}

export async function teardown() {
  const dir = process.env.BGA_E2E_GO_DIR;
  // Module files are read-only as Go writes them; chmod first so rm can remove them.
  if (dir) {
    const { execFileSync } = await import("node:child_process");
    execFileSync("chmod", ["-R", "u+w", dir]);
    await rm(dir, { recursive: true, force: true });
  }
}
