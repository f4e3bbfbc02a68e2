// Webhook payload → a typed trigger (or the reason it is none). Pure: no network, so the
// webhook is answered at once; authorization and everything else happen in the job. A new
// kind of trigger is a new case here and what the job's context step gathers for it.
import { z } from "zod";
import type { TaskRequest, Trigger } from "../pipeline/task.js";
import { type BasePush, isUpdateCommand, parsePush, UPDATE_INSTRUCTION } from "./base-update.js";
import { parseAgentCommand } from "./command.js";
import type { FollowUpParseContext } from "./follow-up-parse.js";
import { DEFAULT_REPO_TRIGGERS, type RepoTriggers, triggerMismatch } from "./match.js";
import { parseCheckRunCompleted } from "./parse-check-run.js";
import { parseCheckSuiteCompleted } from "./parse-check-suite.js";
import { parseReviewSubmitted } from "./parse-review.js";
import { type FailingStatus, parseStatus } from "./parse-status.js";
import { mayBeCollaborator } from "./permission.js";
import { capText, sanitizeUntrusted } from "./sanitize.js";
import { isStopCommand, type StopRequest } from "./stop-command.js";

export interface TriggerSettings extends RepoTriggers {
  /** The App's own slug, so its comments never trigger it. */
  appSlug?: string;
  /** The App's id, so its own check runs never trigger it. */
  appId?: number;
  /** Untrusted text above this size is cut (a 1 MB issue body must not flood the prompt). */
  maxContextChars: number;
}

export const DEFAULT_TRIGGER_SETTINGS: TriggerSettings = {
  ...DEFAULT_REPO_TRIGGERS,
  maxContextChars: 60_000,
};

/** What a trigger's 👀 goes on: the issue itself, or the comment that asked. */
export type ReactionSubject = "issue" | "issue_comment" | "review_comment";

export type ParsedTrigger =
  | { kind: "ignore"; reason: string }
  | {
      kind: "task";
      task: TaskRequest;
      /** Where to react 👀 (only when the sender may plausibly be a collaborator). */
      reaction?: { subject: ReactionSubject; id: number };
    }
  /** `/agent stop`: ends the target's job instead of queueing one (src/triggers/stop-command.ts). */
  | { kind: "stop"; stop: StopRequest; reason: string }
  /** A failing commit status: its pull request is looked up, then `statusTask` makes the task. */
  | { kind: "status"; status: FailingStatus; reason: string }
  /** A push to a branch: the bot's pull requests into it are looked up, then `baseUpdateTask` per PR. */
  | { kind: "push"; push: BasePush; reason: string };

export class MalformedPayloadError extends Error {
  override name = "MalformedPayloadError";
}

const user = z.object({ login: z.string(), id: z.number().optional(), type: z.string().optional() });
const repository = z.object({
  id: z.number().optional(),
  name: z.string(),
  owner: z.object({ login: z.string() }),
});
const thread = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullable().optional(),
});
const issue = thread.extend({ pull_request: z.unknown().optional(), state: z.string().optional() });
const base = z.object({ sender: user, repository, installation: z.object({ id: z.number() }).optional() });
const comment = z.object({
  id: z.number(),
  body: z.string(),
  user,
  author_association: z.string().optional(),
  created_at: z.string().optional(),
});

const labeled = base.extend({ action: z.literal("labeled"), label: z.object({ name: z.string() }), issue });
const issueComment = base.extend({ action: z.literal("created"), issue, comment });
const reviewComment = base.extend({
  action: z.literal("created"),
  pull_request: thread,
  comment: comment.extend({
    path: z.string(),
    line: z.number().nullable().optional(),
    diff_hunk: z.string(),
  }),
});

function parse<T>(schema: z.ZodType<T>, payload: unknown, event: string): T {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const first = result.error.issues[0]!;
    throw new MalformedPayloadError(
      `${event} payload: ${first.path.join(".") || "(root)"}: ${first.message}`,
    );
  }
  return result.data;
}

function isBot(sender: { login: string; type?: string }, settings: TriggerSettings): boolean {
  return sender.type === "Bot" || sender.login.endsWith("[bot]") || sender.login === settings.appSlug;
}

type Base = z.infer<typeof base>;

/** A comment event's parts: the payload, the issue or PR it is on, and a diff line's focus. */
function commentEvent(event: string, payload: unknown) {
  if (event === "pull_request_review_comment.created") {
    const p = parse(reviewComment, payload, event);
    const { path, line, diff_hunk: diffHunk } = p.comment;
    return { p, subject: p.pull_request, onPr: true, review: { path, line: line ?? undefined, diffHunk } };
  }
  const p = parse(issueComment, payload, event);
  return { p, subject: p.issue, onPr: Boolean(p.issue.pull_request), review: undefined };
}

