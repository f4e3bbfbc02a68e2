// The ModelClient on Amazon Bedrock (@anthropic-ai/bedrock-sdk): the same Messages calls,
// sent to bedrock-runtime's invoke / invoke-with-response-stream and signed with SigV4.
// Credentials come from AWS's standard chain: the key pair in the environment, else a
// profile, SSO, web identity, or the container's or instance's role. The chain is resolved
// once here, at startup, so a machine without credentials refuses to start.
import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { BedrockProviderConfig } from "../../config/model-provider.js";
import { ModelProviderConfigError } from "../../config/model-provider.js";
import { registerSecret } from "../../secrets.js";
import type { ModelClient } from "./model-client.js";
import { createSdkModelClient, type ProviderClientOptions } from "./sdk-model-client.js";

type CredentialProvider = ReturnType<typeof fromNodeProviderChain>;

/** The chain, checked once; every credential it hands out is registered as a secret. */
async function checkedChain(config: BedrockProviderConfig): Promise<CredentialProvider> {
  const chain = fromNodeProviderChain();
  const provider: CredentialProvider = async (options) => {
    const credentials = await chain(options);
    registerSecret(credentials.secretAccessKey);
    registerSecret(credentials.sessionToken);
    return credentials;
  };
  try {
    await provider();
  } catch (err) {
    const cause = (err as Error).message;
    if (config.profile) {
      throw new ModelProviderConfigError(
        `MODEL_PROVIDER=bedrock: AWS_PROFILE "${config.profile}" gave no AWS credentials (${cause}).`,
        "AWS_PROFILE",
      );
    }
    throw new ModelProviderConfigError(
      "MODEL_PROVIDER=bedrock found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
        `or AWS_PROFILE, or run where an instance or task role is available (${cause}).`,
      "AWS_ACCESS_KEY_ID",
    );
  }
  return provider;
}

export async function createBedrockModelClient(
  config: BedrockProviderConfig,
  options: ProviderClientOptions = {},
): Promise<ModelClient> {
  const common = {
    awsRegion: config.region,
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    // null, not undefined: the SDK would read AWS_BEARER_TOKEN_BEDROCK itself.
    apiKey: config.bearerToken ?? null,
    maxRetries: options.maxRetries ?? 4,
    timeout: options.timeoutMs ?? 10 * 60_000,
  };
  let client: AnthropicBedrock;
  if (config.bearerToken) {
    client = new AnthropicBedrock(common);
  } else if (config.accessKeyId && config.secretAccessKey) {
    client = new AnthropicBedrock({
      ...common,
      awsAccessKey: config.accessKeyId,
      awsSecretKey: config.secretAccessKey,
      awsSessionToken: config.sessionToken ?? null,
    });
  } else {
    const provider = await checkedChain(config);
    client = new AnthropicBedrock({ ...common, providerChainResolver: async () => provider });
  }
  return createSdkModelClient(client, {
    service: "Bedrock",
    ...(options.streamRetries !== undefined ? { streamRetries: options.streamRetries } : {}),
  });
}
