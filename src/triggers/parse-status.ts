// `status` → a ci_failure trigger, for CI that reports through commit statuses (Jenkins,
// CircleCI, Buildkite, older integrations): a status turned failure or error. A status names
// its commit and the branches at it, never a pull request, so the webhook finds the open PR
// whose head it is (src/github/webhook/status-pull.ts) and then builds the task here. The
// same job as a failing check on that head: one per head.
import { z } from "zod";
import type { CiFailureTrigger, TaskRequest } from "../pipeline/task.js";
import type { FollowUpParseContext } from "./follow-up-parse.js";
import { CI_FIX_INSTRUCTION, ciEventWhere, ciFailureTask } from "./parse-check-run.js";

const FAILED = new Set(["failure", "error"]);

const statusEvent = z.object({
  id: z.number(),
  sha: z.string().regex(/^[0-9a-f]{40}$/i, "must be a commit sha"),
  state: z.string(),
  context: z.string(),
  description: z.string().nullable().optional(),
  target_url: z.string().nullable().optional(),
  branches: z.array(z.object({ name: z.string() })).default([]),
  sender: z.object({ login: z.string(), id: z.number().optional(), type: z.string().optional() }),
  ...ciEventWhere,
});

/** A failing status before its pull request is known. */
export interface FailingStatus {
  owner: string;
  repo: string;
  repositoryId?: number;
  installationId?: number;
  sha: string;
  /** Branches whose tip the commit is (the PR's head branch among them). */
  branches: string[];
  trigger: CiFailureTrigger;
}

export type StatusParsed =
  | { kind: "ignore"; reason: string }
  | { kind: "status"; status: FailingStatus; reason: string };

export function parseStatus(payload: unknown, ctx: FollowUpParseContext): StatusParsed {
  const p = ctx.parse(statusEvent, payload, "status");
  if (!FAILED.has(p.state)) return { kind: "ignore", reason: `status is ${p.state}` };
  const own = ctx.appSlug && [ctx.appSlug, `${ctx.appSlug}[bot]`].includes(p.sender.login);
  if (own) return { kind: "ignore", reason: "the bot's own status" };
  if (p.branches.length === 0) return { kind: "ignore", reason: "status on a commit no branch points at" };
  const sha = p.sha.toLowerCase();
  const description = ctx.clean(p.description).slice(0, 1000);
  const trigger: CiFailureTrigger = {
    kind: "ci_failure",
    source: "status",
    actor: p.sender.login,
    instruction: CI_FIX_INSTRUCTION,
    at: ctx.at,
    checkRunId: p.id,
    checkName: ctx.clean(p.context).slice(0, 200),
    headSha: sha,
    conclusion: p.state,
    checkApp: { slug: p.sender.login.replace(/\[bot\]$/, "") },
    ...(description ? { description } : {}),
    ...(p.target_url ? { targetUrl: p.target_url.slice(0, 2000) } : {}),
  };
  return {
    kind: "status",
    reason: "a failing status: its pull request is looked up first",
    status: {
      owner: p.repository.owner.login,
      repo: p.repository.name,
      ...(p.repository.id ? { repositoryId: p.repository.id } : {}),
      ...(p.installation ? { installationId: p.installation.id } : {}),
      sha,
      branches: p.branches.map((b) => b.name).slice(0, 10),
      trigger,
    },
  };
}

/** The task once the status's pull request is known. */
export function statusTask(status: FailingStatus, pullNumber: number): TaskRequest {
  return ciFailureTask(status, pullNumber, status.trigger);
}
