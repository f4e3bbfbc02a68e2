// The ModelClient port: one Messages API call. The core speaks these plain shapes (the
// API's own JSON), never the SDK's classes, so tests and other adapters stay simple.

export interface CacheControl {
  type: "ephemeral";
}

export interface TextBlock {
  type: "text";
  text: string;
  cache_control?: CacheControl;
}

export interface ToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: unknown;
  cache_control?: CacheControl;
}

export interface ToolResultBlock {
  type: "tool_result";
  tool_use_id: string;
  content: string;
  is_error?: boolean;
  cache_control?: CacheControl;
}

export type AssistantBlock = TextBlock | ToolUseBlock;
export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

export interface MessageParam {
  role: "user" | "assistant";
  content: ContentBlock[];
}

export interface ToolSchema {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
  cache_control?: CacheControl;
}

export interface ModelRequest {
  model: string;
  max_tokens: number;
  system: TextBlock[];
  tools: ToolSchema[];
  messages: MessageParam[];
}

export interface Usage {
  /** Uncached input tokens. */
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type StopReason = "end_turn" | "tool_use" | "max_tokens" | "pause_turn" | "refusal" | "stop_sequence";

export interface ModelResponse {
  id: string;
  model: string;
  content: AssistantBlock[];
  stop_reason: StopReason | string | null;
  usage: Usage;
}

export interface ModelClient {
  create(request: ModelRequest, options?: { signal?: AbortSignal }): Promise<ModelResponse>;
}

/** A call that failed after the client's own retries; the message is safe to show. */
export class ModelCallError extends Error {
  override name = "ModelCallError";
  constructor(
    message: string,
    readonly status?: number,
    readonly aborted = false,
  ) {
    super(message);
  }
}

export const ZERO_USAGE: Usage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
  };
}

export function totalTokens(u: Usage): number {
  return u.input_tokens + u.output_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
}
