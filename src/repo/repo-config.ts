// Reads `.github/backend-go-agent.yml` from the repository's default branch through
// Probot's config plugin (`octokit.config.get`), so organisation-wide defaults work the
// way they do for every Probot app: a repository without the file falls back to the
// organisation's `.github` repository, and `_extends: other-repo` or
// `_extends: org/repo:path.yml` layers a file over another one.
//
// Each file is validated on its own first, so an error names the file that holds the
// mistake; then the files are merged (objects key by key, lists replaced, except
// `protected_paths`, which only ever grows) and the merge is validated once more.
import type { Budgets } from "../agent/budget.js";
import type { GitHubClient, RepoRef } from "../github/client.js";
import { type ConfigProblem, problemsFromIssues, RepoConfigError } from "./config-errors.js";
import { ALWAYS_PROTECTED, CONFIG_PATH, type RepoConfig, repoConfigSchema } from "./config-schema.js";

const PLUGIN_PREFIX = "[@probot/octokit-plugin-config] ";

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => v !== null && typeof v === "object" && !Array.isArray(v);

function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  // biome-ignore lint/suspicious/noExplicitAny: walking zod's internal definitions
  let node: any = repoConfigSchema;
  const unwrap = () => {
    while (node?._zod?.def && ["default", "prefault", "optional", "nullable"].includes(node._zod.def.type)) {
      node = node._zod.def.innerType;
    }
  };
  unwrap();
  for (const step of path) {
    const def = node?._zod?.def;
    if (def?.type === "object") node = def.shape[step as string];
    else if (def?.type === "array") node = def.element;
    else return [];
    unwrap();
  }
  const def = node?._zod?.def;
  return def?.type === "object" ? Object.keys(def.shape) : [];
}

/** Validates one file's parsed YAML. `file` names it in errors. */
export function parseRepoConfig(raw: unknown, file: string): RepoConfig {
  const input = raw ?? {};
  const result = repoConfigSchema.safeParse(input);
  if (!result.success) {
    throw new RepoConfigError(file, problemsFromIssues(result.error.issues, input, knownKeysAt));
  }
  const { _extends, ...config } = result.data;
  return config;
}

/** Merges files, base first: objects key by key, lists replaced, protected paths unioned. */
export function mergeRepoConfigs(layers: readonly Plain[]): Plain {
  const merge = (base: Plain, over: Plain, top: boolean): Plain => {
    const out: Plain = { ...base };
    for (const [key, value] of Object.entries(over)) {
      const prev = out[key];
      if (top && key === "protected_paths" && Array.isArray(prev) && Array.isArray(value)) {
        out[key] = [...new Set([...prev, ...value])];
      } else if (isPlain(prev) && isPlain(value)) out[key] = merge(prev, value, false);
      else out[key] = value;
    }
    return out;
  };
  return layers.reduce<Plain>((acc, layer) => merge(acc, layer, true), {});
}

interface PluginFile {
  owner: string;
  repo: string;
  path: string;
  config: Plain | null;
}

const fileName = (f: { owner: string; repo: string; path: string }) => `${f.owner}/${f.repo}:${f.path}`;

/**
 * Loads and validates the repository's configuration (defaults when there is no file).
 * Throws RepoConfigError for a file the job cannot use; other errors (GitHub down) pass through.
 */
export async function loadRepoConfig(gh: GitHubClient, ref: RepoRef): Promise<RepoConfig> {
  const here = fileName({ ...ref, path: CONFIG_PATH });
  let files: PluginFile[];
  try {
    ({ files } = await gh.config.get({ owner: ref.owner, repo: ref.repo, path: CONFIG_PATH }));
  } catch (err) {
    const message = (err as Error).message ?? "";
    if (!message.startsWith(PLUGIN_PREFIX)) throw err;
    throw new RepoConfigError(here, [{ key: "(file)", problem: pluginProblem(message) }]);
  }
  const present = files.filter((f): f is PluginFile & { config: Plain } => f.config !== null);
  for (const f of present) {
    if (!isPlain(f.config)) {
      throw new RepoConfigError(fileName(f), [
        { key: "(file)", problem: "must be a YAML mapping of keys to values" },
      ]);
    }
    parseRepoConfig(f.config, fileName(f));
  }
  // The plugin lists the repository's own file first and what it extends after it.
  const merged = mergeRepoConfigs(present.map((f) => f.config).reverse());
  return parseRepoConfig(
    merged,
    present.length > 1 ? `${here} (merged with ${present.slice(1).map(fileName).join(", ")})` : here,
  );
}

function pluginProblem(message: string): string {
  return message
    .slice(PLUGIN_PREFIX.length)
    .replace(
      /https?:\/\/\S+\/repos\/([^/\s]+)\/([^/\s]+)\/contents\/(\S+)/g,
      (_m, o, r, p) => `${o}/${r}:${decodeURIComponent(p)}`,
    );
}

/** Globs the agent may read but never write: the ones that always apply, then the repository's. */
export function protectedPaths(config: RepoConfig): string[] {
  return [...new Set([...ALWAYS_PROTECTED, ...config.protected_paths])];
}

/** Labels that start a job: the trigger label and every label of the agent map. */
export function triggerLabels(config: RepoConfig): string[] {
  return [...new Set([config.trigger.label, ...Object.keys(config.agents.labels)])];
}

/** The app's budgets with the repository's overrides applied. */
export function budgetsFor(config: RepoConfig, base: Budgets): Budgets {
  const b = config.budgets;
  return {
    ...base,
    maxTurns: b.max_turns ?? base.maxTurns,
    maxTotalTokens: b.max_tokens ?? base.maxTotalTokens,
    maxCostUsd: b.max_usd ?? base.maxCostUsd,
    maxWallClockMs: b.max_minutes !== undefined ? b.max_minutes * 60_000 : base.maxWallClockMs,
  };
}

export type { ConfigProblem };
