// What the agent reads besides the trigger: the thread as it stood at trigger time, the
// pull request's files, the repository's instructions and the agent itself, all read from
// GitHub (instructions and agents at the default or base branch, never a PR's head).
import type { AgentDefinition } from "../agent/definition.js";
import { TOOL_NAMES } from "../agent/tools/registry.js";
import type { TaskRequest } from "../jobs/task.js";
import {
  allowedTools,
  foldersOf,
  githubRepoFiles,
  instructionsRef,
  loadAgentRegistry,
  loadRepoInstructions,
  type RepoConfig,
  renderAgentProblems,
  resolveAgent,
} from "../repo/index.js";
import type { GitHubClient } from "./client.js";
import { pullRequestContext } from "./pull-request-context.js";
import { type PullRequestInfo, readThread } from "./thread.js";

export interface MaterialOptions {
  appAgentsDir?: string;
  /** Characters of thread comments given to the agent. Default 60,000. */
  maxThreadChars?: number;
}

export interface Material {
  task: TaskRequest;
  definition: AgentDefinition;
  tools: string[];
  extraContext: string;
  notes: string;
}

/** The thread, the PR, the repository's instructions and the agent, read in parallel. */
export async function gatherMaterial(
  gh: GitHubClient,
  task: TaskRequest,
  pr: PullRequestInfo | undefined,
  config: RepoConfig,
  deps: MaterialOptions,
): Promise<Material> {
  const { owner, repo, number } = task.target;
  const files = githubRepoFiles(gh, { owner, repo, ref: pr?.baseRef ?? instructionsRef(task) });
  const [comments, prContext, registry] = await Promise.all([
    readThread(
      gh,
      { owner, repo, number },
      task.trigger.at,
      deps.maxThreadChars ?? 60_000,
      task.trigger.commentId && task.trigger.kind === "comment" ? [task.trigger.commentId] : [],
    ),
    pr ? pullRequestContext(gh, { owner, repo }, pr) : undefined,
    loadAgentRegistry({ files, appAgentsDir: deps.appAgentsDir }),
  ]);
  const definition = resolveAgent({ registry, requested: task.agent, label: task.trigger.label, config });
  const tools = allowedTools(definition, TOOL_NAMES);
  const focus = [...(prContext?.paths ?? []), ...(task.context.review ? [task.context.review.path] : [])];
  const instructions = await loadRepoInstructions(files, { folders: foldersOf(focus) });
  return {
    task: {
      ...task,
      context: { ...task.context, comments },
      repository: pr
        ? {
            ...task.repository,
            headRef: pr.headRef,
            baseRef: pr.baseRef,
            headRepoFullName: pr.headRepoFullName,
          }
        : task.repository,
      agent: definition.name,
    },
    definition,
    tools,
    extraContext: [instructions.text, prContext?.text].filter(Boolean).join("\n\n"),
    notes: renderAgentProblems(registry.problems),
  };
}
