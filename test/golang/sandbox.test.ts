// The bubblewrap sandbox, seen from inside by real Go tests. CI installs bubblewrap; these
// tests fail (rather than skip) where it does not work, because that is worth knowing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "@jest/globals";
import { createGoToolchain, type GoToolchain } from "../../src/golang/go-toolchain.js";
import { parseModuleProblems } from "../../src/golang/module-errors.js";
import { parseTestJson } from "../../src/golang/test-json.js";
import { checkoutFixture, describeSandboxed, emptyDir, TEST_DATA_DIR, testToolchain } from "./support.js";

describeSandboxed("the bubblewrap sandbox", () => {
  let tc: GoToolchain;
  beforeAll(async () => {
    tc = await testToolchain({ sandbox: "auto" });
  });

  it("is in use here", () => {
    expect(tc.isolation).toBe("bubblewrap");
  });

  it("lets a test write its checkout but not the system, hides the app's files, and keeps /tmp private", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-sandbox");
    // Stands for the app's .env or another job's checkout: a file the sandbox must not show.
    const secretDir = join(TEST_DATA_DIR, `app-secrets-${process.pid}`);
    mkdirSync(secretDir, { recursive: true });
    const hidden = join(secretDir, ".env");
    writeFileSync(hidden, "ANTHROPIC_API_KEY=sentinel\n");
    const marker = `bga-private-tmp-${process.pid}`;
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "config"), "[core]\n\tbare = false\n");
    try {
      const res = await tc.go(["test", "-count=1", "-json", "./..."], {
        cwd: dir,
        env: { PROBE_HIDDEN: hidden, PROBE_READONLY: "/usr", PROBE_TMP_MARKER: marker },
      });
      const report = parseTestJson(res.stdout, res.stderr);
      const failures = report.packages.flatMap((p) => p.failedTests.map((t) => `${t.name}: ${t.output}`));
      expect(failures).toEqual([]);
      expect(report.totals.passed).toBe(6);
      expect(readFileSync(join(dir, ".git", "config"), "utf8")).toBe("[core]\n\tbare = false\n");
      expect(existsSync(join(dir, "probe", "written-by-test.txt"))).toBe(true);
      expect(existsSync(join("/tmp", marker))).toBe(false);
    } finally {
      await cleanup();
      await rm(secretDir, { recursive: true, force: true });
    }
  });

  it("has no network for builds and tests, and network for a run that asks for it", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-network");
    try {
      const offline = await tc.go(["test", "-count=1", "./..."], { cwd: dir });
      expect(offline.exitCode).toBe(1);
      expect(offline.stdout).toMatch(/network is unreachable|no such host/);
      // Only module downloads should ask for this; here it shows the switch is per run.
      const online = await tc.go(["test", "-count=1", "./..."], { cwd: dir, network: true });
      expect(online.exitCode).toBe(0);
    } finally {
      await cleanup();
    }
  });

  it("builds and tests a cgo package where a C compiler is installed, the compiler running in the sandbox", async () => {
    expect(tc.cgo).toBe(true);
    const { dir, cleanup } = await emptyDir();
    try {
      writeFileSync(join(dir, "go.mod"), "module example.com/cgofixture\n\ngo 1.21\n");
      writeFileSync(
        join(dir, "add.go"),
        'package cgofixture\n\n// int add(int a, int b) { return a + b; }\nimport "C"\n\n// Add adds in C.\nfunc Add(a, b int) int { return int(C.add(C.int(a), C.int(b))) }\n',
      );
      writeFileSync(
        join(dir, "add_test.go"),
        'package cgofixture\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(2, 3) != 5 {\n\t\tt.Fatal("2+3")\n\t}\n}\n',
      );
      const res = await tc.go(["test", "-count=1", "./..."], { cwd: dir, timeoutMs: 180_000 });
      expect(`${res.stdout}${res.stderr}`).toMatch(/^ok\s+example\.com\/cgofixture/m);
    } finally {
      await cleanup();
    }
  }, 240_000);

  it("fails an offline build clearly when a module was not downloaded", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-green");
    const empty = await mkdtemp(join(tmpdir(), "bga-empty-cache-"));
    try {
      // Empty caches: go-cmp was never downloaded for this toolchain.
      const fresh = await createGoToolchain({ dataDir: empty, goflags: "-modcacherw" });
      expect(fresh.isolation).toBe("bubblewrap");
      const res = await fresh.go(["list", "-test", "-deps", "./..."], { cwd: dir });
      expect(res.exitCode).toBe(1);
      // The module cache is read-only offline: go's own words are about the file system, so
      // what the agent and the verdict are told is the module and why (module-errors.ts).
      expect(parseModuleProblems(res.stderr)).toEqual([
        {
          module: "github.com/google/go-cmp@v0.6.0",
          kind: "not-downloaded",
          reason: "not in the module cache, and builds and tests run offline",
        },
      ]);
    } finally {
      await cleanup();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
