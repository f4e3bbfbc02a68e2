// Model aliases used in agent front matter (`model: opus`) mapped to concrete model ids, per
// provider: each cloud names the same model differently. One table; configuration
// (MODEL_ALIASES) overrides entries.
import type { ModelProviderKind } from "../../config/model-provider.js";

interface ModelFamily {
  alias: string;
  /** The Anthropic API's id, which also keys the price table (pricing.ts). */
  anthropic: string;
  /** Bedrock's global cross-region inference profile: the Claude 4 models are invoked through one. */
  bedrock: string;
  /** Vertex AI's publisher model id. */
  vertex: string;
}

const FAMILIES: readonly ModelFamily[] = [
  {
    alias: "opus",
    anthropic: "claude-opus-4-5",
    bedrock: "global.anthropic.claude-opus-4-5-20251101-v1:0",
    vertex: "claude-opus-4-5@20251101",
  },
  {
    alias: "sonnet",
    anthropic: "claude-sonnet-4-5",
    bedrock: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    vertex: "claude-sonnet-4-5@20250929",
  },
  {
    alias: "haiku",
    anthropic: "claude-haiku-4-5",
    bedrock: "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    vertex: "claude-haiku-4-5@20251001",
  },
];

/** The aliases for one provider. On a cloud, the Anthropic id of a family maps to the cloud's id too. */
export function providerModelAliases(provider: ModelProviderKind): Record<string, string> {
  const out: Record<string, string> = {};
  for (const family of FAMILIES) {
    out[family.alias] = family[provider];
    if (provider !== "anthropic") out[family.anthropic] = family[provider];
  }
  return out;
}

export const DEFAULT_MODEL_ALIASES: Readonly<Record<string, string>> = providerModelAliases("anthropic");

/** The provider's table with the operator's overrides (MODEL_ALIASES) on top. */
export function modelAliasesFor(
  provider: ModelProviderKind,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return { ...providerModelAliases(provider), ...overrides };
}

/** Resolves an alias (or passes a concrete id through), applying overrides first. */
export function resolveModel(nameOrAlias: string, overrides: Record<string, string> = {}): string {
  const key = nameOrAlias.trim();
  return overrides[key] ?? DEFAULT_MODEL_ALIASES[key] ?? key;
}
