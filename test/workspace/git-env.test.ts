import { access } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { redactValues } from "../../src/secrets.js";
import { authHeaderConfig, hardenedGitConfig, simpleGitLogsEnabled } from "../../src/workspace/git-env.js";
import { GitWorkspace } from "../../src/workspace/git-workspace.js";

describe("git environment", () => {
  it("scopes the auth header to the clone URL's origin", () => {
    const header = authHeaderConfig(new URL("https://ghe.example.com/acme/ledger.git"), "ghs_abc");
    const b64 = Buffer.from("x-access-token:ghs_abc").toString("base64");
    expect(header).toBe(`http.https://ghe.example.com/.extraheader=AUTHORIZATION: basic ${b64}`);
  });

  it("scrubs the token, its basic-auth form and its bare base64 form", () => {
    const token = "ghs_secretvalue123";
    const text = `a ${token} b ${Buffer.from(`x-access-token:${token}`).toString("base64")} c ${Buffer.from(token).toString("base64")}`;
    expect(redactValues(text, [token])).toBe("a [redacted] b [redacted] c [redacted]");
  });

  it("allows only the clone URL's transport and turns hooks, fsmonitor and submodules off", () => {
    const config = hardenedGitConfig("https");
    expect(config).toContain("hooksPath = /dev/null");
    expect(config).toContain("fsmonitor = false");
    expect(config).toMatch(/\[protocol\]\n\tallow = never\n\[protocol "https"\]\n\tallow = always/);
    expect(config).not.toContain('[protocol "http"]');
    expect(config).toContain("[submodule]\n\trecurse = false");
  });

  it("knows when DEBUG would make simple-git print the auth header", () => {
    expect(simpleGitLogsEnabled(undefined)).toBe(false);
    expect(simpleGitLogsEnabled("probot:*")).toBe(false);
    expect(simpleGitLogsEnabled("*")).toBe(true);
    expect(simpleGitLogsEnabled("simple-git")).toBe(false);
    expect(simpleGitLogsEnabled("simple-git*")).toBe(true);
    expect(simpleGitLogsEnabled("probot,simple-git:*")).toBe(true);
    expect(simpleGitLogsEnabled("*,-simple-git*")).toBe(false);
  });

  it("refuses to fetch a token while DEBUG would log it", async () => {
    const saved = process.env.DEBUG;
    process.env.DEBUG = "*";
    let asked = false;
    try {
      const ws = new GitWorkspace({
        dataDir: join(tmpdir(), "never-created-by-this-test"),
        jobId: "job-debug",
        token: async () => {
          asked = true;
          return "ghs_x";
        },
      });
      await expect(
        ws.prepare({
          cloneUrl: "https://ghe.example.com/acme/ledger.git",
          baseBranch: "main",
          workBranch: "b",
        }),
      ).rejects.toMatchObject({ code: "unsafe-environment" });
    } finally {
      if (saved === undefined) delete process.env.DEBUG;
      else process.env.DEBUG = saved;
    }
    expect(asked).toBe(false);
    await expect(access(join(tmpdir(), "never-created-by-this-test"))).rejects.toThrow();
  });
});
