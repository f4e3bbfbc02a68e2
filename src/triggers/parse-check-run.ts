// `check_run.completed` → a ci_failure trigger: a check from another app concluded failure
// or timed_out on the head commit of a pull request. Whether the PR is the bot's, open, and
// within the attempt limit is the gate's to decide (it asks GitHub). The delivery id becomes
// "CI failed on this head" (ciDeliveryId), so redeliveries, re-runs and several failing
// checks, suites or statuses on one head make one job.
import { z } from "zod";
import type { CiFailureTrigger, TaskRequest } from "../pipeline/task.js";
import type { FollowUpParseContext, FollowUpParsed } from "./follow-up-parse.js";

/** Conclusions of a check run or suite that start a fix. */
export const FAILED_CONCLUSIONS = new Set(["failure", "timed_out"]);

/** What every CI event carries about where it happened. */
export const ciEventWhere = {
  repository: z.object({
    id: z.number().optional(),
    name: z.string(),
    owner: z.object({ login: z.string() }),
  }),
  installation: z.object({ id: z.number() }).optional(),
};

/** The pull requests a check run or suite names (empty for forks). */
export const checkPullRequests = z
  .array(z.object({ number: z.number().int().positive(), head: z.object({ sha: z.string() }).optional() }))
  .default([]);

const checkRunCompleted = z.object({
  action: z.literal("completed"),
  ...ciEventWhere,
  check_run: z.object({
    id: z.number(),
    name: z.string(),
    head_sha: z.string().regex(/^[0-9a-f]{40}$/i, "must be a commit sha"),
    conclusion: z.string().nullable().optional(),
    app: z.object({ id: z.number().optional(), slug: z.string() }).nullable().optional(),
    pull_requests: checkPullRequests,
  }),
});

/** One job per pull request head, whatever reported the failure. */
export function ciDeliveryId(owner: string, repo: string, number: number, headSha: string): string {
  return `ci:${owner}/${repo}#${number}@${headSha.toLowerCase()}`;
}

/** The fix job of a failing check run, check suite or status on a pull request's head. */
export function ciFailureTask(
  where: {
    owner: string;
    repo: string;
    installationId?: number | undefined;
    repositoryId?: number | undefined;
  },
  pullNumber: number,
  trigger: CiFailureTrigger,
): TaskRequest {
  const { owner, repo } = where;
  return {
    deliveryId: ciDeliveryId(owner, repo, pullNumber, trigger.headSha),
    installationId: where.installationId,
    ...(where.repositoryId ? { repositoryId: where.repositoryId } : {}),
    target: { owner, repo, number: pullNumber, kind: "pull_request" },
    trigger,
    context: { title: "", body: "", comments: [] },
  };
}

/** Whether an app is the App itself (its own checks never trigger it). */
export function isOwnApp(app: { id?: number; slug: string }, ctx: FollowUpParseContext): boolean {
  return (
    (ctx.appId !== undefined && app.id === ctx.appId) || Boolean(ctx.appSlug && app.slug === ctx.appSlug)
  );
}

export const CI_FIX_INSTRUCTION =
  "A check of this repository's own CI failed on this pull request's head commit; its output is in the material below. Find the cause in the code and fix it on this branch so the check passes. Do not weaken, skip or delete tests or checks, and do not change CI configuration.";

export function parseCheckRunCompleted(payload: unknown, ctx: FollowUpParseContext): FollowUpParsed {
  const p = ctx.parse(checkRunCompleted, payload, "check_run.completed");
  const run = p.check_run;
  const conclusion = run.conclusion ?? "none";
  if (!FAILED_CONCLUSIONS.has(conclusion)) return { kind: "ignore", reason: `check concluded ${conclusion}` };
  const app = run.app ?? { slug: "unknown" };
  if (isOwnApp(app, ctx)) return { kind: "ignore", reason: "the bot's own check" };
  const pr = run.pull_requests.find((r) => !r.head || r.head.sha === run.head_sha);
  if (!pr) return { kind: "ignore", reason: "check run without a pull request of this repository" };
  const owner = p.repository.owner.login;
  const repo = p.repository.name;
  const trigger: CiFailureTrigger = {
    kind: "ci_failure",
    source: "check_run",
    actor: `${app.slug}[bot]`,
    instruction: CI_FIX_INSTRUCTION,
    at: ctx.at,
    checkRunId: run.id,
    checkName: run.name.slice(0, 200),
    headSha: run.head_sha.toLowerCase(),
    conclusion,
    checkApp: { slug: app.slug, ...(app.id !== undefined ? { id: app.id } : {}) },
  };
  return {
    kind: "task",
    task: ciFailureTask(
      { owner, repo, installationId: p.installation?.id, repositoryId: p.repository.id },
      pr.number,
      trigger,
    ),
  };
}
