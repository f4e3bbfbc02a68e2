// Resource abuse by code under test: a Go test that forks without end, one that allocates
// without bound. Run through the real toolchain (sandboxed and not) and the real verifier:
// each is stopped at its limit, the verdict says so, nothing is left running, and the app's
// own process can still start processes while the bomb goes off.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "@jest/globals";
import { createGoToolchain } from "../../src/golang/go-toolchain.js";
import { createRunLimiter } from "../../src/golang/limits.js";
import { verify } from "../../src/verify/verify.js";
import { TEST_DATA_DIR } from "../golang/support.js";

const run = promisify(execFile);

/** Small limits, so the bomb meets them at once and the allocation within a second. */
const LIMITS = { maxProcesses: 256, maxMemoryBytes: 512 * 1024 * 1024 };
/** The bomb stops itself here: should the limit fail, this test fails, not the machine. */
const BOMB_CAP = 600;

const GO_MOD = "module example.com/abuse\n\ngo 1.21\n";

const FORK_BOMB = `package abuse

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestForkBomb starts copies of itself without end and ignores every error, as a hostile
// test would. Each copy leaves a mark in started.txt; at ${BOMB_CAP} marks they stop.
func TestForkBomb(t *testing.T) {
	if f, err := os.OpenFile("started.txt", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
		f.Write([]byte{'x'})
		f.Close()
	}
	for {
		if st, err := os.Stat("started.txt"); err == nil && st.Size() >= ${BOMB_CAP} {
			time.Sleep(time.Hour)
		}
		cmd := exec.Command(os.Args[0], os.Args[1:]...)
		_ = cmd.Start()
	}
}
`;

const ALLOCATES = `package abuse

import "testing"

// TestAllocatesForever keeps 64 MiB blocks until something stops it.
func TestAllocatesForever(t *testing.T) {
	var keep [][]byte
	for {
		b := make([]byte, 64<<20)
		b[len(b)-1] = 1
		keep = append(keep, b)
	}
}
`;

async function module(file: string, source: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "bga-abuse-"));
  writeFileSync(join(dir, "go.mod"), GO_MOD);
  writeFileSync(join(dir, file), source);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker)) found.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

async function eventuallyNone(marker: string): Promise<string[]> {
  for (let i = 0; i < 50 && processesWith(marker).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  return processesWith(marker);
}

const SHOWS_LIMITS = `package abuse

import (
	"os"
	"testing"
)

func TestShowLimits(t *testing.T) {
	b, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		t.Fatal(err)
	}
	t.Log(string(b))
}
`;

describe.each(["auto", "off"] as const)("resource limits on Go runs (sandbox: %s)", (sandbox) => {
  it("apply to every process a test run starts: the memory cap, and no core files", async () => {
    const tc = await createGoToolchain({
      dataDir: TEST_DATA_DIR,
      goflags: "-modcacherw",
      sandbox,
      limits: LIMITS,
    });
    const { dir, cleanup } = await module("limits_test.go", SHOWS_LIMITS);
    try {
      const res = await tc.go(["test", "-count=1", "-v", "./..."], { cwd: dir, timeoutMs: 120_000 });
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toMatch(
        new RegExp(`Max data size\\s+${LIMITS.maxMemoryBytes}\\s+${LIMITS.maxMemoryBytes}\\s+bytes`),
      );
      expect(res.stdout).toMatch(/Max core file size\s+0\s+0\s+bytes/);
    } finally {
      await cleanup();
    }
  }, 90_000);

  it("stops a fork bomb at the process limit, reports it, leaves nothing running, and the app keeps working", async () => {
    const tc = await createGoToolchain({
      dataDir: TEST_DATA_DIR,
      goflags: "-modcacherw",
      sandbox,
      limits: LIMITS,
    });
    const limiter = await createRunLimiter({ sandboxed: tc.isolation === "bubblewrap", limits: LIMITS });
    // CI runs as root, where only a pids cgroup holds processes; as a user, the sandbox's
    // RLIMIT_NPROC does. Without either this machine could not be protected: say so.
    expect(limiter.processLimit).not.toBe("none");

    const { dir, cleanup } = await module("bomb_test.go", FORK_BOMB);
    // The test binary go builds for this package; nothing else here has that name.
    const marker = "/abuse.test";
    // While the bomb runs, the app's own process must still be able to start processes.
    const spawnedMeanwhile: string[] = [];
    const spawn = () =>
      run("/bin/true").then(
        () => spawnedMeanwhile.push("ok"),
        (e: Error) => spawnedMeanwhile.push(e.message),
      );
    const probe = setInterval(spawn, 100);
    try {
      const verdict = await verify(tc, { dir, timeoutMs: 20_000, checks: ["test"] });
      const test = verdict.checks.find((c) => c.name === "go test")!;
      expect(test.status).toBe("fail");
      expect(verdict.overall).toBe("fail");
      if (limiter.processLimit === "cgroup") {
        expect(test.summary).toMatch(
          /this run reached its limit of 256 processes and threads; \d+ more process starts were refused/,
        );
      }
      const started = statSync(join(dir, "started.txt")).size;
      // Each Go process holds several threads, so the limit of 256 leaves far fewer processes.
      expect(started).toBeGreaterThan(1);
      expect(started).toBeLessThan(LIMITS.maxProcesses);
      expect(verdict.leftovers).toContain("started.txt");
      expect(await eventuallyNone(marker)).toEqual([]);
    } finally {
      clearInterval(probe);
      await cleanup();
    }
    await spawn();
    expect(spawnedMeanwhile.length).toBeGreaterThan(2);
    expect(spawnedMeanwhile.every((s) => s === "ok")).toBe(true);
  }, 90_000);

  it("stops a test that allocates without bound at the memory limit, and the verdict names it", async () => {
    const tc = await createGoToolchain({
      dataDir: TEST_DATA_DIR,
      goflags: "-modcacherw",
      sandbox,
      limits: LIMITS,
    });
    const { dir, cleanup } = await module("alloc_test.go", ALLOCATES);
    try {
      const started = Date.now();
      const verdict = await verify(tc, { dir, timeoutMs: 60_000, checks: ["test"] });
      const test = verdict.checks.find((c) => c.name === "go test")!;
      expect(test.status).toBe("fail");
      expect(`${test.summary}\n${test.details}`).toMatch(/TestAllocatesForever|example\.com\/abuse/);
      // The cause is in what the pull request shows, not only the name of the test.
      expect(test.details).toMatch(/fatal error: (runtime: )?out of memory/);
      // Stopped by the limit, not by the time limit.
      expect(test.timedOut).toBeFalsy();
      expect(Date.now() - started).toBeLessThan(45_000);
    } finally {
      await cleanup();
    }
  }, 90_000);
});
