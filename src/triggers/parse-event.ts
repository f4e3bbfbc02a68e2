// Webhook payload → what to do about it. Pure: no network, so the webhook is answered
// at once; authorization and everything else happen in the job.
import { z } from "zod";
import type { TaskRequest } from "../jobs/task.js";
import { parseAgentCommand } from "./command.js";
import { mayBeCollaborator } from "./permission.js";
import { capText, sanitizeUntrusted } from "./sanitize.js";

export interface TriggerSettings {
  /** Labels that start a job on an issue (the repository's trigger label and agent map). */
  labels: readonly string[];
  commandWord: string;
  /** The App's own slug, so its comments never trigger it. */
  appSlug?: string;
  /** Untrusted text above this size is cut (a 1 MB issue body must not flood the prompt). */
  maxContextChars: number;
}

export const DEFAULT_TRIGGER_SETTINGS: TriggerSettings = {
  labels: ["backend-go"],
  commandWord: "agent",
  maxContextChars: 60_000,
};

export type ParsedTrigger =
  | { kind: "ignore"; reason: string }
  | {
      kind: "task";
      task: TaskRequest;
      /** Where to react 👀 (only when the sender may plausibly be a collaborator). */
      reaction?: { subject: "issue" | "issue_comment" | "review_comment"; id: number };
    };

export class MalformedPayloadError extends Error {
  override name = "MalformedPayloadError";
}

const user = z.object({ login: z.string(), id: z.number().optional(), type: z.string().optional() });
const repository = z.object({
  name: z.string(),
  owner: z.object({ login: z.string() }),
  clone_url: z.string(),
  default_branch: z.string(),
});
const issue = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullable().optional(),
  pull_request: z.unknown().optional(),
  state: z.string().optional(),
});
const base = z.object({ sender: user, repository, installation: z.object({ id: z.number() }).optional() });

const labeled = base.extend({ action: z.literal("labeled"), label: z.object({ name: z.string() }), issue });
const issueComment = base.extend({
  action: z.literal("created"),
  issue,
  comment: z.object({
    id: z.number(),
    body: z.string(),
    user,
    author_association: z.string().optional(),
    created_at: z.string().optional(),
  }),
});
const branchRef = z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }).nullable() });
const reviewComment = base.extend({
  action: z.literal("created"),
  pull_request: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string().nullable().optional(),
    head: branchRef,
    base: branchRef,
  }),
  comment: z.object({
    id: z.number(),
    body: z.string(),
    user,
    path: z.string(),
    line: z.number().nullable().optional(),
    diff_hunk: z.string(),
    author_association: z.string().optional(),
    created_at: z.string().optional(),
  }),
});

function parse<T>(schema: z.ZodType<T>, payload: unknown, event: string): T {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const issue0 = result.error.issues[0]!;
    throw new MalformedPayloadError(
      `${event} payload: ${issue0.path.join(".") || "(root)"}: ${issue0.message}`,
    );
  }
  return result.data;
}

function isBot(sender: { login: string; type?: string }, settings: TriggerSettings): boolean {
  return sender.type === "Bot" || sender.login.endsWith("[bot]") || sender.login === settings.appSlug;
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

  if (event === "issues.labeled") {
    const p = parse(labeled, payload, event);
    if (!settings.labels.includes(p.label.name))
      return { kind: "ignore", reason: `label "${p.label.name}" is not ours` };
    if (isBot(p.sender, settings)) return { kind: "ignore", reason: "sender is a bot" };
    if (p.issue.pull_request)
      return { kind: "ignore", reason: "labels on pull requests do not trigger jobs" };
    return {
      kind: "task",
      task: {
        deliveryId,
        installationId: p.installation?.id,
        target: {
          owner: p.repository.owner.login,
          repo: p.repository.name,
          number: p.issue.number,
          kind: "issue",
        },
        trigger: {
          kind: "label",
          actor: p.sender.login,
          actorId: p.sender.id,
          instruction: "",
          label: p.label.name,
          at,
        },
        context: { title: clean(p.issue.title), body: clean(p.issue.body), comments: [] },
        repository: { cloneUrl: p.repository.clone_url, defaultBranch: p.repository.default_branch },
      },
      reaction: { subject: "issue", id: p.issue.number },
    };
  }

  if (event === "issue_comment.created") {
    const p = parse(issueComment, payload, event);
    if (isBot(p.comment.user, settings) || isBot(p.sender, settings)) {
      return { kind: "ignore", reason: "sender is a bot" };
    }
    const command = parseAgentCommand(p.comment.body, settings.commandWord);
    if (!command) return { kind: "ignore", reason: `no /${settings.commandWord} command` };
    const isPr = Boolean(p.issue.pull_request);
    return {
      kind: "task",
      task: {
        deliveryId,
        installationId: p.installation?.id,
        target: {
          owner: p.repository.owner.login,
          repo: p.repository.name,
          number: p.issue.number,
          kind: isPr ? "pull_request" : "issue",
        },
        trigger: {
          kind: "comment",
          actor: p.comment.user.login,
          actorId: p.comment.user.id,
          instruction: clean(command.instruction),
          command: settings.commandWord,
          commentId: p.comment.id,
          at: p.comment.created_at ?? at,
        },
        context: { title: clean(p.issue.title), body: clean(p.issue.body), comments: [] },
        repository: { cloneUrl: p.repository.clone_url, defaultBranch: p.repository.default_branch },
        agent: command.agent,
      },
      reaction: mayBeCollaborator(p.comment.author_association)
        ? { subject: "issue_comment", id: p.comment.id }
        : undefined,
    };
  }

  if (event === "pull_request_review_comment.created") {
    const p = parse(reviewComment, payload, event);
    if (isBot(p.comment.user, settings) || isBot(p.sender, settings)) {
      return { kind: "ignore", reason: "sender is a bot" };
    }
    const command = parseAgentCommand(p.comment.body, settings.commandWord);
    if (!command) return { kind: "ignore", reason: `no /${settings.commandWord} command` };
    const fullName = `${p.repository.owner.login}/${p.repository.name}`;
    return {
      kind: "task",
      task: {
        deliveryId,
        installationId: p.installation?.id,
        target: {
          owner: p.repository.owner.login,
          repo: p.repository.name,
          number: p.pull_request.number,
          kind: "pull_request",
        },
        trigger: {
          kind: "review_comment",
          actor: p.comment.user.login,
          actorId: p.comment.user.id,
          instruction: clean(command.instruction),
          command: settings.commandWord,
          commentId: p.comment.id,
          at: p.comment.created_at ?? at,
        },
        context: {
          title: clean(p.pull_request.title),
          body: clean(p.pull_request.body),
          comments: [],
          review: { path: p.comment.path, line: p.comment.line ?? undefined, diffHunk: p.comment.diff_hunk },
        },
        repository: {
          cloneUrl: p.repository.clone_url,
          defaultBranch: p.repository.default_branch,
          headRef: p.pull_request.head.ref,
          baseRef: p.pull_request.base.ref,
          headRepoFullName: p.pull_request.head.repo?.full_name ?? null,
          isFork: p.pull_request.head.repo?.full_name !== fullName,
        },
        agent: command.agent,
      },
      reaction: mayBeCollaborator(p.comment.author_association)
        ? { subject: "review_comment", id: p.comment.id }
        : undefined,
    };
  }

  return { kind: "ignore", reason: `event ${event} is not a trigger` };
}
