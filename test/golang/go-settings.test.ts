import { describe, expect, it } from "@jest/globals";
import { ConfigError, loadConfig } from "../../src/config/env.js";

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
