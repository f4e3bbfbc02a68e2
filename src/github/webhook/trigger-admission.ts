// What a webhook asks before anything else about a trigger: may this person trigger the bot
// at all, and have they (or their repository) started too many jobs this hour? The
// collaborator permission lookup is the first and, for someone who may not, the only API
// call a delivery costs — no configuration read, no thread, no reaction, no job. Whoever is
// turned away hears it once (once per issue, once per rate window), in the background, so
// the webhook answers at once. The job's gate checks again against the repository's own
// minimum (`trigger.min_permission`), which this check cannot know without reading the file.
import type { Context } from "probot";
import type { TaskRequest } from "../../pipeline/task.js";
import { TRIGGER_PERMISSIONS } from "../../repo/config-schema.js";
import { defaultRepoConfig, loadRepoConfig, type RepoConfig, RepoConfigError } from "../../repo/index.js";
import { atLeast, type PermissionLevel } from "../../triggers/permission.js";
import type { Admission, TriggerLimiter } from "../../triggers/rate-limit.js";
import type { GitHubClient, IssueRef } from "../auth/client.js";
import { githubConfigReader } from "../context/contents-api-files.js";
import { replyOnce } from "../publish/comments.js";
import { RATE_LIMITED_MARKER, UNAUTHORIZED_MARKER } from "../publish/markers.js";
import { permissionOfUser } from "./authorize.js";
import { unauthorizedReply } from "./unauthorized.js";

/** No repository's configuration can let anyone below this trigger (read is never enough). */
export const LEAST_TRIGGER_PERMISSION: PermissionLevel = TRIGGER_PERMISSIONS[0];

export type AdmissionVerdict = "admitted" | "unauthorized" | "rate_limited";

export interface AdmissionLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TriggerAdmissionOptions {
  /** Absent: no rate limit (TRIGGER_RATE_LIMIT and TRIGGER_RATE_LIMIT_REPOSITORY both 0). */
  limiter?: TriggerLimiter;
  log: AdmissionLogger;
  /** A permission lookup slower than this lets the trigger through to the job's gate. Default 5 s. */
  timeoutMs?: number;
  /** Issues told about a refusal, remembered by this process; the oldest is forgotten first. */
  maxRemembered?: number;
}

export interface TriggerAdmission {
  /** Whether `login` could trigger the bot anywhere in this repository (one API call). */
  mayTrigger(context: Context, login: string): Promise<boolean>;
  /** The permission check (unless already passed), then the rate limit; refusals are told. */
  admit(context: Context, task: TaskRequest, permitted?: boolean): Promise<AdmissionVerdict>;
  /** For `/agent stop`: the same permission check; someone refused is told once. */
  admitStop(context: Context, issue: IssueRef, actor: string): Promise<boolean>;
}

function clientOf(context: Context): GitHubClient {
  return context.octokit as unknown as GitHubClient;
}

/** A bounded set: the first key added is the first forgotten. */
class Remembered {
  readonly #keys = new Set<string>();
  constructor(private readonly max: number) {}
  /** True when the key was new (and is now remembered). */
  add(key: string): boolean {
    if (this.#keys.has(key)) return false;
    this.#keys.add(key);
    if (this.#keys.size > this.max) this.#keys.delete(this.#keys.values().next().value!);
    return true;
  }
  delete(key: string): void {
    this.#keys.delete(key);
  }
}

function timeAt(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

export function rateLimitReply(
  refused: Extract<Admission, { admitted: false }>,
  repo: string,
  actor: string,
): string {
  const after = `This request and any more before ${timeAt(refused.until)} are ignored; ask again after that.`;
  return refused.scope === "person"
    ? `@${actor}, you have started ${refused.limit} jobs in ${repo} in the last hour, the most this app allows one person (\`TRIGGER_RATE_LIMIT\`). ${after}`
    : `@${actor}, ${repo} has started ${refused.limit} jobs in the last hour, the most this app allows one repository (\`TRIGGER_RATE_LIMIT_REPOSITORY\`). ${after}`;
}

export function createTriggerAdmission(options: TriggerAdmissionOptions): TriggerAdmission {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const toldUnauthorized = new Remembered(options.maxRemembered ?? 10_000);
  const { log } = options;

  const mayTrigger = async (context: Context, login: string): Promise<boolean> => {
    const repo = context.repo();
    let timer: NodeJS.Timeout | undefined;
    try {
      const permission = await Promise.race([
        permissionOfUser(clientOf(context), repo, login),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return atLeast(permission, LEAST_TRIGGER_PERMISSION);
    } catch (err) {
      // GitHub could not say: the job's gate asks again and refuses there if it must.
      log.warn(
        { repo: `${repo.owner}/${repo.repo}`, err: (err as Error).message },
        "permission lookup failed",
      );
      return true;
    } finally {
      clearTimeout(timer);
    }
  };

  /** The refusal, once per issue per process (and once per issue on GitHub: replyOnce). */
  const tellUnauthorized = (context: Context, issue: IssueRef, action: "run" | "stop") => {
    const key = `${issue.owner}/${issue.repo}#${issue.number}`.toLowerCase();
    if (!toldUnauthorized.add(key)) return;
    const gh = clientOf(context);
    (async () => {
      let config: RepoConfig;
      try {
        config = await loadRepoConfig(githubConfigReader(gh), issue);
      } catch (err) {
        if (!(err instanceof RepoConfigError)) throw err;
        config = defaultRepoConfig();
      }
      await replyOnce(gh, issue, UNAUTHORIZED_MARKER, unauthorizedReply(config, action));
    })().catch((err: unknown) => {
      toldUnauthorized.delete(key);
      log.warn({ issue: key, err: (err as Error).message }, "could not tell who may trigger");
    });
  };

  const tellRateLimited = (
    context: Context,
    task: TaskRequest,
    refused: Extract<Admission, { admitted: false }>,
  ) => {
    const { owner, repo, number } = task.target;
    const gh = clientOf(context);
    gh.rest.issues
      .createComment({
        owner,
        repo,
        issue_number: number,
        body: `${RATE_LIMITED_MARKER}\n${rateLimitReply(refused, `${owner}/${repo}`, task.trigger.actor)}`,
      })
      .catch((err: unknown) =>
        log.warn(
          { repo: `${owner}/${repo}`, err: (err as Error).message },
          "could not tell of the rate limit",
        ),
      );
  };

  return {
    mayTrigger,
    async admit(context, task, permitted) {
      const { owner, repo, number } = task.target;
      const { actor } = task.trigger;
      if ((permitted ?? (await mayTrigger(context, actor))) === false) {
        log.info({ repo: `${owner}/${repo}`, actor }, "trigger refused: no permission to trigger");
        tellUnauthorized(context, { owner, repo, number }, "run");
        return "unauthorized";
      }
      if (!options.limiter) return "admitted";
      const admission = await options.limiter.admit({
        repo: `${owner}/${repo}`,
        actor,
        deliveryId: task.deliveryId,
      });
      if (admission.admitted) return "admitted";
      log.info(
        { repo: `${owner}/${repo}`, actor, scope: admission.scope, told: admission.notify },
        "trigger refused: over the rate limit",
      );
      if (admission.notify) tellRateLimited(context, task, admission);
      return "rate_limited";
    },
    async admitStop(context, issue, actor) {
      if (await mayTrigger(context, actor)) return true;
      tellUnauthorized(context, issue, "stop");
      return false;
    },
  };
}
