// The agents a job can run: the app's own `agents/*.md` and the repository's
// `.github/agents/*.md`, same format (Claude Code subagent files work: name, description,
// model, tools; other fields are ignored). Repository files are parsed as YAML only, with
// parseAgentDefinition, which refuses `---js` and any other engine: nothing in them runs.
//
// A repository agent may not take a built-in agent's name. Such a file is refused, and
// asking for that name fails with a message saying to rename the file's `name:` — a
// repository silently replacing the prompt of the agent people think they are running
// would be worse than a failed job. A broken repository agent file is recorded as a
// problem and only stops jobs that ask for it.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentDefinition, loadAgentDefinition, parseAgentDefinition } from "../agent/definition.js";
import { CONFIG_PATH, type RepoConfig } from "./config-schema.js";
import type { RepoFiles } from "./repo-files.js";

export { AgentToolsError, allowedTools } from "./tool-restriction.js";

export const APP_AGENTS_DIR = fileURLToPath(new URL("../../agents", import.meta.url));
export const REPOSITORY_AGENTS_DIR = ".github/agents";
export const DEFAULT_AGENT = "backend-engineer-golang";
/** Claude Code's "use the main model"; also what a file without `model:` gets. */
export const INHERIT_MODEL = "inherit";

const MAX_REPOSITORY_AGENTS = 50;
const MAX_AGENT_FILE_BYTES = 64 * 1024;

export interface RegisteredAgent {
  definition: AgentDefinition;
  origin: "app" | "repository";
}

export interface AgentProblem {
  file: string;
  message: string;
  /** The agent name the file claims, when it could be read. */
  name?: string;
}

export interface AgentRegistry {
  /** By lower-cased name. */
  agents: ReadonlyMap<string, RegisteredAgent>;
  /** Repository agent files that were refused, for the tracking comment and for asking by name. */
  problems: readonly AgentProblem[];
  /** Names nobody can ask for until a repository file is fixed (shadowing, duplicates), lower-cased. */
  blocked: ReadonlyMap<string, AgentProblem>;
  /** What `model: inherit` (or no model) means: the default agent's model. */
  inheritModel: string;
}

export class AgentSelectionError extends Error {
  override name = "AgentSelectionError";
  constructor(
    message: string,
    readonly available: readonly RegisteredAgent[],
  ) {
    super(message);
  }

