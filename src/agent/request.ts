// Builds each request so it is a stable prefix of the next: tools, then system, then the
// growing conversation, with cache_control breakpoints on the last tool, the system
// prompt and the last block of the last message (3 of the 4 allowed).
import type {
  ContentBlock,
  MessageParam,
  ModelRequest,
  TextBlock,
  ToolSchema,
} from "./model/model-client.js";

const EPHEMERAL = { type: "ephemeral" } as const;

export function cachedTools(tools: ToolSchema[]): ToolSchema[] {
  return tools.map((t, i) => (i === tools.length - 1 ? { ...t, cache_control: EPHEMERAL } : t));
}

export function cachedSystem(system: string): TextBlock[] {
  return [{ type: "text", text: system, cache_control: EPHEMERAL }];
}

/** Copies the conversation, marking only the last block; earlier messages stay byte-identical. */
export function cachedMessages(messages: MessageParam[]): MessageParam[] {
  return messages.map((m, i) => {
    if (i !== messages.length - 1 || m.content.length === 0) return m;
    const content = m.content.map(
      (b, j): ContentBlock => (j === m.content.length - 1 ? { ...b, cache_control: EPHEMERAL } : b),
    );
    return { ...m, content };
  });
}

export function buildRequest(
  model: string,
  maxTokens: number,
  system: TextBlock[],
  tools: ToolSchema[],
  messages: MessageParam[],
): ModelRequest {
  return { model, max_tokens: maxTokens, system, tools, messages: cachedMessages(messages) };
}
