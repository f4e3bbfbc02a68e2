// runJob with NATS declared, end to end on real things: the scripted model through the real
// SDK, the broker fixture (nats.go behind `//go:build integration`) in a git checkout whose
// configuration declares `services: [nats]`, a real nats-server, real Go in the sandbox. The
// agent's own go test and the verdict's reach the job's server; nothing outlives the job.
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { createAnthropicModelClient } from "../../src/agent/model/anthropic-client.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { runJob } from "../../src/pipeline/run-job.js";
import { createLocalServices, type LocalServices } from "../../src/services/local-services.js";
import { SERVICES_ROW } from "../../src/services/services-verdict.js";
import { createLocalWorkspace } from "../../src/workspace/local-workspace.js";
import { FIXTURES, testToolchain } from "../golang/support.js";
import { recordingHost } from "../support/local-host.js";
import { cliTask, git } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  type ScriptedModelServer,
  say,
  startScriptedModel,
  tool,
  toolResults,
} from "../support/scripted-model.js";
import { natsDescribe } from "./support.js";

const REPORT = GO_ENGINEER_SECTIONS.map(
  (s) => `## ${s}\n${s === "Summary" ? "Transfers are announced on NATS." : "Done."}`,
).join("\n\n");

natsDescribe("runJob with NATS declared", () => {
  let toolchain: GoToolchain;
  let dataDir: string;
  let services: LocalServices;
  let base: string;
  let server: ScriptedModelServer | undefined;

  beforeAll(async () => {
    toolchain = await testToolchain();
    dataDir = await mkdtemp(join(tmpdir(), "bga-nats-job-"));
    base = await mkdtemp(join(tmpdir(), "bga-nats-job-checkout-"));
    services = createLocalServices({ dataDir });
  });
  afterAll(async () => {
    await server?.close();
    await rm(base, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it("gives the agent's go test and the verdict the job's NATS, and leaves nothing behind", async () => {
    const dir = join(base, "broker");
    cpSync(join(FIXTURES, "services-broker"), dir, { recursive: true });
    mkdirSync(join(dir, ".github"));
    writeFileSync(
      join(dir, ".github", "backend-go-agent.yml"),
      "verify:\n  services: [nats]\n  tags: [integration]\n",
    );
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "broker fixture");
    const eventsGo = readFileSync(join(dir, "events", "events.go"), "utf8").replace(
      "// Publish announces a transfer",
      "// Publish announces a transfer (once)",
    );
    server = await startScriptedModel({
      script: [
        tool("go", { args: ["test", "-count=1", "-v", "-run", "TestPublishedTransferArrives", "./events"] }),
        tool("write_file", { path: "events/events.go", content: eventsGo }),
        say(REPORT),
      ],
    });
    const rec = recordingHost(dir);
    const result = await runJob(cliTask("Announce each transfer once."), {
      host: rec.host,
      workspace: () => createLocalWorkspace({ repoDir: dir, branch: "backend-go/test" }),
      toolchain: () => toolchain,
      services,
      modelClient: createAnthropicModelClient({ apiKey: "sk-ant-test", baseURL: server.url, maxRetries: 0 }),
      resolveModel: (m) => (m === "opus" ? "claude-opus-4-5" : m),
      author: { name: "backend-go-agent", email: "bot@example.com" },
    });
    const requests = server.requests;
    expect(JSON.stringify(requests[0])).toMatch(
      /## Services for this job.*NATS [\d.]+ run for this job alone.*`NATS_URL`/,
    );
    const [ownTest] = toolResults(requests[1]!);
    expect(ownTest?.is_error).toBeFalsy();
    expect(String(ownTest?.content)).toMatch(/--- PASS: TestPublishedTransferArrives/);
    const verdict = result.verdict!;
    expect(verdict.overall).toBe("pass");
    expect(verdict.checks.find((c) => c.name === SERVICES_ROW)?.summary).toMatch(
      /^NATS [\d.]+ for this job \([\d.]+ s\); integration tests: 1 passed$/,
    );
    expect(result.commit?.sha).toBeTruthy();
    expect(readdirSync(join(dataDir, "services", "jobs"))).toEqual([]);
  }, 600_000);
});
