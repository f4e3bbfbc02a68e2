// The agent a job runs, the tools it may use and the repository's instructions, read through
// a RepoFiles adapter (GitHub's contents API in the app, git in the CLI): one way for both.
import type { AgentDefinition } from "../agent/definition.js";
import { TOOL_NAMES } from "../agent/tools/registry.js";
import { JobRefusal } from "../pipeline/job-errors.js";
import {
  type AgentProblem,
  AgentSelectionError,
  AgentToolsError,
  loadAgentRegistry,
  resolveAgent,
} from "./agent-registry.js";
import type { RepoConfig } from "./config-schema.js";
import { foldersOf, loadRepoInstructions } from "./instructions.js";
import type { RepoFiles } from "./repo-files.js";
import { allowedTools } from "./tool-restriction.js";

export interface AgentMaterialRequest {
  files: RepoFiles;
  config: RepoConfig;
  appAgentsDir?: string;
  /** `/agent @name`. */
  requested?: string;
  /** The label that triggered the job (agents.labels may map it). */
  label?: string;
  /** Paths the job is about (a PR's files, a review comment's file): their folders' instructions count. */
  focus?: Promise<readonly string[]> | readonly string[];
  /** An agent given directly (the CLI's `--agent file.md`) instead of one by name. */
  definition?: AgentDefinition;
}

export interface AgentMaterial {
  definition: AgentDefinition;
  tools: string[];
  /** The repository's instructions block; "" when it has none. */
  instructions: string;
  /** Repository agent files that were refused (shown to people, never fatal). */
  problems: readonly AgentProblem[];
}

/** Throws JobRefusal when the agent asked for does not exist or asks for tools it cannot have. */
export async function loadAgentMaterial(req: AgentMaterialRequest): Promise<AgentMaterial> {
  const [registry, focus] = await Promise.all([
    loadAgentRegistry({ files: req.files, appAgentsDir: req.appAgentsDir }),
    req.focus ?? [],
  ]);
  let definition: AgentDefinition;
  let tools: string[];
  try {
    definition =
      req.definition ??
      resolveAgent({ registry, requested: req.requested, label: req.label, config: req.config });
    tools = allowedTools(definition, TOOL_NAMES);
  } catch (err) {
    if (err instanceof AgentSelectionError) throw new JobRefusal(err.message, err.render());
    if (err instanceof AgentToolsError) throw new JobRefusal(err.message);
    throw err;
  }
  const instructions = await loadRepoInstructions(req.files, { folders: foldersOf(focus) });
  return { definition, tools, instructions: instructions.text, problems: registry.problems };
}
