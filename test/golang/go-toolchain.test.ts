import { chmodSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createGoToolchain, type GoToolchain } from "../../src/golang/go-toolchain.js";
import { findOnPath } from "../../src/golang/sandbox.js";
import { verify } from "../../src/verify/verify.js";
import { checkoutFixture, NO_BUBBLEWRAP, TEST_DATA_DIR, testToolchain } from "./support.js";

const SECRETS = {
  ANTHROPIC_API_KEY: "sentinel-anthropic-key-7f3a",
  GITHUB_TOKEN: "sentinel-github-token-7f3a",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY----- sentinel-private-key-7f3a",
  WEBHOOK_SECRET: "sentinel-webhook-secret-7f3a",
};

/** Names a Go test process may see: ours, plus what go itself adds for its children. */
const ALLOWED_VARS = new Set([
  // The locale every child process gets from childEnv (src/process/child-env.ts): ours, fixed.
  "LANG",
  "PATH",
  "HOME",
  "TMPDIR",
  "GOPATH",
  "GOMODCACHE",
  "GOCACHE",
  "GOFLAGS",
  "GOPROXY",
  "GOTOOLCHAIN",
  "GOENV",
  "CGO_ENABLED",
  "XDG_CONFIG_HOME",
  "PWD",
  "GOROOT",
]);

