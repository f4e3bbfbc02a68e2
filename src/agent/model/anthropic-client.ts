// The ModelClient adapter on @anthropic-ai/sdk: the Anthropic API itself. Streaming, usage
// and retries are shared with the cloud providers' clients (sdk-model-client.ts).
import Anthropic from "@anthropic-ai/sdk";
import type { ModelClient } from "./model-client.js";
import { createSdkModelClient } from "./sdk-model-client.js";

export interface AnthropicClientOptions {
  apiKey: string;
  baseURL?: string;
  /** SDK retries of transient HTTP failures. */
  maxRetries?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Retries of a stream that broke after it started. */
  streamRetries?: number;
}

export function createAnthropicModelClient(options: AnthropicClientOptions): ModelClient {
  const client = new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? null,
    maxRetries: options.maxRetries ?? 4,
    timeout: options.timeoutMs ?? 10 * 60_000,
  });
  return createSdkModelClient(client, {
    service: "Anthropic API",
    ...(options.streamRetries !== undefined ? { streamRetries: options.streamRetries } : {}),
  });
}
