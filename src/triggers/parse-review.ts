// `pull_request_review.submitted` → a pr_review trigger. The payload carries the review, not
// its line comments: the job lists those (github/review-context.ts). A review triggers when
// its body has the repository's command, or — the gate decides, with the repository's
// `pull_request.on_review` — when it requests changes on a pull request the bot opened.
import { z } from "zod";
import type { PrReviewTrigger } from "../pipeline/task.js";
import { parseAgentCommand } from "./command.js";
import type { FollowUpParseContext, FollowUpParsed } from "./follow-up-parse.js";

const user = z.object({ login: z.string(), id: z.number().optional(), type: z.string().optional() });
const reviewSubmitted = z.object({
  action: z.literal("submitted"),
  sender: user,
  repository: z.object({
    id: z.number().optional(),
    name: z.string(),
    owner: z.object({ login: z.string() }),
  }),
  installation: z.object({ id: z.number() }).optional(),
  review: z.object({
    id: z.number(),
    body: z.string().nullable().optional(),
    state: z.string(),
    user,
    submitted_at: z.string().nullable().optional(),
  }),
  pull_request: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string().nullable().optional(),
    user: user.optional(),
  }),
});

/** What the job does for a review that asks by its state alone. */
export const REVIEW_INSTRUCTION =
  "A reviewer submitted the review below on this pull request. Address each of its comments on this branch as the reviewer asks; where you do not, say why in your report.";

export function parseReviewSubmitted(payload: unknown, ctx: FollowUpParseContext): FollowUpParsed {
  const event = "pull_request_review.submitted";
  const p = ctx.parse(reviewSubmitted, payload, event);
  if (ctx.isBot(p.review.user) || ctx.isBot(p.sender)) return { kind: "ignore", reason: "sender is a bot" };
  const state = p.review.state.toLowerCase();
  const command = parseAgentCommand(p.review.body, ctx.commandWord);
  if (!command) {
    if (state !== "changes_requested") return { kind: "ignore", reason: `no /${ctx.commandWord} command` };
    // Only a PR the bot opened answers a bare "Request changes"; the gate checks the author again.
    if (p.pull_request.user && !ctx.isBot(p.pull_request.user)) {
      return { kind: "ignore", reason: "changes requested on a person's pull request" };
    }
  }
  const trigger: PrReviewTrigger = {
    kind: "pr_review",
    actor: p.review.user.login,
    actorId: p.review.user.id,
    instruction: command ? ctx.clean(command.instruction) || REVIEW_INSTRUCTION : REVIEW_INSTRUCTION,
    at: p.review.submitted_at ?? ctx.at,
    reviewId: p.review.id,
    reviewState: state,
    ...(command ? { reviewCommand: ctx.commandWord } : {}),
  };
  const { owner, name: repo } = { owner: p.repository.owner.login, name: p.repository.name };
  return {
    kind: "task",
    task: {
      deliveryId: ctx.deliveryId,
      installationId: p.installation?.id,
      ...(p.repository.id ? { repositoryId: p.repository.id } : {}),
      target: { owner, repo, number: p.pull_request.number, kind: "pull_request" },
      trigger,
      context: {
        title: ctx.clean(p.pull_request.title),
        // The review's own body and line comments are read when the job runs.
        body: ctx.clean(p.pull_request.body),
        comments: [],
      },
      ...(command?.agent ? { agent: command.agent } : {}),
    },
  };
}
