// MODEL_PROVIDER and each provider's settings, read once at startup: what is missing is
// named, and each cloud's model ids resolve and price as the Anthropic model they are.
import { describe, expect, it } from "@jest/globals";
import { modelAliasesFor, resolveModel } from "../../src/agent/model/models.js";
import { canonicalModelId, costUsd, priceFor } from "../../src/agent/model/pricing.js";
import { ConfigError, loadConfig } from "../../src/config/env.js";
import { describeModelProvider, readModelProvider } from "../../src/config/model-provider.js";

function failure(env: Record<string, string>): { variable?: string; message: string } {
  try {
    readModelProvider(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as { variable?: string; message: string };
  }
  throw new Error("expected a configuration error");
}

describe("MODEL_PROVIDER", () => {
  it("defaults to the Anthropic API, as before", () => {
    expect(loadConfig({ ANTHROPIC_API_KEY: "sk-ant-x" }).modelProvider).toEqual({
      kind: "anthropic",
      apiKey: "sk-ant-x",
    });
    expect(describeModelProvider(readModelProvider({}))).toBe("anthropic");
  });

  it("reads Bedrock's region, key pair, session token and base URL", () => {
    const config = readModelProvider({
      MODEL_PROVIDER: "bedrock",
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: "AKIA1",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "session",
      ANTHROPIC_BEDROCK_BASE_URL: "http://127.0.0.1:9",
    });
    expect(config).toEqual({
      kind: "bedrock",
      region: "eu-central-1",
      accessKeyId: "AKIA1",
      secretAccessKey: "secret",
      sessionToken: "session",
      baseURL: "http://127.0.0.1:9",
    });
    expect(describeModelProvider(config)).toBe("bedrock (eu-central-1)");
    // Without keys the chain (a profile, a role) supplies them when the client is built.
    expect(readModelProvider({ MODEL_PROVIDER: "bedrock", AWS_DEFAULT_REGION: "us-west-2" })).toEqual({
      kind: "bedrock",
      region: "us-west-2",
    });
  });

  it("reads Vertex AI's region, project, credentials file and base URL", () => {
    const config = readModelProvider({
      MODEL_PROVIDER: "Vertex",
      CLOUD_ML_REGION: "europe-west1",
      ANTHROPIC_VERTEX_PROJECT_ID: "acme",
      GOOGLE_APPLICATION_CREDENTIALS: "/etc/adc.json",
    });
    expect(config).toEqual({
      kind: "vertex",
      region: "europe-west1",
      projectId: "acme",
      credentialsFile: "/etc/adc.json",
    });
    expect(describeModelProvider(config)).toBe("vertex (europe-west1, project acme)");
  });

  it.each([
    [{ MODEL_PROVIDER: "bedrock" }, "AWS_REGION"],
    [
      { MODEL_PROVIDER: "bedrock", AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIA1" },
      "AWS_SECRET_ACCESS_KEY",
    ],
    [{ MODEL_PROVIDER: "bedrock", AWS_REGION: "us-east-1", AWS_SECRET_ACCESS_KEY: "s" }, "AWS_ACCESS_KEY_ID"],
    [{ MODEL_PROVIDER: "vertex", ANTHROPIC_VERTEX_PROJECT_ID: "acme" }, "CLOUD_ML_REGION"],
    [{ MODEL_PROVIDER: "vertex", CLOUD_ML_REGION: "us-east5" }, "ANTHROPIC_VERTEX_PROJECT_ID"],
    [{ MODEL_PROVIDER: "azure" }, "MODEL_PROVIDER"],
  ])("%j fails naming %s", (env, variable) => {
    const err = failure(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
  });

  it("is part of the app's configuration, so a bad one stops loadConfig", () => {
    expect(() => loadConfig({ MODEL_PROVIDER: "vertex", CLOUD_ML_REGION: "us-east5" })).toThrow(
      "MODEL_PROVIDER=vertex needs ANTHROPIC_VERTEX_PROJECT_ID",
    );
  });
});

describe("model ids per provider", () => {
  it("maps opus, sonnet and haiku to each cloud's ids, and the Anthropic ids too", () => {
    const bedrock = modelAliasesFor("bedrock");
    expect(resolveModel("opus", bedrock)).toMatch(/^global\.anthropic\.claude-opus-4-5-\d{8}-v1:0$/);
    expect(resolveModel("claude-haiku-4-5", bedrock)).toMatch(
      /^global\.anthropic\.claude-haiku-4-5-\d{8}-v1:0$/,
    );
    const vertex = modelAliasesFor("vertex");
    expect(resolveModel("sonnet", vertex)).toMatch(/^claude-sonnet-4-5@\d{8}$/);
    expect(resolveModel("opus", modelAliasesFor("anthropic"))).toBe("claude-opus-4-5");
  });

  it("lets MODEL_ALIASES win, as today", () => {
    const aliases = modelAliasesFor("bedrock", { opus: "eu.anthropic.claude-opus-4-5-20251101-v1:0" });
    expect(resolveModel("opus", aliases)).toBe("eu.anthropic.claude-opus-4-5-20251101-v1:0");
    expect(resolveModel("custom-model", aliases)).toBe("custom-model");
  });

  it("prices every provider's id from the one table", () => {
    const usage = {
      input_tokens: 1000,
      output_tokens: 500,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
    for (const id of [
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      "claude-sonnet-4-5@20250929",
    ]) {
      expect(canonicalModelId(id)).toBe("claude-sonnet-4-5-20250929");
      expect(priceFor(id).known).toBe(true);
      expect(costUsd(id, usage)).toBeCloseTo(costUsd("claude-sonnet-4-5", usage), 12);
    }
    expect(canonicalModelId("us-gov.anthropic.claude-3-7-sonnet-20250219-v1:0")).toBe(
      "claude-3-7-sonnet-20250219",
    );
  });
});
