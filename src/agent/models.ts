// Model aliases used in agent front matter (`model: opus`) mapped to concrete Anthropic
// model ids. One table; configuration (MODEL_ALIASES) overrides entries.
export const DEFAULT_MODEL_ALIASES: Readonly<Record<string, string>> = {
  opus: "claude-opus-4-5",
  sonnet: "claude-sonnet-4-5",
  haiku: "claude-haiku-4-5",
};

/** Resolves an alias (or passes a concrete id through), applying overrides first. */
export function resolveModel(nameOrAlias: string, overrides: Record<string, string> = {}): string {
  const key = nameOrAlias.trim();
  return overrides[key] ?? DEFAULT_MODEL_ALIASES[key] ?? key;
}
