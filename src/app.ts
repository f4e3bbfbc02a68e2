// Probot entry: webhook events → triggers → queue. Wiring only: parsing lives in
// triggers/, everything slow happens in the job. The handler awaits nothing but the
// sender's permission lookup (the first API call a trigger costs, so someone who may not
// trigger costs nothing more), the rate limit and the enqueue, because GitHub waits for our
// answer (and gives up after 10 s); the 👀 on the trigger only leaves a note for
// github/trigger-reactions.ts, which sends it afterwards.
import type { ApplicationFunction, Context, Probot } from "probot";
import type { GitHubClient } from "./github/auth/client.js";
import { botPullsInto } from "./github/webhook/base-pulls.js";
import { pullForStatus } from "./github/webhook/status-pull.js";
import type { TriggerAdmission } from "./github/webhook/trigger-admission.js";
import { TriggerReactions } from "./github/webhook/trigger-reactions.js";
import type { RepoTriggerLookup } from "./github/webhook/trigger-settings.js";
import type { TaskRequest } from "./pipeline/task.js";
import { baseUpdateTask } from "./triggers/base-update.js";
import { mightTriggerElsewhere } from "./triggers/match.js";
import {
  DEFAULT_TRIGGER_SETTINGS,
  MalformedPayloadError,
  parseTriggerEvent,
  type TriggerSettings,
} from "./triggers/parse-event.js";
import { statusTask } from "./triggers/parse-status.js";
import type { StopRequest } from "./triggers/stop-command.js";

export interface TriggerSink {
  /** Stores the task durably; `created` is false for a redelivered webhook. */
  enqueue(task: TaskRequest): Promise<{ jobId: string; created: boolean }>;
}

export interface AppOptions {
  settings?: Partial<TriggerSettings>;
  /** The repository's own labels and command word, asked only when the defaults do not match. */
  repoTriggers?: RepoTriggerLookup;
  /** Observes how long our own handling took (for /metrics). */
  onHandled?: (event: string, seconds: number, outcome: string) => void;
  /** `/agent stop` (src/github/webhook/stop-handler.ts): called without awaiting, the webhook answers first. */
  onStop?: (context: Context, stop: StopRequest) => void;
  /** Who may trigger, and how often (src/github/webhook/trigger-admission.ts): asked before any other API call. */
  admission?: TriggerAdmission;
  /** The App's bot user (`<slug>[bot]`): whose pull requests a base-branch push may put behind. */
  botLogin?: () => Promise<string>;
}

const EVENTS = [
  "issues.labeled",
  "issue_comment.created",
  "pull_request_review_comment.created",
  // The bot's pull requests: a whole review, and the repository's CI failing on its branch
  // (check runs, check suites, commit statuses).
  "pull_request_review.submitted",
  "check_run.completed",
  "check_suite.completed",
  "status",
  // A base branch moving ahead of the bot's pull requests (pull_request.keep_up_to_date).
  "push",
] as const;

