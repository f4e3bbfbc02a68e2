// Builds the ModelClient for the configured provider (MODEL_PROVIDER): the Anthropic API,
// Amazon Bedrock or Google Vertex AI. All three are Anthropic's own SDK clients behind the
// same port, so the loop, budgets, prompt caching and retries do not know which one runs.
// Called at startup: a cloud provider whose credentials do not resolve throws a
// ModelProviderConfigError naming the variable to set.
import { type ModelProviderConfig, modelProviderSecrets } from "../../config/model-provider.js";
import { registerSecret } from "../../secrets.js";
import { createAnthropicModelClient } from "./anthropic-client.js";
import { createBedrockModelClient } from "./bedrock-client.js";
import type { ModelClient } from "./model-client.js";
import type { ProviderClientOptions } from "./sdk-model-client.js";
import { createVertexModelClient } from "./vertex-client.js";

export { describeModelProvider } from "../../config/model-provider.js";
export type { ProviderClientOptions } from "./sdk-model-client.js";

export async function createModelClient(
  provider: ModelProviderConfig,
  options: ProviderClientOptions = {},
): Promise<ModelClient> {
  for (const secret of modelProviderSecrets(provider)) registerSecret(secret);
  switch (provider.kind) {
    case "anthropic":
      return createAnthropicModelClient({
        // Without a key every call fails with the API's own 401; the app warns at startup.
        apiKey: provider.apiKey ?? "",
        ...(provider.baseURL ? { baseURL: provider.baseURL } : {}),
        ...options,
      });
    case "bedrock":
      return createBedrockModelClient(provider, options);
    case "vertex":
      return createVertexModelClient(provider, options);
  }
}
