// Modules that cannot be had, as the agent and the verdict see them: real go runs against a
// module proxy on 127.0.0.1 that answers 404 and 410, a go.sum that does not match what was
// downloaded, an empty module cache offline, and an import go.mod does not cover.
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { runTool } from "../../src/agent/tools/registry.js";
import type { ToolContext } from "../../src/agent/tools/types.js";
import { createGoToolchain, type GoToolchain } from "../../src/golang/go-toolchain.js";
import { withModuleAccess } from "../../src/golang/module-access.js";
import { parseModuleProblems } from "../../src/golang/module-errors.js";
import type { Toolchain } from "../../src/golang/toolchain.js";
import type { Check, Verdict } from "../../src/verify/verdict.js";
import { verify } from "../../src/verify/verify.js";
import { BUILTIN_PROTECTED_GLOBS } from "../../src/workspace/safe-path.js";
import { type FailingProxy, startFailingProxy } from "../support/module-proxy.js";
import { checkoutFixture, emptyDir, testToolchain } from "./support.js";

let tc: GoToolchain;
let proxy: FailingProxy;
/** The toolchain as a job whose repository sets `go.goproxy` to the failing proxy sees it. */
let viaProxy: Toolchain;

beforeAll(async () => {
  tc = await testToolchain();
  proxy = await startFailingProxy({
    "bga.test/gone": {
      status: 410,
      body: "not found: bga.test/gone@v1.0.0: the module was retracted and removed",
    },
    "bga.test/missing": {
      status: 404,
      body: "not found: bga.test/missing@v1.2.3: invalid version: unknown revision v1.2.3",
    },
  });
  viaProxy = withModuleAccess(tc, { goproxy: proxy.url });
});

afterAll(() => proxy.close());

function toolContext(root: string, toolchain: Toolchain): ToolContext {
  const real = realpathSync(root);
  return {
    root: real,
    policy: { root: real, protectedGlobs: [...BUILTIN_PROTECTED_GLOBS] },
    toolchain,
    signal: new AbortController().signal,
    goTimeoutMs: 60_000,
    maxFileBytes: 1 << 20,
    touched: new Set(),
  };
}

async function module(files: Record<string, string>) {
  const { dir, cleanup } = await emptyDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cleanup };
}