function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmd.includes(marker)) found.push(`${pid}: ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

async function eventuallyNone(marker: string): Promise<string[]> {
  // SIGKILL is delivered at once, but the kernel reaps asynchronously: look a few times.
  for (let i = 0; i < 50; i++) {
    const left = processesWith(marker);
    if (left.length === 0) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
  return processesWith(marker);
}

describe.each(["auto", "off"] as const)("createGoToolchain (sandbox: %s)", (sandbox) => {
  let tc: GoToolchain;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [k, v] of Object.entries(SECRETS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    tc = await testToolchain({ sandbox });
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("uses bubblewrap when asked to and it works, and plain processes when off", () => {
    expect(tc.isolation).toBe(sandbox === "auto" && !NO_BUBBLEWRAP ? "bubblewrap" : "none");
  });

  it("gives a test that prints os.Environ() no secret and nothing from the app's environment", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-env");
    try {
      const res = await tc.go(["test", "-count=1", "-v", "./..."], { cwd: dir });
      expect(res.exitCode).toBe(0);
      const env = res.stdout
        .split("\n")
        .filter((l) => l.startsWith("ENV "))
        .map((l) => l.slice(4));
      expect(env).toContain(`GOCACHE=${tc.caches.gocache}`);
      expect(env).toContain("GOTOOLCHAIN=local");
      expect(env).toContain(`CGO_ENABLED=${tc.cgo ? "1" : "0"}`);
      expect(env).toContain("GOPROXY=off");
      expect(env).toContain("LANG=C.UTF-8");
      const output = `${res.stdout}${res.stderr}`;
      for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
      expect(output).not.toContain("sentinel");
      const names = env.map((kv) => kv.slice(0, kv.indexOf("=")));
      expect(names.filter((n) => !ALLOWED_VARS.has(n))).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it("keeps the secrets out of the verdict too", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-env");
    try {
      const verdict = await verify(tc, { dir });
      expect(verdict.overall).toBe("pass");
      expect(JSON.stringify(verdict)).not.toContain("sentinel");
    } finally {
      await cleanup();
    }
  });

  it("kills a hanging test binary at the timeout, with everything it started", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-hang");
    const marker = `hang-marker-${sandbox}-${process.pid}`;
    try {
      // Build first, so the timeout below hits the running test, not the compiler.
      const warm = await tc.go(["test", "-count=1", "-run", "TestQuick", "./..."], { cwd: dir });
      expect(warm.exitCode).toBe(0);
      const res = await tc.go(
        [
          "test",
          "-count=1",
          "-timeout=1h",
          "-run",
          "TestSleepsForever",
          "./...",
          "-args",
          `-marker=${marker}`,
        ],
        { cwd: dir, timeoutMs: 4000 },
      );
      expect(res.timedOut).toBe(true);
      expect(res.exitCode).toBeNull();
      expect(await eventuallyNone(marker)).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it("downloads modules into the shared caches under DATA_DIR without touching go.mod or go.sum", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-green");
    try {
      expect(tc.caches.gocache.startsWith(join(TEST_DATA_DIR, "go"))).toBe(true);
      const before = ["go.mod", "go.sum"].map((f) => readFileSync(join(dir, f), "utf8"));
      const download = await tc.go(["mod", "download"], { cwd: dir, network: true });
      expect(download.exitCode).toBe(0);
      expect(["go.mod", "go.sum"].map((f) => readFileSync(join(dir, f), "utf8"))).toEqual(before);
      const res = await tc.go(["env", "GOCACHE", "GOMODCACHE", "GOPATH"], { cwd: dir });
      expect(res.stdout.trim().split("\n")).toEqual([
        tc.caches.gocache,
        tc.caches.gomodcache,
        tc.caches.gopath,
      ]);
    } finally {
      await cleanup();
    }
  });
});

describe("createGoToolchain fallback", () => {
  const goDir = dirname(findOnPath("go", process.env.PATH) ?? "/usr/local/go/bin/go");

  it("runs unsandboxed with one clear warning when bwrap is not installed", async () => {
    const logs: string[] = [];
    const tc = await createGoToolchain({
      dataDir: TEST_DATA_DIR,
      searchPath: goDir,
      log: (m) => logs.push(m),
    });
    expect(tc.isolation).toBe("none");
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/NOT sandboxed \(bwrap is not installed\)/);
  });

  it("runs unsandboxed with one clear warning when bwrap is there but fails", async () => {
    const binDir = await mkdtemp(join(tmpdir(), "bga-fake-bwrap-"));
    try {
      const fake = join(binDir, "bwrap");
      writeFileSync(fake, "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n");
      chmodSync(fake, 0o755);
      const logs: string[] = [];
      const tc = await createGoToolchain({
        dataDir: TEST_DATA_DIR,
        searchPath: `${binDir}:${goDir}`,
        log: (m) => logs.push(m),
      });
      expect(tc.isolation).toBe("none");
      expect(logs).toHaveLength(1);
      expect(logs[0]).toContain("No permissions to creating new namespace");
      const res = await tc.go(["version"], { cwd: binDir });
      expect(res.stdout).toContain(tc.goVersion);
    } finally {
      await rm(binDir, { recursive: true, force: true });
    }
  });

  it("refuses to start with GO_SANDBOX=required where bubblewrap cannot run", async () => {
    const binDir = await mkdtemp(join(tmpdir(), "bga-fake-bwrap-"));
    try {
      const fake = join(binDir, "bwrap");
      writeFileSync(fake, "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n");
      chmodSync(fake, 0o755);
      for (const searchPath of [goDir, `${binDir}:${goDir}`]) {
        await expect(
          createGoToolchain({ dataDir: TEST_DATA_DIR, searchPath, sandbox: "required" }),
        ).rejects.toThrow(
          /GO_SANDBOX=required, but Go runs cannot be sandboxed here \((bwrap is not installed|bubblewrap failed: bwrap: No permissions)/,
        );
      }
    } finally {
      await rm(binDir, { recursive: true, force: true });
    }
  });

  it("refuses a run that would override the isolation", async () => {
    const tc = await testToolchain();
    await expect(
      tc.go(["version"], { cwd: tmpdir(), env: { GOPROXY: "https://evil.example" } }),
    ).rejects.toThrow(/GOPROXY is set by the toolchain/);
    await expect(tc.go(["version"], { cwd: tmpdir(), root: join(tmpdir(), "elsewhere") })).rejects.toThrow(
      /outside the checkout root/,
    );
  });
});
