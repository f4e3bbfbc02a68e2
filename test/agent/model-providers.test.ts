// The three model providers through Anthropic's real SDKs against stand-ins that speak each
// service's wire (test/support/provider-wires.mjs): Bedrock's SigV4-signed invoke with its
// binary event stream, Vertex AI's rawPredict with a token google-auth-library minted from
// a credentials file. The agent's loop runs unchanged on each: streaming, tool calls,
// prompt-cache usage and the cost from the one price table.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { type AgentDefinition, loadAgentDefinition } from "../../src/agent/definition.js";
import { createModelClient } from "../../src/agent/model/create-model-client.js";
import type { ModelRequest } from "../../src/agent/model/model-client.js";
import { modelAliasesFor, resolveModel } from "../../src/agent/model/models.js";
import { costUsd } from "../../src/agent/model/pricing.js";
import { runAgent } from "../../src/agent/run-agent.js";
import {
  type BedrockProviderConfig,
  ModelProviderConfigError,
  type VertexProviderConfig,
} from "../../src/config/model-provider.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { redactSecrets } from "../../src/secrets.js";
import { testToolchain } from "../golang/support.js";
import { cliTask, GO_ENGINEER, type LedgerCheckout, ledgerCheckout } from "../support/model-checkout.js";
import { bedrockWire, vertexCredentials, vertexWire } from "../support/provider-wires.mjs";
import {
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  startScriptedModel,
  tool,
  toolResults,
} from "../support/scripted-model.js";

const AWS_KEY_ID = "AKIASTANDIN000000001";
const AWS_SECRET = "stand-in/aws-secret-access-key/8Hq2V0c7pLwXkq";
const AWS_SESSION = "stand-in-session-token-Zm9vYmFyYmF6cXV4cXV1eA";
const CACHED = { input_tokens: 40, cache_creation_input_tokens: 1200, cache_read_input_tokens: 3000 };

const servers: ScriptedModelServer[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "model-providers-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(script: ScriptStep[], wire: Parameters<typeof startScriptedModel>[0]["wire"]) {
  const server = await startScriptedModel({ script, wire });
  servers.push(server);
  return server;
}

function request(model: string): ModelRequest {
  return {
    model,
    max_tokens: 1024,
    system: [{ type: "text", text: "You are a Go engineer.", cache_control: { type: "ephemeral" } }],
    tools: [{ name: "read_file", description: "Reads a file.", input_schema: { type: "object" } }],
    messages: [{ role: "user", content: [{ type: "text", text: "Read go.mod." }] }],
  };
}

function bedrockConfig(url: string, extra: Partial<BedrockProviderConfig> = {}): BedrockProviderConfig {
  return {
    kind: "bedrock",
    region: "eu-west-1",
    baseURL: url,
    accessKeyId: AWS_KEY_ID,
    secretAccessKey: AWS_SECRET,
    sessionToken: AWS_SESSION,
    ...extra,
  };
}

async function vertexConfig(url: string, file = "adc.json"): Promise<VertexProviderConfig> {
  const credentialsFile = join(dir, file);
  await writeFile(credentialsFile, JSON.stringify(vertexCredentials(url)));
  return {
    kind: "vertex",
    region: "us-east5",
    projectId: "acme-ledger",
    baseURL: `${url}/v1`,
    credentialsFile,
  };
}

