// The CLI's adapters for runJob, built in one place so `backend-go-agent run` and
// `backend-go-agent eval` walk exactly the same pipeline: the checkout as the workspace,
// the terminal (or an eval run's log) as the code host, the Go toolchain with the
// repository's `go:` settings, and the configured provider's model client.
import { homedir, userInfo } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Budgets } from "../agent/budget.js";
import { createModelClient, describeModelProvider } from "../agent/model/create-model-client.js";
import { modelAliasesFor, resolveModel } from "../agent/model/models.js";
import type { AppConfig } from "../config/env.js";
import { createGoToolchain, type GoToolchain } from "../golang/go-toolchain.js";
import { withModuleAccess } from "../golang/module-access.js";
import type { Toolchain } from "../golang/toolchain.js";
import { goToolDeps } from "../pipeline/go-tool-deps.js";
import type { JobDeps } from "../pipeline/ports.js";
import type { TaskRequest, ThreadComment } from "../pipeline/task.js";
import { sharedServices } from "../services/index.js";
import { createLocalWorkspace } from "../workspace/local-workspace.js";
import { LocalCodeHost } from "./local-code-host.js";

export const APP_AGENTS_DIR = fileURLToPath(new URL("../../agents", import.meta.url));
export const LOCAL_AUTHOR = { name: "backend-go-agent", email: "backend-go-agent@users.noreply.github.com" };

export interface LocalJobOptions {
  repoDir: string;
  /** Where the Go caches and tools live (localDataDir). */
  dataDir: string;
  toolchain: Toolchain;
  model: LocalModel;
  budgets?: Partial<Budgets>;
  signal?: AbortSignal;
  out: (text: string) => void;
  err: (line: string) => void;
}

export function localJobDeps(o: LocalJobOptions): JobDeps {
  return {
    host: new LocalCodeHost({ repoDir: o.repoDir, appAgentsDir: APP_AGENTS_DIR, out: o.out, err: o.err }),
    workspace: ({ checkout }) => createLocalWorkspace({ repoDir: o.repoDir, branch: checkout.workBranch }),
    toolchain: ({ config }) => withModuleAccess(o.toolchain, { ...config.go }),
    ...o.model,
    budgetOverrides: o.budgets ?? {},
    author: LOCAL_AUTHOR,
    ...(o.signal ? { signal: o.signal } : {}),
    ...goToolDeps(o.toolchain, o.dataDir),
    services: sharedServices(o.dataDir),
  };
}

/** A local job's task: the text is the instruction; a conversation is the thread. */
export function localTask(
  repoDir: string,
  text: string,
  extra: { agent?: string; comments?: ThreadComment[]; title?: string } = {},
): TaskRequest {
  return {
    deliveryId: `cli-${Date.now()}`,
    target: { owner: "local", repo: basename(repoDir), number: 0, kind: "issue" },
    trigger: {
      kind: "cli",
      actor: userInfo().username || "you",
      instruction: text,
      at: new Date().toISOString(),
    },
    context: { title: extra.title ?? "", body: "", comments: extra.comments ?? [] },
    ...(extra.agent ? { agent: extra.agent } : {}),
  };
}

/** The CLI's data directory (Go caches, tools): DATA_DIR when set, else ~/.cache/backend-go-agent. */
export function localDataDir(config: AppConfig, env: NodeJS.ProcessEnv): string {
  return env.DATA_DIR ? config.dataDir : join(homedir(), ".cache", "backend-go-agent");
}

export function localToolchain(
  config: AppConfig,
  dataDir: string,
  log: (m: string) => void,
): Promise<GoToolchain> {
  // GOPROXY, GOPRIVATE, GONOSUMDB, GOFLAGS and GO_SANDBOX apply here as they do in the app.
  return createGoToolchain({ dataDir, ...config.go, log: (m) => log(m) });
}

/** The model side of a local job: the client, its alias table, and --model when given. */
export type LocalModel = Pick<JobDeps, "modelClient" | "resolveModel" | "modelOverride">;

/**
 * The configured provider's client (MODEL_PROVIDER, as in the app), its model ids, and
 * --model applied. Callers check the credentials first: `run` requires them; `eval` also
 * runs against a keyless stand-in at ANTHROPIC_BASE_URL.
 */
export async function localModel(
  config: AppConfig,
  modelFlag: string | undefined,
  log: (line: string) => void,
): Promise<LocalModel> {
  const provider = config.modelProvider;
  const modelClient = await createModelClient(provider);
  log(`model provider: ${describeModelProvider(provider)}`);
  const aliases = modelAliasesFor(provider.kind, config.modelAliases);
  return {
    modelClient,
    resolveModel: (m) => resolveModel(m, aliases),
    ...(modelFlag ? { modelOverride: resolveModel(modelFlag, aliases) } : {}),
  };
}
