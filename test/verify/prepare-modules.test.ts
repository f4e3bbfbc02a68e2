import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { withModuleAccess } from "../../src/golang/module-access.js";
import { modulesMaterial, prepareModules } from "../../src/verify/prepare-modules.js";
import { checkoutFixture, testToolchain } from "../golang/support.js";
import { type FailingProxy, startFailingProxy } from "../support/module-proxy.js";

let toolchain: GoToolchain;
let proxy: FailingProxy;

beforeAll(async () => {
  toolchain = await testToolchain();
  proxy = await startFailingProxy({ "example.com/gone": { status: 410, body: "gone" } });
});
afterAll(async () => {
  await proxy?.close();
});

describe("modules before the agent's first Go run", () => {
  it("downloads once per go.mod and go.sum content; the next checkout pays nothing", async () => {
    const repo = await checkoutFixture("ledgerkit");
    try {
      const first = await prepareModules(toolchain, repo.dir);
      expect(["downloaded", "cached"]).toContain(first.status);
      const again = await prepareModules(toolchain, repo.dir);
      expect(again.status).toBe("cached");
      // Offline, as the agent's go test runs: the modules are there.
      const run = await toolchain.go(["build", "./..."], { cwd: repo.dir, timeoutMs: 120_000 });
      expect(run.stderr).not.toContain("module cache");
      expect(run.exitCode).toBe(0);
    } finally {
      await repo.cleanup();
    }
  }, 240_000);

  it("a failed download is reported in plain words for the agent, and not marked as done", async () => {
    const repo = await checkoutFixture("ledgerkit");
    try {
      await writeFile(
        join(repo.dir, "go.mod"),
        "module example.com/x\n\ngo 1.24\n\nrequire example.com/gone v1.0.0\n",
      );
      await writeFile(join(repo.dir, "go.sum"), "");
      const access = withModuleAccess(toolchain, { goproxy: proxy.url });
      const failed = await prepareModules(access, repo.dir);
      expect(failed.status).toBe("failed");
      expect(modulesMaterial(failed)).toContain("example.com/gone");
      expect((await prepareModules(access, repo.dir)).status).toBe("failed");
    } finally {
      await repo.cleanup();
    }
  }, 120_000);
});
