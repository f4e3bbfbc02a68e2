// `check_suite.completed` → a ci_failure trigger, for CI that reports a whole suite (some
// integrations report nothing finer): another app's suite concluded failure or timed_out on
// the head of a pull request. The same job as a failing check run on that head (one per head).
import { z } from "zod";
import type { CiFailureTrigger } from "../pipeline/task.js";
import type { FollowUpParseContext, FollowUpParsed } from "./follow-up-parse.js";
import {
  CI_FIX_INSTRUCTION,
  checkPullRequests,
  ciEventWhere,
  ciFailureTask,
  FAILED_CONCLUSIONS,
  isOwnApp,
} from "./parse-check-run.js";

const checkSuiteCompleted = z.object({
  action: z.literal("completed"),
  ...ciEventWhere,
  check_suite: z.object({
    id: z.number(),
    head_sha: z.string().regex(/^[0-9a-f]{40}$/i, "must be a commit sha"),
    conclusion: z.string().nullable().optional(),
    app: z
      .object({ id: z.number().optional(), slug: z.string(), name: z.string().optional() })
      .nullable()
      .optional(),
    pull_requests: checkPullRequests,
  }),
});

export function parseCheckSuiteCompleted(payload: unknown, ctx: FollowUpParseContext): FollowUpParsed {
  const p = ctx.parse(checkSuiteCompleted, payload, "check_suite.completed");
  const suite = p.check_suite;
  const conclusion = suite.conclusion ?? "none";
  if (!FAILED_CONCLUSIONS.has(conclusion))
    return { kind: "ignore", reason: `check suite concluded ${conclusion}` };
  const app = suite.app ?? { slug: "unknown" };
  if (isOwnApp(app, ctx)) return { kind: "ignore", reason: "the bot's own check suite" };
  const pr = suite.pull_requests.find((r) => !r.head || r.head.sha === suite.head_sha);
  if (!pr) return { kind: "ignore", reason: "check suite without a pull request of this repository" };
  const owner = p.repository.owner.login;
  const repo = p.repository.name;
  const trigger: CiFailureTrigger = {
    kind: "ci_failure",
    source: "check_suite",
    actor: `${app.slug}[bot]`,
    instruction: CI_FIX_INSTRUCTION,
    at: ctx.at,
    checkRunId: suite.id,
    checkName: ("name" in app && app.name ? app.name : app.slug).slice(0, 200),
    headSha: suite.head_sha.toLowerCase(),
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
