import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { ConfigError, loadConfig } from "../../src/config/env.js";

describe("configuration from the environment", () => {
  it("refuses an App ID without a webhook secret", () => {
    expect(() => loadConfig({ APP_ID: "1", WEBHOOK_SECRET: "  " })).toThrow(ConfigError);
    expect(() => loadConfig({ APP_ID: "1" })).toThrow(/WEBHOOK_SECRET/);
  });

  it("reads every documented variable", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cfg-"));
    const keyPath = join(dir, "key.pem");
    await writeFile(keyPath, "-----KEY-----");
    const config = loadConfig({
      APP_ID: "42",
      PRIVATE_KEY_PATH: keyPath,
      WEBHOOK_SECRET: "s3cret",
      ANTHROPIC_API_KEY: "k",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
      GHE_HOST: "127.0.0.1:8080",
      GHE_PROTOCOL: "http",
      DATA_DIR: dir,
      REDIS_URL: "redis://127.0.0.1:6379",
      PORT: "0",
      HOST: "0.0.0.0",
      LOG_LEVEL: "warn",
      MODEL_ALIASES: "opus=claude-opus-x",
    });
    expect(config).toMatchObject({
      appId: "42",
      privateKey: "-----KEY-----",
      webhookSecret: "s3cret",
      anthropicApiKey: "k",
      anthropicBaseUrl: "http://127.0.0.1:9",
      gheHost: "127.0.0.1:8080",
      gheProtocol: "http",
      dataDir: dir,
      redisUrl: "redis://127.0.0.1:6379",
      port: 0,
      host: "0.0.0.0",
      logLevel: "warn",
      modelAliases: { opus: "claude-opus-x" },
    });
  });

  it("explains bad values", () => {
    expect(() => loadConfig({ PORT: "http" })).toThrow(/PORT must be/);
    expect(() => loadConfig({ GHE_PROTOCOL: "ftp" })).toThrow(/GHE_PROTOCOL/);
    expect(() => loadConfig({ PRIVATE_KEY_PATH: "/nonexistent/key.pem" })).toThrow(/cannot be read/);
    expect(() => loadConfig({ MODEL_ALIASES: "opus" })).toThrow(/MODEL_ALIASES/);
  });

  it("defaults to an embedded setup: no Redis, data under .data, port 3000 on localhost", () => {
    const config = loadConfig({});
    expect(config.redisUrl).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.host).toBe("localhost");
    expect(config.dataDir.endsWith(".data")).toBe(true);
  });

  it("reads the session pages' OAuth client, public URL and session key, and explains bad ones", () => {
    const web = loadConfig({
      GITHUB_CLIENT_ID: "Iv1.abc",
      GITHUB_CLIENT_SECRET: "shh",
      PUBLIC_URL: "https://bot.example.com/",
      SESSION_SECRET: "k".repeat(32),
    }).web;
    expect(web).toEqual({
      clientId: "Iv1.abc",
      clientSecret: "shh",
      publicUrl: "https://bot.example.com",
      sessionSecret: "k".repeat(32),
    });
    expect(loadConfig({}).web).toEqual({});
    expect(() => loadConfig({ GITHUB_CLIENT_ID: "Iv1.abc" })).toThrow(/GITHUB_CLIENT_SECRET go together/);
    expect(() => loadConfig({ PUBLIC_URL: "bot.example.com" })).toThrow(
      /PUBLIC_URL must be an http\(s\) URL/,
    );
    expect(() => loadConfig({ PUBLIC_URL: "https://u:p@bot.example.com" })).toThrow(/without credentials/);
    expect(() => loadConfig({ SESSION_SECRET: "short" })).toThrow(/at least 32 characters/);
  });
});