  /** A Markdown block for the tracking comment. */
  render(): string {
    const list = this.available.map(
      (a) =>
        `- \`@${a.definition.name}\` (${a.origin === "app" ? "built in" : `\`${a.definition.source}\``}): ${a.definition.description}`,
    );
    return [`**${this.message}**`, "", "Available agents:", ...list].join("\n");
  }
}

// Claude Code subagent files may leave `model` out; the definition parser requires it.
function withModelDefault(text: string): string {
  const end = text.search(/\r?\n---[ \t]*(\r?\n|$)/);
  const opening = /^---[^\r\n]*\r?\n/.exec(text);
  if (!opening || end < 0 || /^model[ \t]*:/m.test(text.slice(0, end))) return text;
  return `${opening[0]}model: ${INHERIT_MODEL}\n${text.slice(opening[0].length)}`;
}

/** Loads the app's own agents; a broken one is the app's bug, so it throws. */
export async function loadAppAgents(dir = APP_AGENTS_DIR): Promise<AgentDefinition[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".md")).sort();
  return Promise.all(names.map((n) => loadAgentDefinition(join(dir, n))));
}

/** Reads `.github/agents/*.md` as YAML-fronted Markdown; never executes anything in them. */
export async function loadRepositoryAgents(
  files: RepoFiles,
): Promise<{ definitions: AgentDefinition[]; problems: AgentProblem[] }> {
  const names = (await files.list(REPOSITORY_AGENTS_DIR)).filter((n) => n.endsWith(".md")).sort();
  const definitions: AgentDefinition[] = [];
  const problems: AgentProblem[] = [];
  for (const [i, n] of names.entries()) {
    const path = `${REPOSITORY_AGENTS_DIR}/${n}`;
    const file = `${path} (${files.where})`;
    if (i >= MAX_REPOSITORY_AGENTS) {
      problems.push({
        file,
        message: `left out: only the first ${MAX_REPOSITORY_AGENTS} agent files are read`,
      });
      continue;
    }
    const text = await files.read(path);
    if (text === null) continue;
    if (Buffer.byteLength(text, "utf8") > MAX_AGENT_FILE_BYTES) {
      problems.push({
        file,
        message: `is over the ${MAX_AGENT_FILE_BYTES / 1024} KiB limit for agent files`,
      });
      continue;
    }
    try {
      definitions.push(parseAgentDefinition(withModelDefault(text), file));
    } catch (err) {
      problems.push({ file, message: (err as Error).message, name: n.slice(0, -3) });
    }
  }
  return { definitions, problems };
}

export function buildAgentRegistry(
  app: readonly AgentDefinition[],
  repository: { definitions: readonly AgentDefinition[]; problems: readonly AgentProblem[] } = {
    definitions: [],
    problems: [],
  },
): AgentRegistry {
  const agents = new Map<string, RegisteredAgent>();
  for (const definition of app) agents.set(definition.name.toLowerCase(), { definition, origin: "app" });
  const problems = [...repository.problems];
  const blocked = new Map<string, AgentProblem>();
  const refuse = (key: string, problem: AgentProblem) => {
    problems.push(problem);
    blocked.set(key, problem);
  };
  for (const definition of repository.definitions) {
    const key = definition.name.toLowerCase();
    const taken = agents.get(key);
    if (taken?.origin === "app") {
      refuse(key, {
        file: definition.source,
        name: definition.name,
        message: `${definition.source} is refused: "${definition.name}" is the name of one of the app's built-in agents, which repository files cannot replace; give it another name (its \`name:\` field)`,
      });
    } else if (taken) {
      agents.delete(key);
      refuse(key, {
        file: definition.source,
        name: definition.name,
        message: `${definition.source} and ${taken.definition.source} both declare the agent "${definition.name}"; rename one of them`,
      });
    } else if (!blocked.has(key)) {
      agents.set(key, { definition, origin: "repository" });
    }
  }
  const fallback = agents.get(DEFAULT_AGENT)?.definition ?? app[0];
  return { agents, problems, blocked, inheritModel: fallback?.model ?? "opus" };
}

/** The app's agents plus the repository's, read through `files` (at the default or base branch). */
export async function loadAgentRegistry(
  options: { files?: RepoFiles; appAgentsDir?: string } = {},
): Promise<AgentRegistry> {
  const app = await loadAppAgents(options.appAgentsDir);
  const repository = options.files ? await loadRepositoryAgents(options.files) : undefined;
  return buildAgentRegistry(app, repository);
}

/** A Markdown note for the tracking comment about refused repository agent files; "" when none. */
export function renderAgentProblems(problems: readonly AgentProblem[]): string {
  if (problems.length === 0) return "";
  const lines = problems.map(
    (p) =>
      `- \`${p.file}\`: ${p.message.startsWith(p.file) ? p.message.slice(p.file.length).replace(/^[:\s]+/, "") : p.message}`,
  );
  return ["**Repository agent files that were not loaded:**", ...lines].join("\n");
}

export interface AgentRequest {
  registry: AgentRegistry;
  /** From `/agent @name …`. */
  requested?: string;
  /** The label that triggered the job. */
  label?: string;
  config: RepoConfig;
}

/**
 * The agent for a job: `/agent @name` first, then the label map, then `agents.default`.
 * The returned definition carries the model to run: the configuration's `model` when set
 * (a repository-wide choice), else the agent's own, with `inherit` meaning the default agent's.
 */
export function resolveAgent({ registry, requested, label, config }: AgentRequest): AgentDefinition {
  const labels = config.agents.labels;
  const labelKey =
    label === undefined
      ? undefined
      : (Object.keys(labels).find((l) => l === label) ??
        Object.keys(labels).find((l) => l.toLowerCase() === label.toLowerCase()));
  const [name, why] = requested
    ? [requested, `asked for with /${config.trigger.command} @${requested}`]
    : labelKey !== undefined
      ? [labels[labelKey]!, `mapped from the label "${labelKey}" by agents.labels in ${CONFIG_PATH}`]
      : [
          config.agents.default,
          config.agents.default === DEFAULT_AGENT ? "the default agent" : `agents.default in ${CONFIG_PATH}`,
        ];
  const key = name.toLowerCase();
  const available = [...registry.agents.values()];
  const found = registry.agents.get(key);
  // A blocked name, or a broken file that would have provided the missing agent.
  const refused =
    registry.blocked.get(key) ??
    (found ? undefined : registry.problems.find((p) => p.name?.toLowerCase() === key));
  if (refused)
    throw new AgentSelectionError(
      `The agent "${name}" (${why}) cannot be used: ${refused.message}`,
      available,
    );
  if (!found) {
    const names = available.map((a) => `@${a.definition.name}`).join(", ");
    throw new AgentSelectionError(
      `There is no agent named "${name}" (${why}). Available agents: ${names}`,
      available,
    );
  }
  const own = found.definition.model;
  return {
    ...found.definition,
    model: config.model ?? (own === INHERIT_MODEL ? registry.inheritModel : own),
  };
}
