// The go test -json parser, fed by real `go test` runs on the fixtures.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { parseTestJson } from "../../src/golang/test-json.js";
import { trimTail } from "../../src/text.js";
import { checkoutFixture, emptyDir, testToolchain } from "./support.js";

let tc: GoToolchain;
beforeAll(async () => {
  tc = await testToolchain();
});

async function goTestJson(
  fixture: string,
  args: string[] = [],
  env?: Record<string, string>,
  timeoutMs?: number,
) {
  const { dir, cleanup } = await checkoutFixture(fixture);
  try {
    const res = await tc.go(["test", "-json", "-count=1", ...args, "./..."], { cwd: dir, env, timeoutMs });
    return { res, report: parseTestJson(res.stdout, res.stderr) };
  } finally {
    await cleanup();
  }
}

describe("parseTestJson", () => {
  it("counts top-level tests per package and keeps the elapsed time", async () => {
    const { report } = await goTestJson("go-verify-failing");
    expect(report.totals).toEqual({
      packages: 2,
      passedPackages: 1,
      failedPackages: 1,
      passed: 2,
      failed: 1,
      skipped: 0,
    });
    const calc = report.packages.find((p) => p.name.endsWith("/calc"));
    expect(calc).toMatchObject({ status: "fail", passed: 1, failed: 1, timedOut: false });
    expect(typeof calc?.elapsedSec).toBe("number");
    expect(calc?.failedTests).toHaveLength(1);
    expect(calc?.failedTests[0]).toMatchObject({ name: "TestAdd/positive", reason: "failed" });
    expect(calc?.failedTests[0]?.output).toContain("computing 2 3");
  });

  it("reads build failures from build-output events (Go 1.24+)", async () => {
    const { report } = await goTestJson("go-verify-compile-error");
    const broken = report.packages.find((p) => p.name.endsWith("/broken"));
    expect(broken?.status).toBe("build-fail");
    expect(broken?.buildOutput).toContain("broken/broken.go:6:13: undefined: undefinedFactor");
  });

  it("reads build failures from stderr, as older Go prints them", async () => {
    const { res, report } = await goTestJson("go-verify-compile-error", [], {
      GODEBUG: "gotestjsonbuildtext=1",
    });
    expect(res.stdout).not.toContain("build-output");
    const broken = report.packages.find((p) => p.name.endsWith("/broken"));
    expect(broken?.status).toBe("build-fail");
    expect(broken?.buildOutput).toContain("undefined: undefinedFactor");
    expect(report.packages.find((p) => p.name.endsWith("/fine"))?.status).toBe("pass");
  });

  it("names the test that was still running when go's own -timeout fired", async () => {
    const { report } = await goTestJson("go-verify-hang", ["-timeout=2s"]);
    const slow = report.packages[0];
    expect(slow?.timedOut).toBe(true);
    expect(slow?.failedTests.map((t) => [t.name, t.reason])).toEqual([["TestSleepsForever", "timed out"]]);
    expect(slow?.passed).toBe(1);
    // The dump keeps the hung test's own stack and drops the testing framework's goroutines.
    const output = slow?.failedTests[0]?.output ?? "";
    expect(output).toContain("panic: test timed out after 2s");
    expect(output).toContain("slow_test.go:");
    expect(output).toMatch(/other goroutines? omitted/);
    expect(output).not.toContain("testing.(*M).startAlarm");
  });

  it("names the test that was still running when the whole run was killed", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-hang");
    try {
      await tc.go(["test", "-run", "TestQuick", "./..."], { cwd: dir });
      const res = await tc.go(["test", "-json", "-count=1", "-timeout=1h", "./..."], {
        cwd: dir,
        timeoutMs: 5000,
      });
      expect(res.timedOut).toBe(true);
      const slow = parseTestJson(res.stdout, res.stderr).packages[0];
      expect(slow?.status).toBe("incomplete");
      expect(slow?.failedTests.map((t) => [t.name, t.reason])).toEqual([
        ["TestSleepsForever", "did not finish"],
      ]);
    } finally {
      await cleanup();
    }
  });

  it("turns go's own errors into report errors instead of throwing", async () => {
    const { dir, cleanup } = await emptyDir();
    try {
      writeFileSync(join(dir, "go.mod"), "module example.com/future\n\ngo 1.99\n");
      writeFileSync(join(dir, "future.go"), "package future\n");
      const res = await tc.go(["test", "-json", "./..."], { cwd: dir });
      const report = parseTestJson(res.stdout, res.stderr);
      expect(report.packages).toEqual([]);
      expect(report.errors.join("\n")).toMatch(/go\.mod requires go >= 1\.99.*GOTOOLCHAIN=local/);
    } finally {
      await cleanup();
    }
  });
});

describe("trimTail", () => {
  it("keeps the end and says how many lines were cut", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    const out = trimTail(text, { maxLines: 3, maxChars: 1000 });
    expect(out).toBe("… 97 earlier lines cut …\nline 97\nline 98\nline 99");
  });
});
