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
//
// `_extends` may name only this repository or the owner's `.github` repository, unless the
// operator allows more (extends-policy.ts). Errors show values only from the repository's
// own file: a problem in another repository's file, or in the merge, names keys, never
// what the file holds, since the person reading the comment may not be able to read it.

import yaml from "js-yaml";
import type { Budgets } from "../agent/budget.js";
import { type ConfigProblem, problemsFromIssues, RepoConfigError } from "./config-errors.js";
import { ALWAYS_PROTECTED, CONFIG_PATH, type RepoConfig, repoConfigSchema } from "./config-schema.js";
import { type ExtendsRule, extendsRuleText, mayExtend } from "./extends-policy.js";
import type { ConfigFileReader, RepoRef } from "./repo-files.js";

export type { ConfigFileReader };

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

function parseYaml(text: string, file: ConfigFile, own: boolean): Plain {
  let data: unknown;
  try {
    data = yaml.safeLoad(text);
  } catch (err) {
    // js-yaml's reason can quote the file (a tag, a key); another repository's file gets the position only.
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    const reason = own
      ? (err as Error).message.split("\n")[0]
      : mark
        ? `at line ${mark.line + 1}, column ${mark.column + 1}`
        : "the file is not YAML";
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

export interface LoadConfigOptions {
  /** CONFIG_EXTENDS_ALLOW: repositories beyond the rule's that `_extends` may name. */
  extendsAllow?: readonly ExtendsRule[];
}

/**
 * Loads and validates the repository's configuration (defaults when there is no file).
 * Throws RepoConfigError for a file the job cannot use; other errors (GitHub down) pass through.
 */
export async function loadRepoConfig(
  read: ConfigFileReader,
  ref: RepoRef,
  options: LoadConfigOptions = {},
): Promise<RepoConfig> {
  const isOwn = (f: RepoRef) =>
    f.owner.toLowerCase() === ref.owner.toLowerCase() && f.repo.toLowerCase() === ref.repo.toLowerCase();
  /** Runs a check of file `f`; an error about another repository's file loses its values. */
  const checked = <T>(f: RepoRef, check: () => T): T => {
    try {
      return check();
    } catch (err) {
      if (err instanceof RepoConfigError && !isOwn(f)) throw err.withoutValues();
      throw err;
    }
  };
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
    const from = at;
    const config = parseYaml(text, from, isOwn(from));
    checked(from, () => parseRepoConfig(config, fileName(from)));
    layers.push({ file: from, config });
    if (config._extends === undefined) break;
    at = checked(from, () => extendsTarget(config._extends, from));
    if (!mayExtend(ref, at, options.extendsAllow)) {
      throw new RepoConfigError(fileName(from), [
        {
          key: "_extends",
          problem: `${isOwn(from) ? `names ${at.owner}/${at.repo}, which it may not read: it ` : ""}${extendsRuleText(ref)}`,
        },
      ]);
    }
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
  const name = names.length > 1 ? `${names[0]} (merged with ${names.slice(1).join(", ")})` : names[0]!;
  // A merged value may come from any layer: values are shown only when every layer is this repository's.
  const home = layers.every((l) => isOwn(l.file)) ? ref : layers.find((l) => !isOwn(l.file))!.file;
  return checked(home, () => parseRepoConfig(merged, name));
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
