// Step 2 of a GitHub job: what the agent reads besides the trigger — the thread as it stood
// at trigger time, the pull request's files, the repository's instructions and the agent
// itself, all read from GitHub (instructions and agents at the default or base branch, never
// a PR's head).
import type { TaskContext, WorkPlan } from "../../pipeline/ports.js";
import type { TaskRequest } from "../../pipeline/task.js";
import { type AgentMaterial, loadAgentMaterial } from "../../repo/agent-material.js";
import { instructionsRef } from "../../repo/index.js";
import type { GitHubClient } from "../auth/client.js";
import { githubRepoFiles } from "./contents-api-files.js";
import { followUpMaterial } from "./follow-up-context.js";
import type { GateFacts } from "./gate.js";
import { pullRequestContext } from "./pull-request-context.js";
import type { ReviewLineComment } from "./review-context.js";
import { readThread } from "./thread.js";

export interface TaskContextOptions {
  appAgentsDir?: string;
  /** Characters of thread comments given to the agent. Default 60,000. */
  maxThreadChars?: number;
  /** The App's slug: its own check runs are never CI material. */
  appSlug?: string;
}

/** GitHub's web origin, from the clone URL the API gave (the same host serves both). */
function webOrigin(cloneUrl: string): string | undefined {
  try {
    return new URL(cloneUrl).origin;
  } catch {
    return undefined;
  }
}

export async function taskContextOnGitHub(
  gh: GitHubClient,
  task: TaskRequest,
  plan: WorkPlan,
  facts: GateFacts,
  options: TaskContextOptions,
): Promise<TaskContext & { problems: AgentMaterial["problems"]; reviewComments?: ReviewLineComment[] }> {
  const { owner, repo, number } = task.target;
  const { trigger } = task;
  const ref = instructionsRef(task.target, {
    defaultBranch: facts.repo.defaultBranch,
    baseRef: facts.pr?.baseRef,
  });
  const prContext = facts.pr ? pullRequestContext(gh, { owner, repo }, facts.pr) : undefined;
  prContext?.catch(() => undefined);
  const followUp = followUpMaterial(gh, task, facts.pr, {
    webOrigin: webOrigin(facts.repo.cloneUrl),
    ...(options.appSlug ? { appSlug: options.appSlug } : {}),
  });
  followUp.catch(() => undefined);
  const focus = (async () => [
    ...((await prContext)?.paths ?? []),
    ...((await followUp.catch(() => undefined))?.paths ?? []),
    ...(task.context.review ? [task.context.review.path] : []),
  ])();
  const [comments, material, pr, extra] = await Promise.all([
    readThread(
      gh,
      { owner, repo, number },
      trigger.at,
      options.maxThreadChars ?? 60_000,
      trigger.kind === "issue_command" || trigger.kind === "pr_command" ? [trigger.commentId] : [],
    ),
    loadAgentMaterial({
      files: githubRepoFiles(gh, { owner, repo, ref }),
      config: plan.config,
      appAgentsDir: options.appAgentsDir,
      requested: task.agent,
      label: trigger.kind === "issue_label" ? trigger.label : undefined,
      focus,
    }),
    prContext,
    followUp,
  ]);
  return {
    task: {
      ...task,
      context: {
        ...task.context,
        comments,
        ...(extra?.title && !task.context.title ? { title: extra.title } : {}),
      },
      agent: material.definition.name,
    },
    definition: material.definition,
    tools: material.tools,
    material: [material.instructions, pr?.text, extra?.text].filter(Boolean).join("\n\n"),
    ...(trigger.actorId
      ? {
          coAuthor: {
            name: trigger.actor,
            email: `${trigger.actorId}+${trigger.actor}@users.noreply.github.com`,
          },
        }
      : {}),
    problems: material.problems,
    ...(extra?.reviewComments
      ? { reviewComments: extra.reviewComments, reviewCommentIds: extra.reviewComments.map((c) => c.id) }
      : {}),
  };
}
