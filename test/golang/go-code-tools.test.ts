// The agent's gopls tools end to end: runJob over a real multi-package module (six packages
// and a third-party dependency), the scripted model through the real SDK, gopls started in
// the sandbox on the first call and gone with the job. What the model sees is asserted on
// the requests it received.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import type { CodeIntelligence } from "../../src/agent/code-intelligence.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { createGoplsSession, type GoplsSession } from "../../src/golang/gopls-session.js";
import { goInstallationOf } from "../../src/golang/tool-sandbox.js";
import { goToolDeps } from "../../src/pipeline/go-tool-deps.js";
import type { JobDeps, WorkPlan } from "../../src/pipeline/ports.js";
import { runJob } from "../../src/pipeline/run-job.js";
import { localJob } from "../support/local-job.js";
import { cliTask } from "../support/model-checkout.js";
import {
  callTools,
  GO_ENGINEER_SECTIONS,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  startScriptedModel,
  tool,
  toolResults,
} from "../support/scripted-model.js";
import { paymentsCheckout, TEST_GO_TOOLS_DIR, testGoTools } from "./go-tools-support.js";
import { testToolchain } from "./support.js";

const tools = await testGoTools();
const withGopls = tools.gopls ? describe : describe.skip;

let toolchain: GoToolchain;
let server: ScriptedModelServer | undefined;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  toolchain = await testToolchain();
});

afterEach(async () => {
  await server?.close();
  await cleanup?.();
  server = undefined;
  cleanup = undefined;
});

const REPORT = GO_ENGINEER_SECTIONS.map((s) => `## ${s}\nDone.`).join("\n\n");

async function job(script: ScriptStep[], deps: (dir: string) => Partial<JobDeps>) {
  const checkout = await paymentsCheckout();
  cleanup = checkout.cleanup;
  // The module's dependency in the cache first: gopls runs offline (GOPROXY=off).
  const download = await toolchain.go(["mod", "download"], { cwd: checkout.dir, network: true });
  expect(download.exitCode).toBe(0);
  server = await startScriptedModel({ script });
  const { deps: jobDeps } = localJob({
    repoDir: checkout.dir,
    branch: "backend-go/gopls",
    modelUrl: server.url,
    toolchain,
  });
  const result = await runJob(cliTask("Use the ledger's API."), { ...jobDeps, ...deps(checkout.dir) });
  return { result, requests: server.requests, dir: checkout.dir };
}

