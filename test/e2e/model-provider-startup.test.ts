// `npm start` with a cloud model provider: the start says which provider and region serve
// the model, and a setting or credential that is missing stops the start, naming it, before
// any webhook is taken (never at the first job).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { TEST_GO_TOOLS_DIR } from "../golang/go-tools-support.js";
import { REPO_ROOT } from "../support/model-checkout.js";
import { vertexCredentials, vertexWire } from "../support/provider-wires.mjs";
import { type ScriptedModelServer, startScriptedModel } from "../support/scripted-model.js";
import { appKeyPair, freePort, waitFor } from "./harness.js";

const AWS_SECRET = "startup/aws-secret-access-key/c2VjcmV0c2VjcmV0";
const children: ChildProcess[] = [];
const dirs: string[] = [];
const servers: ScriptedModelServer[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0))
    await rm(d, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
});

async function start(env: Record<string, string>) {
  const cwd = await mkdtemp(join(tmpdir(), "bga-provider-start-"));
  dirs.push(cwd);
  const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "main.js")], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: cwd,
      DATA_DIR: join(cwd, "data"),
      GO_TOOLS_DIR: TEST_GO_TOOLS_DIR,
      APP_ID: "1",
      PRIVATE_KEY: appKeyPair().privateKey,
      WEBHOOK_SECRET: "startup-webhook-secret",
      GHE_HOST: "127.0.0.1:9",
      GHE_PROTOCOL: "http",
      PORT: String(await freePort()),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: join(cwd, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(cwd, "no-aws-credentials"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    output += d.toString();
  });
  return { child, cwd, output: () => output };
}

describe("starting the app on a cloud model provider", () => {
  it("says which provider and region serve the model, and never prints the key", async () => {
    const { output } = await start({
      MODEL_PROVIDER: "bedrock",
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIASTARTUP000000004",
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      LOG_LEVEL: "debug",
    });
    await waitFor("the app to run", () => output().includes("backend-go-agent is running"), 60_000);
    expect(output()).toContain("model provider: bedrock (eu-west-1)");
    expect(output()).not.toContain(AWS_SECRET);
  });

  it.each([
    [{ MODEL_PROVIDER: "bedrock" }, "configuration error: MODEL_PROVIDER=bedrock needs AWS_REGION"],
    [
      { MODEL_PROVIDER: "bedrock", AWS_REGION: "us-east-1" },
      "configuration error: MODEL_PROVIDER=bedrock found no AWS credentials: set AWS_ACCESS_KEY_ID",
    ],
    [{ MODEL_PROVIDER: "vertex", CLOUD_ML_REGION: "us-east5" }, "needs ANTHROPIC_VERTEX_PROJECT_ID"],
  ])("refuses to start with %j", async (env, message) => {
    const { child, output } = await start(env);
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(output()).toContain(message);
    expect(output()).not.toContain("backend-go-agent is running");
  });

  it("refuses to start when Vertex AI's credentials give no token", async () => {
    const server = await startScriptedModel({ script: [], wire: vertexWire() });
    servers.push(server);
    const cwd = await mkdtemp(join(tmpdir(), "bga-adc-"));
    dirs.push(cwd);
    const adc = join(cwd, "adc.json");
    // The token endpoint refuses this grant, as Google refuses a revoked refresh token.
    await writeFile(adc, JSON.stringify({ ...vertexCredentials(server.url), refresh_token: "" }));
    const { child, output } = await start({
      MODEL_PROVIDER: "vertex",
      CLOUD_ML_REGION: "us-east5",
      ANTHROPIC_VERTEX_PROJECT_ID: "acme",
      GOOGLE_APPLICATION_CREDENTIALS: adc,
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(output()).toContain(
      `configuration error: MODEL_PROVIDER=vertex GOOGLE_APPLICATION_CREDENTIALS ("${adc}") gave no access token`,
    );
  });
});
