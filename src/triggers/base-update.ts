// Keeping the bot's pull requests up to date with their base, as triggers: `/agent update` on a
// pull request (pure, like `/agent stop`), and a `push` to a branch — which names no pull
// request, so the webhook lists the bot's open PRs into that branch (src/github/webhook/
// base-pulls.ts) and `baseUpdateTask` makes one job per PR and per pushed base head. Whether
// the repository opted in (`pull_request.keep_up_to_date`) and the PR is behind is the gate's.
import { z } from "zod";
import type { BaseUpdateTrigger, TaskRequest } from "../pipeline/task.js";
import type { AgentCommand } from "./command.js";
import type { FollowUpParseContext } from "./follow-up-parse.js";

/** `/agent update` alone on its line (a trailing "." or "!" allowed), with nothing below it. */
export function isUpdateCommand(command: AgentCommand): boolean {
  return !command.agent && /^update[.!]?$/i.test(command.instruction.trim());
}

export const UPDATE_INSTRUCTION =
  "Bring this pull request's branch up to date with its base branch: the base has been merged into it and the files listed in the material conflict. Resolve every conflict so the branch keeps both its own change and the base's, remove all conflict markers, and make the code build and its tests pass. Change nothing else.";

const pushEvent = z.object({
  ref: z.string(),
  after: z.string().regex(/^[0-9a-f]{40}$/i, "must be a commit sha"),
  deleted: z.boolean().optional(),
  sender: z.object({ login: z.string(), id: z.number().optional(), type: z.string().optional() }),
  repository: z.object({
    id: z.number().optional(),
    name: z.string(),
    owner: z.object({ login: z.string().optional(), name: z.string().optional() }),
  }),
  installation: z.object({ id: z.number() }).optional(),
});

/** A push to a branch, before the pull requests based on it are known. */
export interface BasePush {
  owner: string;
  repo: string;
  repositoryId?: number;
  installationId?: number;
  branch: string;
  sha: string;
  sender: string;
}

export type PushParsed =
  | { kind: "ignore"; reason: string }
  | { kind: "push"; push: BasePush; reason: string };

export function parsePush(payload: unknown, ctx: FollowUpParseContext): PushParsed {
  const p = ctx.parse(pushEvent, payload, "push");
  if (p.deleted) return { kind: "ignore", reason: "a deleted branch" };
  if (!p.ref.startsWith("refs/heads/")) return { kind: "ignore", reason: "a push to a tag" };
  const owner = p.repository.owner.login ?? p.repository.owner.name;
  if (!owner) return { kind: "ignore", reason: "a push without a repository owner" };
  return {
    kind: "push",
    reason: "a push: the bot's pull requests into this branch are looked up first",
    push: {
      owner,
      repo: p.repository.name,
      ...(p.repository.id ? { repositoryId: p.repository.id } : {}),
      ...(p.installation ? { installationId: p.installation.id } : {}),
      branch: p.ref.slice("refs/heads/".length),
      sha: p.after.toLowerCase(),
      sender: p.sender.login,
    },
  };
}

/** The job for one of the bot's pull requests into the pushed branch. */
export function baseUpdateTask(push: BasePush, pullNumber: number, at: string): TaskRequest {
  const trigger: BaseUpdateTrigger = {
    kind: "base_update",
    via: "push",
    actor: push.sender,
    instruction: UPDATE_INSTRUCTION,
    at,
    baseSha: push.sha,
  };
  return {
    deliveryId: `update:${push.owner}/${push.repo}#${pullNumber}@${push.sha}`,
    installationId: push.installationId,
    ...(push.repositoryId ? { repositoryId: push.repositoryId } : {}),
    target: { owner: push.owner, repo: push.repo, number: pullNumber, kind: "pull_request" },
    trigger,
    context: { title: "", body: "", comments: [] },
  };
}