function check(v: Verdict, name: string): Check {
  const found = v.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} check in ${JSON.stringify(v.checks.map((c) => c.name))}`);
  return found;
}

describe("a module that cannot be downloaded", () => {
  it("is named with its reason in the go tool's result, so the agent can act on it", async () => {
    const { dir, cleanup } = await module({
      "go.mod": "module example.com/app\n\ngo 1.24\n",
      "app.go": 'package app\n\nimport _ "bga.test/gone"\n',
    });
    try {
      const res = await runTool("go", { args: ["mod", "tidy"] }, toolContext(dir, viaProxy));
      expect(res.isError).toBe(true);
      expect(res.content).toContain(
        "module problems:\n- bga.test/gone: the module proxy no longer serves it (410 Gone)",
      );
      expect(res.content).toContain("the module was retracted and removed");
      expect(res.content).toContain("Check the module path and version");
      expect(proxy.requests).toContain("/bga.test/gone/@v/list");
    } finally {
      await cleanup();
    }
  });

  it("makes the verdict say which module failed and why", async () => {
    const { dir, cleanup } = await module({
      "go.mod": "module example.com/app\n\ngo 1.24\n\nrequire bga.test/missing v1.2.3\n",
      "app.go": 'package app\n\nimport _ "bga.test/missing"\n',
    });
    try {
      const v = await verify(viaProxy, { dir, checks: ["build"] });
      const download = check(v, "go mod download");
      expect(download.status).toBe("error");
      expect(download.summary).toBe(
        "could not download bga.test/missing@v1.2.3: not found on the module proxy (404 Not Found): not found: bga.test/missing@v1.2.3: invalid version: unknown revision v1.2.3",
      );
      expect(download.moduleProblems).toEqual([
        {
          module: "bga.test/missing@v1.2.3",
          kind: "not-found",
          reason: expect.stringContaining("404 Not Found"),
        },
      ]);
      // The offline build fails as a consequence, and says so rather than blaming the change.
      const build = check(v, "go build");
      expect(build.status).toBe("error");
      expect(build.summary).toBe(
        "bga.test/missing: go.sum has no entry for it: the module download failed (see go mod download)",
      );
      expect(v.overall).toBe("error");
    } finally {
      await cleanup();
    }
  });

  it("reports a checksum mismatch against go.sum as such", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-green");
    try {
      const sum = readFileSync(join(dir, "go.sum"), "utf8");
      writeFileSync(join(dir, "go.sum"), sum.replace(/h1:[A-Za-z0-9+/=]+/g, `h1:${"A".repeat(43)}=`));
      const v = await verify(tc, { dir, checks: [] });
      const download = check(v, "go mod download");
      expect(download.summary).toMatch(
        /^could not download github\.com\/google\/go-cmp@v0\.6\.0: checksum mismatch: what was downloaded does not match go\.sum/,
      );
      expect(download.details).toContain("SECURITY ERROR");
    } finally {
      await cleanup();
    }
  });
});

describe("an offline run missing a module", () => {
  it("tells the agent to run go mod tidy first", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-green");
    const empty = await mkdtemp(join(tmpdir(), "bga-empty-cache-"));
    try {
      const fresh = await createGoToolchain({ dataDir: empty, goflags: "-modcacherw" });
      const res = await runTool("go", { args: ["test", "./..."] }, toolContext(dir, fresh));
      expect(res.isError).toBe(true);
      expect(res.content).toContain(
        "module problems:\n- github.com/google/go-cmp@v0.6.0: not in the module cache, and builds and tests run offline",
      );
      expect(res.content).toContain('Run the go tool with ["mod", "tidy"] first');
    } finally {
      await cleanup();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("fails the build check when go.mod does not cover an import, with the fix", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-green");
    try {
      writeFileSync(join(dir, "greet", "extra.go"), 'package greet\n\nimport _ "github.com/google/uuid"\n');
      const v = await verify(tc, { dir, checks: ["build", "test"] });
      const build = check(v, "go build");
      expect(build.status).toBe("fail");
      expect(build.summary).toBe(
        "github.com/google/uuid: imported, but no module in go.mod provides it: run go mod tidy and commit go.mod and go.sum",
      );
      expect(check(v, "go test").summary).toMatch(/^github\.com\/google\/uuid: imported, but no module/);
    } finally {
      await cleanup();
    }
  });
});

describe("parseModuleProblems", () => {
  it("reads the shapes go prints, one problem per module", () => {
    const output = [
      "go: finding module for package github.com/acme/nothing",
      "go: example.com/a imports",
      "\tgithub.com/acme/nothing: module github.com/acme/nothing: reading https://proxy.golang.org/github.com/acme/nothing/@v/list: 403 Forbidden",
      "\tserver response: This module version is not available.",
      "go: github.com/x/y@v1.5.0 requires go >= 1.27 (running go 1.26.8; GOTOOLCHAIN=local)",
      "go: github.com/acme/private@v0.1.0: invalid version: git ls-remote -q origin in /cache/vcs/abc: exit status 128:",
      "\tfatal: could not read Username for 'https://github.com': terminal prompts disabled",
      "go: example.com/b@v1.0.0: parsing go.mod:",
      "\tmodule declares its path as: example.com/c",
      "\t        but was required as: example.com/b",
    ].join("\n");
    expect(parseModuleProblems(output).map((p) => [p.module, p.kind])).toEqual([
      ["github.com/acme/nothing", "refused"],
      ["github.com/x/y@v1.5.0", "needs-newer-go"],
      ["github.com/acme/private@v0.1.0", "auth"],
      ["example.com/b@v1.0.0", "path-mismatch"],
    ]);
  });
});

describe("parseModuleProblems on test output", () => {
  it("does not mistake a failing test that dialled out for a module problem", () => {
    const output = [
      "--- FAIL: TestDial (0.00s)",
      "    dial_test.go:9: dial tcp 10.0.0.1:5432: connect: connection refused",
      "    dial_test.go:10: reading http://127.0.0.1:8080/x: 404 Not Found",
      "FAIL",
      "FAIL\texample.com/app\t0.004s",
    ].join("\n");
    expect(parseModuleProblems(output)).toEqual([]);
  });
});
