// verify() on real fixture modules with the real Go toolchain, in the sandbox.
import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import type { Check, Verdict } from "../../src/verify/verdict.js";
import { NO_GO_CHANGE, NOT_A_GO_MODULE, type VerifyOptions, verify } from "../../src/verify/verify.js";
import { checkoutFixture, NO_BUBBLEWRAP, testToolchain } from "../golang/support.js";

let tc: GoToolchain;
beforeAll(async () => {
  tc = await testToolchain();
});

async function verifyFixture(name: string, opts: Omit<VerifyOptions, "dir"> = {}): Promise<Verdict> {
  const { dir, cleanup } = await checkoutFixture(name);
  try {
    return await verify(tc, { dir, ...opts });
  } finally {
    await cleanup();
  }
}

function check(v: Verdict, name: string): Check {
  const found = v.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} check in ${JSON.stringify(v.checks.map((c) => c.name))}`);
  return found;
}

const statuses = (v: Verdict) => Object.fromEntries(v.checks.map((c) => [c.name, c.status]));

describe("verify", () => {
  it("passes a clean module with a dependency: modules downloaded, then everything offline", async () => {
    const v = await verifyFixture("go-verify-green", { changedFiles: ["greet/greet.go", "go.mod"] });
    expect(statuses(v)).toEqual({ gofmt: "pass", "go vet": "pass", "go build": "pass", "go test": "pass" });
    expect(v.overall).toBe("pass");
    expect(v.summary).toBe("all 4 checks passed");
    expect(v.isolation).toBe(NO_BUBBLEWRAP ? "none" : "bubblewrap");
    expect(v.tests?.totals).toMatchObject({ passed: 1, failed: 0, skipped: 1 });
    const greet = v.tests?.packages.find((p) => p.name === "example.com/greenfixture/greet");
    expect(greet?.status).toBe("pass");
    expect(v.tests?.packages.find((p) => p.name.endsWith("/cmd/greeter"))?.status).toBe("skip");
    expect(v.leftovers).toBeUndefined();
  });

  it("lists the files that tests wrote into the checkout, so they are not committed", async () => {
    // The probe fixture's TestWritesCheckout writes probe/written-by-test.txt.
    const v = await verifyFixture("go-verify-sandbox", { checks: ["test"] });
    expect(v.leftovers).toEqual(["probe/written-by-test.txt"]);
  });

  it("verifies a git checkout, whose .git the sandbox mounts read-only", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-green");
    try {
      const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
          cwd: dir,
          env: { PATH: "/usr/bin:/bin" },
        });
      git("init", "-q");
      git("add", "-A");
      git("commit", "-qm", "fixture");
      const v = await verify(tc, { dir, changedFiles: ["greet/greet.go"] });
      expect(v.overall).toBe("pass");
      expect(git("status", "--porcelain").toString()).toBe("");
    } finally {
      await cleanup();
    }
  });

  it("reports a failing test with its package, name and output", async () => {
    const v = await verifyFixture("go-verify-failing");
    expect(v.overall).toBe("fail");
    expect(statuses(v)).toEqual({ gofmt: "pass", "go vet": "pass", "go build": "pass", "go test": "fail" });
    const test = check(v, "go test");
    expect(test.summary).toContain("2 passed, 1 failed");
    expect(test.details).toContain("TestAdd/positive");
    expect(test.details).toContain("Add(2, 3) = -1, want 5");
    expect(test.details).not.toContain("=== RUN");
    const calc = v.tests?.packages.find((p) => p.name.endsWith("/calc"));
    expect(calc?.status).toBe("fail");
    expect(calc?.failedTests.map((t) => t.name)).toEqual(["TestAdd/positive"]);
    expect(v.tests?.packages.find((p) => p.name.endsWith("/strutil"))?.status).toBe("pass");
  });

  it("reports a compile error per package in build and test", async () => {
    const v = await verifyFixture("go-verify-compile-error");
    expect(v.overall).toBe("fail");
    const build = check(v, "go build");
    expect(build.status).toBe("fail");
    expect(build.summary).toBe("1 package failed to build: example.com/compilefixture/broken");
    expect(build.details).toContain("broken/broken.go:6:13: undefined: undefinedFactor");
    expect(check(v, "go vet").status).toBe("fail");
    const broken = v.tests?.packages.find((p) => p.name.endsWith("/broken"));
    expect(broken?.status).toBe("build-fail");
    expect(broken?.buildOutput).toContain("undefined: undefinedFactor");
    expect(v.tests?.packages.find((p) => p.name.endsWith("/fine"))?.status).toBe("pass");
    expect(check(v, "go test").summary).toContain("1 package failed to build");
  });

  it("flags a changed file that is not gofmt-clean, with the diff, and only changed files", async () => {
    const dirty = await verifyFixture("go-verify-gofmt", {
      changedFiles: ["shape/area.go", "shape/perimeter.go"],
      checks: ["gofmt"],
    });
    const gofmt = check(dirty, "gofmt");
    expect(gofmt.status).toBe("fail");
    expect(gofmt.summary).toBe("1 file needs gofmt: shape/area.go");
    expect(gofmt.details).toContain("+\treturn w * h");
    expect(dirty.overall).toBe("fail");

    const clean = await verifyFixture("go-verify-gofmt", {
      changedFiles: ["shape/perimeter.go"],
      checks: ["gofmt"],
    });
    expect(check(clean, "gofmt").status).toBe("pass");
  });

  it("kills a test that sleeps past the timeout and says which one timed out", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-hang");
    try {
      // Compile first so the limit below is spent in the test, not in the compiler.
      await tc.go(["test", "-run", "TestQuick", "./..."], { cwd: dir });
      const v = await verify(tc, { dir, checks: ["test"], timeoutMs: 10_000 });
      const test = check(v, "go test");
      expect(test.status).toBe("fail");
      expect(test.timedOut).toBe(true);
      expect(test.summary).toMatch(/timed out/);
      expect(test.summary).toContain("TestSleepsForever");
      expect(v.overall).toBe("fail");
    } finally {
      await cleanup();
    }
  });

  it("fails a test that dials out, and says the sandbox has no network", async () => {
    const v = await verifyFixture("go-verify-network", { checks: ["test"] });
    const test = check(v, "go test");
    expect(test.status).toBe("fail");
    expect(test.summary).toContain("tests run without network in the sandbox");
    expect(test.details).toMatch(/TestDialsOut[\s\S]*(network is unreachable|no such host)/);
  });

  it("skips a repository without go.mod instead of failing", async () => {
    const v = await verifyFixture("go-verify-nomod", { changedFiles: ["hello.go"] });
    expect(v.overall).toBe("skipped");
    expect(v.summary).toBe(NOT_A_GO_MODULE);
    expect(v.checks).toEqual([]);
  });

  it("skips a change with no Go in it", async () => {
    const v = await verifyFixture("go-verify-failing", { changedFiles: ["README.md", "docs/usage.md"] });
    expect(v.overall).toBe("skipped");
    expect(v.summary).toBe(NO_GO_CHANGE);
  });

  it("reports an aborted run as an error, not as the change's failure", async () => {
    const controller = new AbortController();
    controller.abort();
    const v = await verifyFixture("go-verify-green", { signal: controller.signal });
    expect(v.overall).toBe("error");
    expect(v.checks.every((c) => c.status === "error")).toBe(true);
  });
});
