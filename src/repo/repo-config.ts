// Reads `.github/backend-go-agent.yml` from the repository's default branch, the way Probot
// apps read their configuration: a repository without the file falls back to the
// organisation's `.github` repository, and `_extends: other-repo`, `_extends: org/repo` or
// `_extends: org/repo:path.yml` layers a file over another one. The files come through a
// reader (GitHub's contents API in the app, the checkout in the CLI), so both read the same
// file the same way and report its mistakes in the same words.
//
// Each file is validated on its own first, so an error names the file that holds the
// mistake; then the files are merged (objects key by key, lists replaced, except
// `protected_paths`, which only ever grows) and the merge is validated once more.

import yaml from "js-yaml";
import type { Budgets } from "../agent/budget.js";
import { type ConfigProblem, problemsFromIssues, RepoConfigError } from "./config-errors.js";
import { ALWAYS_PROTECTED, CONFIG_PATH, type RepoConfig, repoConfigSchema } from "./config-schema.js";
import type { RepoRef } from "./repo-files.js";

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

/** Reads one file of a repository at its default branch; null when there is none. */
export type ConfigFileReader = (repo: RepoRef, path: string) => Promise<string | null>;

interface ConfigFile extends RepoRef {
  path: string;
}

const fileName = (f: ConfigFile) => `${f.owner}/${f.repo}:${f.path}`;

/** `_extends: repo`, `owner/repo`, `repo:path` or `owner/repo:path`, relative to `from`. */
function extendsTarget(value: unknown, from: ConfigFile): ConfigFile {
  const m = typeof value === "string" ? /^(?:([\w.-]+)\/)?([\w.-]+)(?::(.+))?$/.exec(value.trim()) : null;
  if (!m) {
    throw new RepoConfigError(fileName(from), [
      { key: "_extends", problem: "must name a repository: repo, owner/repo or owner/repo:path.yml", value },
    ]);
  }
  return { owner: m[1] ?? from.owner, repo: m[2]!, path: m[3] ?? CONFIG_PATH };
}

function parseYaml(text: string, file: ConfigFile): Plain {
  let data: unknown;
  try {
    data = yaml.safeLoad(text);
  } catch (err) {
    const reason = (err as Error).message.split("\n")[0];
    throw new RepoConfigError(fileName(file), [{ key: "(file)", problem: `invalid YAML: ${reason}` }]);
  }
  if (data === undefined || data === null) return {};
  if (!isPlain(data)) {
    throw new RepoConfigError(fileName(file), [
      { key: "(file)", problem: "must be a YAML mapping of keys to values" },
    ]);
  }
  return data;
}

/**
 * Loads and validates the repository's configuration (defaults when there is no file).
 * Throws RepoConfigError for a file the job cannot use; other errors (GitHub down) pass through.
 */
export async function loadRepoConfig(read: ConfigFileReader, ref: RepoRef): Promise<RepoConfig> {
  let at: ConfigFile = { ...ref, path: CONFIG_PATH };
  let text = await read(ref, CONFIG_PATH);
  if (text === null && ref.repo !== ".github") {
    at = { owner: ref.owner, repo: ".github", path: CONFIG_PATH };
    text = await read(at, at.path);
  }
  const layers: { file: ConfigFile; config: Plain }[] = [];
  const seen = new Set<string>();
  while (text !== null) {
    seen.add(fileName(at).toLowerCase());
    const config = parseYaml(text, at);
    parseRepoConfig(config, fileName(at));
    layers.push({ file: at, config });
    if (config._extends === undefined) break;
    at = extendsTarget(config._extends, at);
    if (seen.has(fileName(at).toLowerCase())) {
      const chain = [...layers.map((l) => fileName(l.file)), fileName(at)].join(" → ");
      throw new RepoConfigError(fileName(layers[0]!.file), [
        { key: "_extends", problem: `Recursion detected: ${chain}` },
      ]);
    }
    text = await read(at, at.path);
  }
  if (layers.length === 0) return parseRepoConfig({}, fileName({ ...ref, path: CONFIG_PATH }));
  // The repository's own file is first; what it extends comes after it and lies beneath it.
  const merged = mergeRepoConfigs(layers.map((l) => l.config).reverse());
  const names = layers.map((l) => fileName(l.file));
  return parseRepoConfig(
    merged,
    names.length > 1 ? `${names[0]} (merged with ${names.slice(1).join(", ")})` : names[0]!,
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
