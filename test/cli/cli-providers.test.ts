// A real job on each cloud provider: `node dist/cli.js run --provider bedrock|vertex` on a
// git copy of the ledger-service fixture, against the provider's stand-in through the real
// SDK (model-server.mjs with provider-wires.mjs). The provider's credentials reach neither
// the Go child processes, the model, nor the output; a missing setting stops the run before
// anything happens, naming the variable.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { TEST_DATA_DIR } from "../golang/support.js";
import { git, type LedgerCheckout, ledgerCheckout, REPO_ROOT } from "../support/model-checkout.js";
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

const CLI = join(REPO_ROOT, "dist", "cli.js");
const AWS_KEY_ID = "AKIACLISTANDIN000003";
const AWS_SECRET = "cli/aws-secret-access-key/Qm9vYmFyYmF6cXV4";
const AWS_SESSION = "cli-aws-session-token-dGhpcyBpcyBzZWNyZXQ";
const REFRESH_TOKEN = "1//cli-vertex-refresh-token-5e8a1f";
const CACHED = { input_tokens: 50, cache_creation_input_tokens: 1500, cache_read_input_tokens: 4000 };

let checkout: LedgerCheckout | undefined;
let server: ScriptedModelServer | undefined;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error("dist/cli.js is missing: run `npm run build` first (npm test does)");
  dir = await mkdtemp(join(tmpdir(), "cli-providers-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await checkout?.cleanup();
  checkout = undefined;
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnCli(repo: string, env: Record<string, string>, args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, "run", "--repo", repo, ...args], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      DATA_DIR: TEST_DATA_DIR,
      // Nothing of this machine's own AWS or Google setup.
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: join(dir, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const PROBE = `package ledger

import (
\t"os"
\t"strings"
\t"testing"
)

func TestEnvProbe(t *testing.T) { t.Log("ENV:" + strings.Join(os.Environ(), "|")) }
`;
const FULL_REPORT = report(GO_ENGINEER_SECTIONS, "Added a version constant.");

/** A job that looks at its own environment from inside a Go test, then adds a constant. */
function job(probe: { output: string }): ScriptStep[] {
  return [
    { ...tool("write_file", { path: "ledger/env_probe_test.go", content: PROBE }), usage: CACHED },
    tool("go", { args: ["test", "-v", "-count=1", "-run", "TestEnvProbe", "./ledger"] }),
    (req) => {
      probe.output = toolResults(req)[0]?.content ?? "";
      return tool("delete_file", { path: "ledger/env_probe_test.go" });
    },
    tool("write_file", {
      path: "ledger/version.go",
      content: 'package ledger\n\n// Version of the ledger package.\nconst Version = "1.0.0"\n',
    }),
    { ...say(FULL_REPORT), usage: CACHED },
  ];
}

function expectCommitted(result: CliRun): void {
  expect(result.stderr).not.toMatch(/failed/);
  expect(result.code).toBe(0);
  expect(result.stdout.trim()).toBe(FULL_REPORT.trim());
  expect(git(checkout!.dir, "show", "--name-only", "--format=%s", "HEAD").split("\n")).toEqual([
    "Added a version constant",
    "",
    "ledger/version.go",
  ]);
  // Usage and cost are reported as on the Anthropic API.
  const cost = /model replied · [\d,]+ tokens · \$(\d+\.\d{4})/.exec(result.stderr);
  expect(Number(cost?.[1])).toBeGreaterThan(0);
}

describe("backend-go-agent run on a cloud provider", () => {
  it("runs a job end to end on Bedrock, signing with the key pair, which goes nowhere else", async () => {
    checkout = await ledgerCheckout();
    const wire = bedrockWire();
    const probe = { output: "" };
    server = await startScriptedModel({ script: job(probe), wire });
    const result = await spawnCli(
      checkout.dir,
      {
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: AWS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: AWS_SECRET,
        AWS_SESSION_TOKEN: AWS_SESSION,
        ANTHROPIC_BEDROCK_BASE_URL: server.url,
      },
      ["--provider", "bedrock", "--task", "Add a Version constant to the ledger package."],
    );
    expectCommitted(result);
    expect(result.stderr).toContain("model provider: bedrock (eu-west-1)");
    expect(new Set(server.calls.map((c) => decodeURIComponent(c.url!)))).toEqual(
      new Set(["/model/global.anthropic.claude-opus-4-5-20251101-v1:0/invoke-with-response-stream"]),
    );
    expect(wire.signers).toHaveLength(5);
    expect(wire.signers.every((s) => s.accessKeyId === AWS_KEY_ID && s.region === "eu-west-1")).toBe(true);
    // The Go test saw its environment: the scrubbed one, without any AWS variable.
    expect(probe.output).toContain("ENV:");
    expect(probe.output).toContain("GOFLAGS=");
    expect(probe.output).not.toMatch(/AWS_/);
    for (const text of [probe.output, result.stdout, result.stderr, JSON.stringify(server.requests)]) {
      expect(text).not.toContain(AWS_SECRET);
      expect(text).not.toContain(AWS_SESSION);
    }
  });

  it("runs a job end to end on Vertex AI with application-default credentials from a file", async () => {
    checkout = await ledgerCheckout();
    const wire = vertexWire();
    const probe = { output: "" };
    server = await startScriptedModel({ script: job(probe), wire });
    const adc = join(dir, "adc.json");
    await writeFile(adc, JSON.stringify(vertexCredentials(server.url, REFRESH_TOKEN)));
    const result = await spawnCli(
      checkout.dir,
      {
        MODEL_PROVIDER: "vertex",
        CLOUD_ML_REGION: "us-east5",
        ANTHROPIC_VERTEX_PROJECT_ID: "acme-ledger",
        GOOGLE_APPLICATION_CREDENTIALS: adc,
        ANTHROPIC_VERTEX_BASE_URL: `${server.url}/v1`,
      },
      ["--task", "Add a Version constant to the ledger package.", "--model", "sonnet"],
    );
    expectCommitted(result);
    expect(result.stderr).toContain("model provider: vertex (us-east5, project acme-ledger)");
    expect(new Set(wire.routes.map((r) => JSON.stringify(r)))).toEqual(
      new Set([
        JSON.stringify({ project: "acme-ledger", region: "us-east5", model: "claude-sonnet-4-5@20250929" }),
      ]),
    );
    const tokens = [...wire.minted];
    expect(tokens.length).toBeGreaterThan(0);
    expect(probe.output).toContain("ENV:");
    expect(probe.output).not.toMatch(/GOOGLE_|CLOUD_ML|VERTEX/);
    for (const text of [probe.output, result.stdout, result.stderr, JSON.stringify(server.requests)]) {
      expect(text).not.toContain(REFRESH_TOKEN);
      for (const token of tokens) expect(text).not.toContain(token);
    }
  });

  it.each([
    [["--provider", "bedrock"], {}, "MODEL_PROVIDER=bedrock needs AWS_REGION"],
    [
      ["--provider", "bedrock"],
      { AWS_REGION: "us-east-1" },
      "found no AWS credentials: set AWS_ACCESS_KEY_ID",
    ],
    [["--provider", "vertex"], { CLOUD_ML_REGION: "us-east5" }, "needs ANTHROPIC_VERTEX_PROJECT_ID"],
    [
      [],
      {
        MODEL_PROVIDER: "vertex",
        CLOUD_ML_REGION: "us-east5",
        ANTHROPIC_VERTEX_PROJECT_ID: "acme",
        GOOGLE_APPLICATION_CREDENTIALS: "/nonexistent/adc.json",
      },
      'GOOGLE_APPLICATION_CREDENTIALS points at "/nonexistent/adc.json"',
    ],
  ])("%j with %j stops before the job, naming the setting", async (args, env, message) => {
    checkout = await ledgerCheckout();
    const result = await spawnCli(checkout.dir, env as Record<string, string>, [...args, "--task", "x"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain("[turn");
    expect(git(checkout.dir, "branch", "--format=%(refname:short)")).toBe("main");
  });
});