withGopls("the go_* tools over gopls", () => {
  it("answer references across packages, a package's API, a file's context and a search, then the diagnostics of a file the agent broke", async () => {
    const original = readFileSync(
      join(import.meta.dirname, "..", "fixtures", "payments-service", "transfer", "transfer.go"),
      "utf8",
    );
    const broken = original.replace("l.Deposit(to, amount)", 'l.Deposit(to, "ten")');
    let session: GoplsSession | undefined;
    let pid: number | undefined;
    const go = goInstallationOf(toolchain)!;
    const { result, requests, dir } = await job(
      [
        callTools(
          { name: "go_symbol_references", input: { file: "money/money.go", symbol: "Add" } },
          { name: "go_package_api", input: { packages: ["example.com/payments/ledger"] } },
          { name: "go_file_context", input: { file: "api/handler.go" } },
          { name: "go_search", input: { query: "withdraw" } },
        ),
        tool("write_file", { path: "transfer/transfer.go", content: broken }),
        tool("go_diagnostics", { files: ["transfer/transfer.go"] }),
        tool("write_file", { path: "transfer/transfer.go", content: `${original}\n// Fee applies once.\n` }),
        tool("go_diagnostics", { files: ["transfer/transfer.go"] }),
        say(REPORT),
      ],
      () => ({
        codeIntelligence: (_plan, checkoutDir): CodeIntelligence => {
          session = createGoplsSession({
            go,
            gopls: async () => ({ ok: true, tool: tools.gopls! }),
            root: checkoutDir,
          });
          const s = session;
          return {
            call: async (name, args, signal) => {
              const answer = await s.call(name, args, signal);
              pid ??= s.pid;
              return answer;
            },
            close: () => s.close(),
          };
        },
      }),
    );
    expect(result.outcome.kind).toBe("completed");

    const [refs, api, context, search] = toolResults(requests[1]!);
    // Add is declared in money and called from ledger and transfer: other packages' files.
    expect(refs!.is_error).toBe(false);
    expect(refs!.content).toContain("file: ledger/ledger.go");
    expect(refs!.content).toContain("file: transfer/transfer.go");
    expect(api!.content).toContain("func (l *Ledger) Deposit(id uuid.UUID, amount money.Amount) error");
    expect(api!.content).toContain("ErrInsufficientFunds");
    // gopls lists sections in no fixed order and net/http's doc comments are long: the module's own
    // come first, so a clipped answer still shows them.
    expect(context!.content).toContain('File `api/handler.go` is in package "example.com/payments/api"');
    expect(context!.content.match(/Referenced declarations from (\S+)/)?.[1]).toMatch(
      /^(ledger\/ledger|money\/money|transfer\/transfer)\.go$/,
    );
    expect(search!.content).toMatch(/Withdraw/);
    // Paths are the repository's, never the machine's.
    for (const r of [refs, api, context, search]) {
      expect(r!.content).not.toContain(dir);
      expect(r!.content).not.toContain(`${toolchain.goroot}/`);
    }
    expect(`${context!.content}\n${search!.content}`).toContain("$GOROOT/src/");

    const [diagnostics] = toolResults(requests[3]!);
    expect(diagnostics!.content).toContain("transfer/transfer.go");
    expect(diagnostics!.content).toMatch(/23:\d+-23:\d+: \[Error\]/);
    expect(diagnostics!.content).toMatch(/cannot use "ten"/);
    const [repaired] = toolResults(requests[5]!);
    expect(repaired!.content).toBe("No diagnostics.");

    // One gopls for the job, and it is gone with it.
    expect(pid).toBeDefined();
    expect(session!.pid).toBeUndefined();
    expect(() => process.kill(pid!, 0)).toThrow();
    expect(result.verdict?.overall).toBe("pass");
  });
});

withGopls("the job's gopls as the app wires it", () => {
  it("finds the installed gopls through GO_TOOLS_DIR and answers from the checkout", async () => {
    const checkout = await paymentsCheckout();
    cleanup = checkout.cleanup;
    const deps = goToolDeps(toolchain, checkout.dir, {
      GO_TOOLS_DIR: TEST_GO_TOOLS_DIR,
      GO_TOOLS_INSTALL: "off",
    });
    const ci = deps.codeIntelligence!({} as WorkPlan, checkout.dir);
    try {
      const answer = await ci.call("go_search", { query: "Deposit" });
      expect(answer).toEqual({ isError: false, text: expect.stringContaining("Ledger.Deposit") });
    } finally {
      await ci.close();
    }
  });
});

describe("the go_* tools without gopls", () => {
  it("say so to the model, and the job still completes", async () => {
    const go = goInstallationOf(toolchain)!;
    const { result, requests } = await job(
      [
        tool("go_symbol_references", { file: "money/money.go", symbol: "Add" }),
        tool("go_package_api", { packages: ["example.com/payments/ledger"] }),
        say(REPORT),
      ],
      () => ({
        codeIntelligence: (_plan, root) =>
          createGoplsSession({
            go,
            gopls: async () => ({
              ok: false,
              reason: "gopls v0.23.0 is not installed and GO_TOOLS_INSTALL=off",
            }),
            root,
          }),
      }),
    );
    const [first] = toolResults(requests[1]!);
    expect(first!.is_error).toBe(true);
    expect(first!.content).toContain("gopls is not available in this job");
    expect(first!.content).toContain("GO_TOOLS_INSTALL=off");
    expect(first!.content).toContain("search_code");
    const [second] = toolResults(requests[2]!);
    expect(second!.content).toContain("gopls is not available in this job");
    expect(result.outcome.kind).toBe("completed");
  });
});
