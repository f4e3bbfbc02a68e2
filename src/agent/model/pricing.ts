// USD per million tokens, per model family. Cache writes (5-minute TTL) cost 1.25x input,
// cache reads 0.1x input. Unknown models are priced like the most expensive family we
// know, so a budget in dollars errs on the safe side.
import type { Usage } from "./model-client.js";

export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

function price(input: number, output: number): ModelPrice {
  return { input, output, cacheWrite: input * 1.25, cacheRead: input * 0.1 };
}

/** Longest matching prefix wins. */
export const PRICES: Readonly<Record<string, ModelPrice>> = {
  "claude-opus-4-5": price(5, 25),
  "claude-opus-4-1": price(15, 75),
  "claude-opus-4": price(15, 75),
  "claude-sonnet-4-5": price(3, 15),
  "claude-sonnet-4": price(3, 15),
  "claude-3-7-sonnet": price(3, 15),
  "claude-haiku-4-5": price(1, 5),
  "claude-3-5-haiku": price(0.8, 4),
};

const FALLBACK = price(15, 75);

/**
 * The Anthropic API's id for a cloud's model id, so one table prices every provider:
 * Bedrock's "global.anthropic.claude-sonnet-4-5-20250929-v1:0" and Vertex's
 * "claude-sonnet-4-5@20250929" are both "claude-sonnet-4-5-20250929".
 */
export function canonicalModelId(model: string): string {
  return model
    .trim()
    .replace(/^(?:[a-z]+(?:-[a-z]+)?\.)?anthropic\./, "")
    .replace(/-v\d+(?::\d+)?$/, "")
    .replace("@", "-");
}

export function priceFor(model: string): { price: ModelPrice; known: boolean } {
  const id = canonicalModelId(model);
  let best: string | undefined;
  for (const prefix of Object.keys(PRICES)) {
    if (id.startsWith(prefix) && (!best || prefix.length > best.length)) best = prefix;
  }
  return best ? { price: PRICES[best]!, known: true } : { price: FALLBACK, known: false };
}

export function costUsd(model: string, usage: Usage): number {
  const { price: p } = priceFor(model);
  return (
    (usage.input_tokens * p.input +
      usage.output_tokens * p.output +
      usage.cache_creation_input_tokens * p.cacheWrite +
      usage.cache_read_input_tokens * p.cacheRead) /
    1_000_000
  );
}