describe("Amazon Bedrock", () => {
  const model = modelAliasesFor("bedrock").sonnet!;

  it("streams a tool call through SigV4-signed invoke-with-response-stream, with cache usage and cost", async () => {
    const wire = bedrockWire();
    const server = await start(
      [{ ...tool("read_file", { path: "go.mod" }), usage: { ...CACHED, output_tokens: 30 } }],
      wire,
    );
    const client = await createModelClient(bedrockConfig(server.url), { maxRetries: 0 });
    const response = await client.create(request(model));

    expect(response.stop_reason).toBe("tool_use");
    expect(response.content).toEqual([
      { type: "tool_use", id: expect.any(String), name: "read_file", input: { path: "go.mod" } },
    ]);
    expect(response.usage).toEqual({ ...CACHED, output_tokens: 30 });
    // Bedrock's ids price as the Anthropic model they are.
    expect(costUsd(model, response.usage)).toBeCloseTo(costUsd("claude-sonnet-4-5", response.usage), 10);
    expect(costUsd(model, response.usage)).toBeCloseTo(
      (40 * 3 + 30 * 15 + 1200 * 3.75 + 3000 * 0.3) / 1e6,
      10,
    );

    const [call] = server.calls;
    expect(decodeURIComponent(call!.url!)).toBe(`/model/${model}/invoke-with-response-stream`);
    expect(wire.signers).toEqual([
      { accessKeyId: AWS_KEY_ID, region: "eu-west-1", sessionToken: AWS_SESSION },
    ]);
    const [body] = server.requests;
    expect(body).not.toHaveProperty("model");
    expect(body).not.toHaveProperty("stream");
    expect(body!.anthropic_version).toEqual(expect.any(String));
    expect(body!.system[0].cache_control).toEqual({ type: "ephemeral" });
    // The secret signs; it never travels.
    expect(JSON.stringify(server.calls) + JSON.stringify(server.requests)).not.toContain(AWS_SECRET);
    expect(redactSecrets(`signed with ${AWS_SECRET} and ${AWS_SESSION}`)).toBe(
      "signed with [redacted] and [redacted]",
    );
  });

  it("replays a stream that broke half-way through", async () => {
    const server = await start(
      [{ ...say("first try"), disconnect: "mid-stream" }, say("second try")],
      bedrockWire(),
    );
    const client = await createModelClient(bedrockConfig(server.url), { maxRetries: 0 });
    const response = await client.create(request(model));
    expect(response.content).toEqual([{ type: "text", text: "second try" }]);
    expect(server.requests).toHaveLength(2);
  });

  it("says which Bedrock call failed, with the service's status", async () => {
    const server = await start(
      [{ error: { status: 400, message: "model not enabled in this account" } }],
      bedrockWire(),
    );
    const client = await createModelClient(bedrockConfig(server.url), { maxRetries: 0 });
    await expect(client.create(request(model))).rejects.toThrow(
      /^Bedrock error 400: .*model not enabled in this account/,
    );
  });

  describe("credentials from the AWS chain", () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });
    function isolate(vars: Record<string, string>): void {
      for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
      Object.assign(process.env, {
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: join(dir, "no-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
        ...vars,
      });
    }

    it("signs with a profile's keys from the shared credentials file", async () => {
      const file = join(dir, "aws-credentials");
      await writeFile(
        file,
        "[ledger]\naws_access_key_id = AKIAPROFILE000000002\naws_secret_access_key = profile-secret-0a9b8c7d6e5f\n",
      );
      isolate({ AWS_PROFILE: "ledger", AWS_SHARED_CREDENTIALS_FILE: file });
      const wire = bedrockWire();
      const server = await start([say("hello from the profile")], wire);
      const client = await createModelClient(
        { kind: "bedrock", region: "us-east-1", baseURL: server.url, profile: "ledger" },
        { maxRetries: 0 },
      );
      expect((await client.create(request(model))).content).toEqual([
        { type: "text", text: "hello from the profile" },
      ]);
      expect(wire.signers.map((s) => s.accessKeyId)).toEqual(["AKIAPROFILE000000002"]);
      // Keys the chain found are secrets too.
      expect(redactSecrets("profile-secret-0a9b8c7d6e5f")).toBe("[redacted]");
    });

    it("refuses to build the client, naming the variables, when the chain finds nothing", async () => {
      isolate({});
      const failure = createModelClient({ kind: "bedrock", region: "us-east-1" });
      await expect(failure).rejects.toBeInstanceOf(ModelProviderConfigError);
      await expect(failure).rejects.toMatchObject({
        variable: "AWS_ACCESS_KEY_ID",
        message: expect.stringMatching(
          /found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
        ),
      });
    });
  });
});

