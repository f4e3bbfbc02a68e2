// Installing the pinned Go tools: the version stamp decides what counts as installed, an
// install that may not run says how to install, and the lock lets one installer at a time
// into the tools directory (a dead holder's lock is taken over).
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import {
  ensureGoTool,
  goToolsSettings,
  installedTool,
  installMissingGoTools,
} from "../../src/golang/install-go-tools.js";
import { withInstallLock } from "../../src/golang/install-lock.js";
import { GOLANGCI_LINT, GOPLS } from "../../src/golang/tool-versions.js";
import { startFailingProxy } from "../support/module-proxy.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bga-tools-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("the tools directory", () => {
  it("counts a tool as installed only at its pinned version", () => {
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "gopls"), "");
    writeFileSync(join(dir, "bin", "gopls.version"), "v0.20.0\n");
    expect(installedTool(GOPLS, dir)).toBeUndefined();
    writeFileSync(join(dir, "bin", "gopls.version"), `${GOPLS.version}\n`);
    expect(installedTool(GOPLS, dir)).toEqual({
      name: "gopls",
      version: GOPLS.version,
      path: join(dir, "bin", "gopls"),
    });
  });

  it("with GO_TOOLS_INSTALL=off, says what is missing and how to install it", async () => {
    const settings = goToolsSettings({ GO_TOOLS_DIR: dir, GO_TOOLS_INSTALL: "off" }, "/unused");
    const res = await ensureGoTool(GOPLS, settings);
    expect(res).toEqual({ ok: false, reason: expect.stringContaining("npm run install-go-tools") });
  });

  it("defaults to DATA_DIR/tools, installing on need", () => {
    expect(goToolsSettings({}, "/data")).toMatchObject({ dir: "/data/tools", install: "auto" });
  });
});

describe("installing at startup", () => {
  it("starts nothing when every tool is at its pin, or with GO_TOOLS_INSTALL=off", () => {
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "gopls"), "");
    writeFileSync(join(dir, "bin", "gopls.version"), `${GOPLS.version}\n`);
    const settings = goToolsSettings({ GO_TOOLS_DIR: dir }, "/unused");
    expect(installMissingGoTools(settings, [GOPLS])).toEqual([]);
    const off = goToolsSettings({ GO_TOOLS_DIR: dir, GO_TOOLS_INSTALL: "off" }, "/unused");
    expect(installMissingGoTools(off, [GOPLS, GOLANGCI_LINT])).toEqual([]);
  });

  it("starts the missing ones without waiting, and logs a failed build (tried again on need)", async () => {
    const proxy = await startFailingProxy({
      "github.com/golangci/golangci-lint/v2": { status: 403, body: "not available" },
    });
    try {
      const settings = goToolsSettings({ GO_TOOLS_DIR: dir, GOPROXY: proxy.url }, "/unused");
      const logged: string[] = [];
      let done: () => void = () => undefined;
      const said = new Promise<void>((r) => {
        done = r;
      });
      const started = installMissingGoTools(settings, [GOLANGCI_LINT], (m) => {
        logged.push(m);
        done();
      });
      expect(started).toEqual(["golangci-lint"]);
      expect(logged).toEqual([]);
      await said;
      expect(logged[0]).toMatch(/^could not install golangci-lint v2\.15\.0 in the background: go install/);
      expect(installedTool(GOLANGCI_LINT, dir)).toBeUndefined();
    } finally {
      await proxy.close();
    }
  }, 120_000);
});

describe("the install lock", () => {
  it("runs one holder at a time", async () => {
    const lock = join(dir, "install.lock");
    const order: string[] = [];
    const hold = (name: string) =>
      withInstallLock(lock, async () => {
        order.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 300));
        order.push(`${name} out`);
      });
    await Promise.all([hold("a"), hold("b")]);
    expect(order).toEqual(
      order[0] === "a in" ? ["a in", "a out", "b in", "b out"] : ["b in", "b out", "a in", "a out"],
    );
  });

  it("takes over the lock of a process that is gone", async () => {
    const lock = join(dir, "install.lock");
    writeFileSync(lock, "2147483646");
    await expect(withInstallLock(lock, async () => "ran", { waitMs: 2000 })).resolves.toBe("ran");
  });
});