export function createApp(sink: TriggerSink, options: AppOptions = {}): ApplicationFunction {
  const settings = { ...DEFAULT_TRIGGER_SETTINGS, ...options.settings };
  return (app: Probot) => {
    // Sent in the background, one at a time per installation, coalesced per subject.
    const reactions = new TriggerReactions(app.log);
    app.on([...EVENTS], async (context) => {
      const started = process.hrtime.bigint();
      const action = (context.payload as { action?: string }).action;
      const event = action ? `${context.name}.${action}` : context.name;
      const done = (outcome: string) =>
        options.onHandled?.(event, Number(process.hrtime.bigint() - started) / 1e9, outcome);
      let parsed: ReturnType<typeof parseTriggerEvent>;
      // Whether the sender passed the permission check; asked once per delivery.
      let permitted: boolean | undefined;
      try {
        parsed = parseTriggerEvent(context.name, context.id, context.payload, settings);
        if (
          parsed.kind === "ignore" &&
          options.repoTriggers &&
          mightTriggerElsewhere(context.name, context.payload, settings)
        ) {
          // Reading the repository's trigger settings is an API call: the sender's permission comes first.
          const sender = (context.payload as { sender?: { login?: string } }).sender?.login;
          if (options.admission && sender) {
            permitted = await options.admission.mayTrigger(context, sender);
            if (!permitted) {
              context.log.debug({ delivery: context.id }, "ignored: the sender may not trigger");
              done("unauthorized");
              return;
            }
          }
          const own = await options.repoTriggers(context);
          if (own)
            parsed = parseTriggerEvent(context.name, context.id, context.payload, { ...settings, ...own });
        }
      } catch (err) {
        if (!(err instanceof MalformedPayloadError)) throw err;
        context.log.warn({ delivery: context.id }, err.message);
        done("malformed");
        return;
      }
      if (parsed.kind === "ignore") {
        context.log.debug({ delivery: context.id, reason: parsed.reason }, "ignored");
        done("ignored");
        return;
      }
      if (parsed.kind === "stop") {
        const { stop } = parsed;
        if (options.admission && !(await options.admission.admitStop(context, stop.target, stop.actor))) {
          done("unauthorized");
          return;
        }
        if (options.onStop) options.onStop(context, stop);
        else context.log.info({ delivery: context.id }, "stop request ignored: no stop handler");
        done(options.onStop ? "stop" : "ignored");
        return;
      }
      if (parsed.kind === "status") {
        // One API call: which open pull request has this commit as its head.
        const { status } = parsed;
        const number = await pullForStatus(
          context.octokit as unknown as GitHubClient,
          { owner: status.owner, repo: status.repo },
          status.sha,
          status.branches,
        );
        if (number === undefined) {
          context.log.debug({ delivery: context.id }, "ignored: a failing status on no open pull request");
          done("ignored");
          return;
        }
        parsed = { kind: "task", task: statusTask(status, number) };
      }
      if (parsed.kind === "push") {
        // One API call: the bot's open pull requests into the pushed branch, one job each.
        const { push } = parsed;
        const login = options.botLogin
          ? await options.botLogin().catch(() => undefined)
          : settings.appSlug && `${settings.appSlug}[bot]`;
        if (!login || push.sender.toLowerCase() === login.toLowerCase()) {
          done("ignored");
          return;
        }
        const pulls = await botPullsInto(
          context.octokit as unknown as GitHubClient,
          { owner: push.owner, repo: push.repo },
          push.branch,
          login,
        );
        for (const number of pulls) {
          const { jobId, created } = await sink.enqueue(
            baseUpdateTask(push, number, new Date().toISOString()),
          );
          context.log.info({ delivery: context.id, jobId, created, event }, "base update queued");
        }
        done(pulls.length ? "queued" : "ignored");
        return;
      }
      // A failing check, or a base that moved, has no person behind it; those follow-ups have their own bound.
      const automatic =
        parsed.task.trigger.kind === "ci_failure" ||
        (parsed.task.trigger.kind === "base_update" && parsed.task.trigger.via === "push");
      if (options.admission && !automatic) {
        const sender = (context.payload as { sender?: { login?: string } }).sender?.login;
        const checked = sender === parsed.task.trigger.actor ? permitted : undefined;
        const verdict = await options.admission.admit(context, parsed.task, checked);
        if (verdict !== "admitted") {
          done(verdict);
          return;
        }
      }
      const { jobId, created } = await sink.enqueue(parsed.task);
      context.log.info(
        { delivery: context.id, jobId, created, event },
        created ? "job queued" : "duplicate delivery",
      );
      if (created && parsed.reaction) {
        const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
        reactions.add(String(installation ?? "none"), context.octokit, {
          ...context.repo(),
          ...parsed.reaction,
        });
      }
      done(created ? "queued" : "duplicate");
    });
  };
}
