// The ModelClient on Google Vertex AI (@anthropic-ai/vertex-sdk): the same Messages calls,
// sent to the publisher model's rawPredict / streamRawPredict with an OAuth bearer token.
// Credentials are Google's application-default credentials (GOOGLE_APPLICATION_CREDENTIALS,
// gcloud's ADC file, or the metadata server); a first token is minted here, at startup, so
// a machine without credentials refuses to start.
import { readFileSync } from "node:fs";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import { type AuthClient, GoogleAuth } from "google-auth-library";
import type { VertexProviderConfig } from "../../config/model-provider.js";
import { ModelProviderConfigError } from "../../config/model-provider.js";
import { registerSecret } from "../../secrets.js";
import type { ModelClient } from "./model-client.js";
import { createSdkModelClient, type ProviderClientOptions } from "./sdk-model-client.js";

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
/** Access tokens live an hour; watched a little longer. */
const TOKEN_TTL_MS = 2 * 60 * 60_000;

/** The long-lived secrets of a credentials file: a private key, a refresh token, a client secret. */
function registerFileSecrets(path: string): void {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new ModelProviderConfigError(
      `GOOGLE_APPLICATION_CREDENTIALS points at "${path}", which is not a readable JSON credentials file: ${
        (err as Error).message
      }`,
      "GOOGLE_APPLICATION_CREDENTIALS",
    );
  }
  for (const key of ["private_key", "refresh_token", "client_secret"]) {
    const value = parsed[key];
    if (typeof value === "string") registerSecret(value);
  }
}

/** Every token the client puts on a request is registered before it leaves. */
function watchTokens(client: AuthClient): void {
  const original = client.getRequestHeaders.bind(client);
  client.getRequestHeaders = async (url?: string | URL) => {
    const headers = await original(url);
    registerSecret(headers.get("authorization")?.replace(/^Bearer\s+/i, ""), TOKEN_TTL_MS);
    return headers;
  };
}

async function checkedAuthClient(config: VertexProviderConfig): Promise<AuthClient> {
  if (config.credentialsFile) registerFileSecrets(config.credentialsFile);
  const auth = new GoogleAuth({
    scopes: SCOPE,
    projectId: config.projectId,
    ...(config.credentialsFile ? { keyFilename: config.credentialsFile } : {}),
  });
  try {
    const client = await auth.getClient();
    watchTokens(client);
    await client.getRequestHeaders();
    return client;
  } catch (err) {
    const where = config.credentialsFile
      ? `GOOGLE_APPLICATION_CREDENTIALS ("${config.credentialsFile}") gave no access token`
      : "found no Google application-default credentials";
    throw new ModelProviderConfigError(
      `MODEL_PROVIDER=vertex ${where} (${(err as Error).message}). Set GOOGLE_APPLICATION_CREDENTIALS to a ` +
        "service-account or workload-identity file, run `gcloud auth application-default login`, or run " +
        "where the metadata server provides a service account.",
      "GOOGLE_APPLICATION_CREDENTIALS",
    );
  }
}

export async function createVertexModelClient(
  config: VertexProviderConfig,
  options: ProviderClientOptions = {},
): Promise<ModelClient> {
  const authClient = await checkedAuthClient(config);
  const client = new AnthropicVertex({
    region: config.region,
    projectId: config.projectId,
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    authClient,
    maxRetries: options.maxRetries ?? 4,
    timeout: options.timeoutMs ?? 10 * 60_000,
  });
  return createSdkModelClient(client, {
    service: "Vertex AI",
    ...(options.streamRetries !== undefined ? { streamRetries: options.streamRetries } : {}),
  });
}
