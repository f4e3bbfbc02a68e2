// One way to run the agent in a test: the shipped agent definition, a fresh ledger-service
// checkout, the scripted model through the real SDK, and the test toolchain. Call
// `cleanup()` after each case (afterEach), which stops the model and removes the checkout.
import { beforeAll } from "@jest/globals";
import type { Budgets } from "../../src/agent/budget.js";
import { type AgentDefinition, loadAgentDefinition } from "../../src/agent/definition.js";
import { createAnthropicModelClient } from "../../src/agent/model/anthropic-client.js";
import type { AgentOutcome } from "../../src/agent/outcome.js";
import { runAgent } from "../../src/agent/run-agent.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { testToolchain } from "../golang/support.js";
import { cliTask, GO_ENGINEER, type LedgerCheckout, ledgerCheckout } from "./model-checkout.js";
import { type ScriptedModelServer, type ScriptStep, startScriptedModel } from "./scripted-model.js";

export interface AgentRunOptions {
  budgets?: Partial<Budgets>;
  maxRetries?: number;
  instruction?: string;
  signal?: AbortSignal;
  /** Runs on the fresh checkout before the agent starts (plant files, symlinks…). */
  prepare?: (dir: string) => void;
  /** A review's line comment ids the report must answer. */
  reviewCommentIds?: number[];
}

export interface AgentHarness {
  run(script: ScriptStep[], options?: AgentRunOptions): Promise<AgentOutcome>;
  /** The last run's checkout. */
  readonly checkout: LedgerCheckout;
  readonly server: ScriptedModelServer | undefined;
  readonly toolchain: GoToolchain;
  cleanup(): Promise<void>;
}

/** Registers a beforeAll that loads the definition and the toolchain; call at a suite's top. */
export function agentHarness(): AgentHarness {
  let definition: AgentDefinition;
  let toolchain: GoToolchain;
  let checkout: LedgerCheckout | undefined;
  let server: ScriptedModelServer | undefined;
  beforeAll(async () => {
    definition = await loadAgentDefinition(GO_ENGINEER);
    toolchain = await testToolchain();
  });
  return {
    get checkout() {
      if (!checkout) throw new Error("no run yet");
      return checkout;
    },
    get server() {
      return server;
    },
    get toolchain() {
      return toolchain;
    },
    async run(script, options = {}) {
      checkout = await ledgerCheckout();
      options.prepare?.(checkout.dir);
      server = await startScriptedModel({ script });
      return runAgent({
        definition,
        model: "claude-opus-4-5",
        task: cliTask(options.instruction ?? "Add a balance endpoint."),
        checkoutDir: checkout.dir,
        modelClient: createAnthropicModelClient({
          apiKey: "sk-ant-test-not-a-secret",
          baseURL: server.url,
          maxRetries: options.maxRetries ?? 2,
        }),
        toolchain,
        budgets: options.budgets,
        signal: options.signal,
        ...(options.reviewCommentIds ? { reviewCommentIds: options.reviewCommentIds } : {}),
      });
    },
    async cleanup() {
      await server?.close();
      server = undefined;
      await checkout?.cleanup();
      checkout = undefined;
    },
  };
}
