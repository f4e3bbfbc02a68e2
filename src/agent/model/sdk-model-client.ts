// The ModelClient on any of Anthropic's SDK clients (the API, Bedrock, Vertex: they share
// the Messages resource, its stream and its errors). It streams (the API refuses long
// non-streaming calls) and lets the SDK retry 408/409/429/5xx/529 and connection errors
// with backoff before the stream starts; an error event in the middle of a stream is
// retried here a few times, since the SDK cannot replay a half-read stream.
import Anthropic from "@anthropic-ai/sdk";
import {
  type AssistantBlock,
  ModelCallError,
  type ModelClient,
  type ModelRequest,
  type ModelResponse,
} from "./model-client.js";

/** What the three SDK clients have in common that this adapter uses. */
export interface StreamingSdkClient {
  messages: Pick<Anthropic["messages"], "stream">;
}

export interface SdkModelClientOptions {
  /** Names the service in error messages: "Anthropic API", "Bedrock", "Vertex AI". */
  service: string;
  /** Retries of a stream that broke after it started. */
  streamRetries?: number;
}

/** Transport settings every provider's client takes. */
export interface ProviderClientOptions {
  /** SDK retries of transient HTTP failures (default 4). */
  maxRetries?: number;
  /** Per-request timeout (default 10 minutes). */
  timeoutMs?: number;
  /** Retries of a stream that broke after it started (default 2). */
  streamRetries?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

function isMidStreamTransient(err: unknown): boolean {
  if (err instanceof Anthropic.APIUserAbortError) return false;
  if (err instanceof Anthropic.APIConnectionError) return true;
  // An `event: error` inside a stream arrives as an APIError without an HTTP status.
  if (err instanceof Anthropic.APIError) {
    return err.status === undefined && /overloaded|api_error|rate_limit|throttl/i.test(err.message);
  }
  // A body cut off mid-stream surfaces as the fetch stream's own error ("terminated", a reset).
  return err instanceof Error;
}

function describe(err: unknown, service: string): ModelCallError {
  if (err instanceof Anthropic.APIUserAbortError)
    return new ModelCallError("the model call was aborted", undefined, true);
  if (err instanceof Anthropic.APIError) {
    const detail = err.message.length > 500 ? `${err.message.slice(0, 500)}…` : err.message;
    return new ModelCallError(
      err.status ? `${service} error ${err.status}: ${detail}` : `${service} error: ${detail}`,
      err.status,
    );
  }
  return new ModelCallError(`${service} call failed: ${(err as Error).message ?? String(err)}`);
}

function toResponse(message: Anthropic.Message): ModelResponse {
  return {
    id: message.id,
    model: message.model,
    content: message.content
      .filter(
        (b): b is Anthropic.TextBlock | Anthropic.ToolUseBlock => b.type === "text" || b.type === "tool_use",
      )
      .map(
        (b): AssistantBlock =>
          b.type === "text"
            ? { type: "text", text: b.text }
            : { type: "tool_use", id: b.id, name: b.name, input: b.input },
      ),
    stop_reason: message.stop_reason,
    usage: {
      input_tokens: message.usage.input_tokens,
      output_tokens: message.usage.output_tokens,
      cache_creation_input_tokens: message.usage.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: message.usage.cache_read_input_tokens ?? 0,
    },
  };
}

export function createSdkModelClient(
  client: StreamingSdkClient,
  options: SdkModelClientOptions,
): ModelClient {
  const streamRetries = options.streamRetries ?? 2;
  return {
    async create(request: ModelRequest, { signal } = {}): Promise<ModelResponse> {
      for (let attempt = 0; ; attempt++) {
        try {
          const stream = client.messages.stream(
            request as unknown as Anthropic.MessageStreamParams,
            signal ? { signal } : {},
          );
          return toResponse(await stream.finalMessage());
        } catch (err) {
          if (signal?.aborted) throw new ModelCallError("the model call was aborted", undefined, true);
          if (attempt < streamRetries && isMidStreamTransient(err)) {
            await sleep(1000 * 2 ** attempt, signal);
            continue;
          }
          throw describe(err, options.service);
        }
      }
    },
  };
}
