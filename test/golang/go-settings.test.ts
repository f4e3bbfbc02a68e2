import { describe, expect, it } from "@jest/globals";
import { ConfigError, loadConfig } from "../../src/config/env.js";
import { createGoToolchain } from "../../src/golang/go-toolchain.js";
import { withModuleAccess } from "../../src/golang/module-access.js";
import { emptyDir, TEST_DATA_DIR } from "./support.js";

describe("Go settings from the environment", () => {
  it("reads GOPROXY, GOFLAGS, GOPRIVATE, GONOSUMDB and GO_SANDBOX for createGoToolchain", () => {
    const config = loadConfig({
      GOPROXY: "https://goproxy.example.com",
      GOFLAGS: "-mod=readonly",
      GOPRIVATE: "example.com/private",
      GONOSUMDB: "example.com/private",
      GO_SANDBOX: "off",
    });
    expect(config.go).toEqual({
      goproxy: "https://goproxy.example.com",
      goflags: "-mod=readonly",
      goprivate: "example.com/private",
      gonosumdb: "example.com/private",
      sandbox: "off",
    });
    expect(loadConfig({}).go?.sandbox).toBe("auto");
  });

  it("refuses a GO_SANDBOX it does not know", () => {
    expect(() => loadConfig({ GO_SANDBOX: "maybe" })).toThrow(ConfigError);
  });
});

describe("a repository's go: keys", () => {
  it("layer over the operator's: GOPROXY replaced, GOPRIVATE and GONOSUMDB joined, GOFLAGS appended", async () => {
    const tc = await createGoToolchain({
      dataDir: TEST_DATA_DIR,
      goproxy: "https://goproxy.corp.example",
      goprivate: "corp.example/*",
      gonosumdb: "corp.example/*",
      goflags: "-modcacherw",
    });
    const job = withModuleAccess(tc, {
      goproxy: "https://proxy.repo.example",
      goprivate: "github.com/acme/*",
      gonosumdb: "github.com/acme/*",
      goflags: "-mod=mod",
    });
    const { dir, cleanup } = await emptyDir();
    try {
      const env = async (network: boolean) =>
        (await job.go(["env", "GOPROXY", "GOPRIVATE", "GONOSUMDB", "GOFLAGS"], { cwd: dir, network })).stdout
          .trim()
          .split("\n");
      expect(await env(true)).toEqual([
        "https://proxy.repo.example",
        "corp.example/*,github.com/acme/*",
        "corp.example/*,github.com/acme/*",
        "-buildvcs=false -modcacherw -mod=mod",
      ]);
      // Builds and tests stay offline whatever the repository says.
      expect((await env(false))[0]).toBe("off");
    } finally {
      await cleanup();
    }
  });
});