describe("Google Vertex AI", () => {
  const model = modelAliasesFor("vertex").sonnet!;

  it("streams through streamRawPredict with a token minted from the credentials file, with cache usage and cost", async () => {
    const wire = vertexWire();
    const server = await start([{ ...say("ok"), usage: { ...CACHED, output_tokens: 5 } }], wire);
    const client = await createModelClient(await vertexConfig(server.url), { maxRetries: 0 });
    const response = await client.create(request(model));

    expect(response.content).toEqual([{ type: "text", text: "ok" }]);
    expect(response.usage).toEqual({ ...CACHED, output_tokens: 5 });
    expect(costUsd(model, response.usage)).toBeCloseTo(costUsd("claude-sonnet-4-5", response.usage), 10);
    expect(wire.routes).toEqual([
      { project: "acme-ledger", region: "us-east5", model: "claude-sonnet-4-5@20250929" },
    ]);
    expect(server.calls.map((c) => c.url?.split("/").at(-1))).toEqual([
      "token",
      "claude-sonnet-4-5@20250929:streamRawPredict",
    ]);
    const [token] = [...wire.minted];
    expect(server.calls[1]!.headers.authorization).toBe(`Bearer ${token}`);
    expect(server.requests[0]).not.toHaveProperty("model");
    expect(server.requests[0]!.anthropic_version).toEqual(expect.any(String));
    // The token and the file's refresh token never reach a log line.
    expect(redactSecrets(`token ${token} from 1//stand-in-refresh-token-7d2f`)).toBe(
      "token [redacted] from [redacted]",
    );
  });

  it("refuses to build the client, naming GOOGLE_APPLICATION_CREDENTIALS, when no token can be minted", async () => {
    const server = await start([], vertexWire());
    const config = await vertexConfig(server.url, "broken-adc.json");
    await writeFile(
      config.credentialsFile!,
      JSON.stringify({ ...vertexCredentials(server.url), refresh_token: "" }),
    );
    const failure = createModelClient(config);
    await expect(failure).rejects.toMatchObject({
      variable: "GOOGLE_APPLICATION_CREDENTIALS",
      message: expect.stringContaining("MODEL_PROVIDER=vertex GOOGLE_APPLICATION_CREDENTIALS"),
    });
  });
});

describe("the agent's loop on each cloud", () => {
  let definition: AgentDefinition;
  let toolchain: GoToolchain;
  let checkout: LedgerCheckout | undefined;
  beforeAll(async () => {
    definition = await loadAgentDefinition(GO_ENGINEER);
    toolchain = await testToolchain();
  });
  afterEach(async () => {
    await checkout?.cleanup();
    checkout = undefined;
  });

  it.each(["bedrock", "vertex"] as const)(
    "runs to a report on %s, reporting usage and cost",
    async (kind) => {
      checkout = await ledgerCheckout();
      const wire = kind === "bedrock" ? bedrockWire() : vertexWire();
      const server = await start(
        [
          { ...tool("read_file", { path: "go.mod" }), usage: { ...CACHED, output_tokens: 20 } },
          { ...say(report(GO_ENGINEER_SECTIONS)), usage: { ...CACHED, output_tokens: 20 } },
        ],
        wire,
      );
      const provider =
        kind === "bedrock" ? bedrockConfig(server.url) : await vertexConfig(server.url, `${kind}.json`);
      const model = resolveModel(definition.model, modelAliasesFor(kind));
      const outcome = await runAgent({
        definition,
        model,
        task: cliTask("Read the module file."),
        checkoutDir: checkout.dir,
        modelClient: await createModelClient(provider, { maxRetries: 0 }),
        toolchain,
      });
      expect(outcome.kind).toBe("completed");
      expect(outcome.usage).toEqual({
        input_tokens: 80,
        output_tokens: 40,
        cache_creation_input_tokens: 2400,
        cache_read_input_tokens: 6000,
      });
      expect(outcome.costUsd).toBeCloseTo(costUsd("claude-opus-4-5", outcome.usage), 10);
      expect(outcome.costUsd).toBeGreaterThan(0);
      expect(toolResults(server.requests[1]!)[0]?.content).toContain("module");
    },
  );
});
