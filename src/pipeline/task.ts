// What a job is about, frozen at trigger time. The trigger parser builds it, the queue stores
// it (it must stay JSON-serialisable), runJob consumes it. It holds only what the delivery
// said and nobody can look up later; where the work happens (clone URL, branches, the
// repository's settings) is decided when the job runs, from GitHub's API, never the payload.

export interface TaskTarget {
  owner: string;
  repo: string;
  /** Issue or pull request number; 0 for a CLI run on a local checkout. */
  number: number;
  kind: "issue" | "pull_request";
}

export interface ThreadComment {
  author: string;
  body: string;
}

export interface ReviewFocus {
  path: string;
  line?: number;
  diffHunk: string;
}

interface TriggerBase {
  /** Login of the person who triggered the job. */
  actor: string;
  actorId?: number;
  /** The only instruction in the task; everything in `context` is untrusted material. */
  instruction: string;
  /** When the trigger happened (ISO 8601): the thread is read as it stood then. */
  at: string;
}

interface CommandBase extends TriggerBase {
  /** The command word the comment used (`agent` for `/agent`). */
  command: string;
  commentId: number;
}

/** A label on an issue: the repository's trigger label or one of its agent labels. */
export interface IssueLabelTrigger extends TriggerBase {
  kind: "issue_label";
  label: string;
}

/** `/agent …` in a comment on an issue. */
export interface IssueCommandTrigger extends CommandBase {
  kind: "issue_command";
}

/** `/agent …` in a conversation comment on a pull request. */
export interface PrCommandTrigger extends CommandBase {
  kind: "pr_command";
}

/** `/agent …` in a comment on a line of a pull request's diff. */
export interface ReviewCommentTrigger extends CommandBase {
  kind: "review_comment_command";
}

/**
 * A submitted review on a pull request: `/agent …` in its body, or (when the repository opts
 * in with `pull_request.on_review: changes_requested`) any "Request changes" review on a PR
 * the bot opened. The job gets every line comment of the review.
 */
export interface PrReviewTrigger extends TriggerBase {
  kind: "pr_review";
  reviewId: number;
  /** GitHub's review state, lower case: commented, changes_requested, approved. */
  reviewState: string;
  /** The command word the review body used; absent when the review triggers by its state. */
  reviewCommand?: string;
}

/**
 * The repository's CI failed on the head of the bot's open PR: a check run or a check suite
 * of another app concluded failure or timed_out, or a commit status turned failure or error.
 */
export interface CiFailureTrigger extends TriggerBase {
  kind: "ci_failure";
  /** What reported it; absent on tasks stored before statuses and suites counted: a check run. */
  source?: "check_run" | "check_suite" | "status";
  /** The check run's id, the check suite's, or the status's. */
  checkRunId: number;
  /** The check's name, the status's context, or the suite's app name. */
  checkName: string;
  headSha: string;
  conclusion: string;
  /** The app that ran the check (`github-actions` for Actions); for a status, who set it. */
  checkApp: { slug: string; id?: number };
  /** A status's description, sanitised (untrusted). */
  description?: string;
  /** A status's target URL (untrusted: read only when it is a GitHub page of this repository). */
  targetUrl?: string;
}

/**
 * Bring the bot's pull request up to date with its base: `/agent update` on it, or (with
 * `pull_request.keep_up_to_date`) a push that moved its base branch ahead. The job merges the
 * base into the PR's branch; the agent is called only to resolve conflicts.
 */
export interface BaseUpdateTrigger extends TriggerBase {
  kind: "base_update";
  via: "command" | "push";
  /** The `/agent update` comment, and its command word. */
  commentId?: number;
  updateCommand?: string;
  /** The base branch's head the push made (for a push). */
  baseSha?: string;
}

/** `backend-go-agent run` on a local checkout. */
export interface CliTrigger extends TriggerBase {
  kind: "cli";
}

export type Trigger =
  | IssueLabelTrigger
  | IssueCommandTrigger
  | PrCommandTrigger
  | ReviewCommentTrigger
  | PrReviewTrigger
  | CiFailureTrigger
  | BaseUpdateTrigger
  | CliTrigger;

export type TriggerKind = Trigger["kind"];
export type CommandTrigger = IssueCommandTrigger | PrCommandTrigger | ReviewCommentTrigger;

export function isCommandTrigger(trigger: Trigger): trigger is CommandTrigger {
  return "command" in trigger;
}

export interface TaskRequest {
  /** Webhook delivery id (dedupe key); a generated id for CLI runs. */
  deliveryId: string;
  installationId?: number;
  /**
   * The repository's id as the (signed) delivery gave it: the job's token is minted for this
   * repository alone. Absent on tasks queued before it was kept; the name is used then.
   */
  repositoryId?: number;
  target: TaskTarget;
  trigger: Trigger;
  /** The issue or PR as delivered, sanitised; untrusted material for the model. */
  context: {
    title: string;
    body: string;
    /** Filled in when the job runs: the thread as it stood at `trigger.at`. */
    comments: ThreadComment[];
    review?: ReviewFocus;
  };
  /** Agent name chosen by the trigger (`/agent @name`); the label map or the default otherwise. */
  agent?: string;
}

/** "owner/repo#number": one running job per target at a time. */
export function targetKey(target: TaskTarget): string {
  return `${target.owner}/${target.repo}#${target.number}`;
}

const LEGACY_KINDS: Record<string, (t: TaskTarget) => TriggerKind> = {
  label: () => "issue_label",
  comment: (t) => (t.kind === "pull_request" ? "pr_command" : "issue_command"),
  review_comment: () => "review_comment_command",
};

/**
 * A task as stored by an earlier version (trigger kinds `label`/`comment`/`review_comment`,
 * and a `repository` block copied from the payload) in today's shape, so jobs queued before an
 * upgrade still run. The payload's repository block is dropped: it is looked up again.
 */
export function upgradeTask(stored: TaskRequest): TaskRequest {
  const raw = stored as TaskRequest & { repository?: unknown; trigger: { kind: string } };
  const legacy = LEGACY_KINDS[raw.trigger.kind];
  if (!legacy && raw.repository === undefined) return stored;
  const { repository: _dropped, ...task } = raw;
  return legacy ? { ...task, trigger: { ...task.trigger, kind: legacy(task.target) } as Trigger } : task;
}