export function parseTriggerEvent(
  name: string,
  deliveryId: string,
  payload: unknown,
  settings: TriggerSettings = DEFAULT_TRIGGER_SETTINGS,
): ParsedTrigger {
  const action = (payload as { action?: unknown } | null)?.action;
  const event = `${name}.${String(action)}`;
  const clean = (text: string | null | undefined) =>
    capText(sanitizeUntrusted(text), settings.maxContextChars);
  const at = new Date().toISOString();
  const taskOf = (
    p: Base,
    number: number,
    kind: TaskRequest["target"]["kind"],
    trigger: Trigger,
    context: TaskRequest["context"],
    agent?: string,
  ): TaskRequest => ({
    deliveryId,
    installationId: p.installation?.id,
    ...(p.repository.id ? { repositoryId: p.repository.id } : {}),
    target: { owner: p.repository.owner.login, repo: p.repository.name, number, kind },
    trigger,
    context,
    ...(agent ? { agent } : {}),
  });
  const matched = (parsed: ParsedTrigger): ParsedTrigger => {
    if (parsed.kind !== "task") return parsed;
    const mismatch = triggerMismatch(parsed.task.trigger, settings);
    return mismatch ? { kind: "ignore", reason: mismatch } : parsed;
  };

  if (event === "issues.labeled") {
    const p = parse(labeled, payload, event);
    if (isBot(p.sender, settings)) return { kind: "ignore", reason: "sender is a bot" };
    if (p.issue.pull_request)
      return { kind: "ignore", reason: "labels on pull requests do not trigger jobs" };
    const trigger: Trigger = {
      kind: "issue_label",
      actor: p.sender.login,
      actorId: p.sender.id,
      instruction: "",
      label: p.label.name,
      at,
    };
    const context = { title: clean(p.issue.title), body: clean(p.issue.body), comments: [] };
    return matched({
      kind: "task",
      task: taskOf(p, p.issue.number, "issue", trigger, context),
      reaction: { subject: "issue", id: p.issue.number },
    });
  }

  if (event === "issue_comment.created" || event === "pull_request_review_comment.created") {
    const { p, subject, onPr, review } = commentEvent(event, payload);
    if (isBot(p.comment.user, settings) || isBot(p.sender, settings)) {
      return { kind: "ignore", reason: "sender is a bot" };
    }
    const command = parseAgentCommand(p.comment.body, settings.commandWord);
    if (!command) return { kind: "ignore", reason: `no /${settings.commandWord} command` };
    if (isStopCommand(command)) {
      const { owner, repo } = { owner: p.repository.owner.login, repo: p.repository.name };
      const target = { owner, repo, number: subject.number, kind: onPr ? "pull_request" : "issue" } as const;
      const by = { actor: p.comment.user.login, actorId: p.comment.user.id, commentId: p.comment.id };
      const stop = { deliveryId, installationId: p.installation?.id, target, ...by };
      const request = { ...stop, command: settings.commandWord, at: p.comment.created_at ?? at };
      return { kind: "stop", stop: request, reason: "a stop request, not a task" };
    }
    if (onPr && !review && isUpdateCommand(command)) {
      const trigger: Trigger = {
        kind: "base_update",
        via: "command",
        actor: p.comment.user.login,
        actorId: p.comment.user.id,
        instruction: UPDATE_INSTRUCTION,
        at: p.comment.created_at ?? at,
        commentId: p.comment.id,
        updateCommand: settings.commandWord,
      };
      const context = { title: clean(subject.title), body: clean(subject.body), comments: [] };
      return matched({
        kind: "task",
        task: taskOf(p, subject.number, "pull_request", trigger, context),
        reaction: mayBeCollaborator(p.comment.author_association)
          ? { subject: "issue_comment", id: p.comment.id }
          : undefined,
      });
    }
    const fields = {
      actor: p.comment.user.login,
      actorId: p.comment.user.id,
      instruction: clean(command.instruction),
      command: settings.commandWord,
      commentId: p.comment.id,
      at: p.comment.created_at ?? at,
    };
    const trigger: Trigger = review
      ? { kind: "review_comment_command", ...fields }
      : { kind: onPr ? "pr_command" : "issue_command", ...fields };
    const context = {
      title: clean(subject.title),
      body: clean(subject.body),
      comments: [],
      ...(review ? { review } : {}),
    };
    return matched({
      kind: "task",
      task: taskOf(p, subject.number, onPr ? "pull_request" : "issue", trigger, context, command.agent),
      reaction: mayBeCollaborator(p.comment.author_association)
        ? { subject: review ? "review_comment" : "issue_comment", id: p.comment.id }
        : undefined,
    });
  }

  const followUps = ["pull_request_review.submitted", "check_run.completed", "check_suite.completed"];
  if (followUps.includes(event) || name === "status" || name === "push") {
    const ctx: FollowUpParseContext = {
      deliveryId,
      at,
      commandWord: settings.commandWord,
      appSlug: settings.appSlug,
      appId: settings.appId,
      clean,
      parse,
      isBot: (u) => isBot(u, settings),
    };
    // Status and push events have no action.
    if (name === "status") return parseStatus(payload, ctx);
    if (name === "push") return parsePush(payload, ctx);
    const parsed =
      event === "check_run.completed"
        ? parseCheckRunCompleted(payload, ctx)
        : event === "check_suite.completed"
          ? parseCheckSuiteCompleted(payload, ctx)
          : parseReviewSubmitted(payload, ctx);
    return matched(parsed);
  }

  return { kind: "ignore", reason: `event ${event} is not a trigger` };
}
