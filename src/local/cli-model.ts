// The CLI's model: the configured provider's client (MODEL_PROVIDER, as in the app), its
// model ids, and --model applied. Kept out of cli.ts, which only wires.
import { createModelClient, describeModelProvider } from "../agent/model-clients.js";
import { modelAliasesFor, resolveModel } from "../agent/models.js";
import type { AppConfig } from "../config/env.js";
import type { JobDeps } from "../jobs/ports.js";

export async function cliModel(
  config: AppConfig,
  modelFlag: string | undefined,
  log: (line: string) => void,
): Promise<Pick<JobDeps, "modelClient" | "resolveModel" | "modelOverride">> {
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
