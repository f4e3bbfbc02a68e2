// `/agent stop` on GitHub: who asked is checked against the repository's minimum permission
// (as a trigger is), then the queue stops the target's jobs. A running job says "stopped by
// @user" in its own tracking comment; a stop that found only waiting jobs, or none, gets one
// reply; a stop from someone who may not trigger gets the usual refusal, once per issue.
import type { Context } from "probot";
import { targetKey } from "../../pipeline/task.js";
import type { CancelResult } from "../../queue/cancel.js";
import type { JobQueue, QueueLogger } from "../../queue/job-queue.js";
import type { ExtendsRule } from "../../repo/extends-policy.js";
import { defaultRepoConfig, loadRepoConfig, type RepoConfig, RepoConfigError } from "../../repo/index.js";
import { redactSecrets } from "../../secrets.js";
import type { StopRequest } from "../../triggers/stop-command.js";
import type { GitHubClient, IssueRef } from "../auth/client.js";
import { githubConfigReader } from "../context/contents-api-files.js";
import { replyOnce } from "../publish/comments.js";
import { STOP_MARKER, UNAUTHORIZED_MARKER } from "../publish/markers.js";
import { isAuthorized } from "./authorize.js";
import { unauthorizedReply } from "./unauthorized.js";

export type StopOutcome =
  | { kind: "refused"; reason: string }
  | { kind: "stopped"; result: CancelResult }
  | { kind: "nothing" };

export interface StopDeps {
  queue: Pick<JobQueue, "cancel">;
  logger: QueueLogger;
  /** CONFIG_EXTENDS_ALLOW. */
  extendsAllow?: readonly ExtendsRule[];
}

/** The app's onStop hook: runs the stop after the webhook is answered; failures are logged. */
export function createStopHandler(deps: StopDeps): (context: Context, stop: StopRequest) => void {
  return (context, stop) => {
    const gh = context.octokit as unknown as GitHubClient;
    handleStop(gh, stop, deps).catch(async (err: unknown) => {
      const message = redactSecrets((err as Error)?.message ?? String(err));
      deps.logger.error(
        { target: targetKey(stop.target), actor: stop.actor, err: message },
        "stop request failed",
      );
      // The person asked for something and must hear that it did not happen, and why.
      const { owner, repo, number } = stop.target;
      await reply(
        gh,
        { owner, repo, number },
        `@${stop.actor}, the stop did not go through: ${message}. A job here may still be running; comment \`/${stop.command} stop\` again.`,
      ).catch((e: unknown) =>
        deps.logger.error(
          { target: targetKey(stop.target), err: (e as Error).message },
          "could not say the stop failed",
        ),
      );
    });
  };
}

async function repoConfig(gh: GitHubClient, issue: IssueRef, deps: StopDeps): Promise<RepoConfig> {
  try {
    return await loadRepoConfig(githubConfigReader(gh), issue, { extendsAllow: deps.extendsAllow });
  } catch (err) {
    // A broken file must not keep a job running: stop with the defaults' permission rule.
    if (err instanceof RepoConfigError) return defaultRepoConfig();
    throw err;
  }
}

export async function handleStop(gh: GitHubClient, stop: StopRequest, deps: StopDeps): Promise<StopOutcome> {
  const { owner, repo, number } = stop.target;
  const issue: IssueRef = { owner, repo, number };
  const target = targetKey(stop.target);
  const log = (msg: string, extra: object = {}) =>
    deps.logger.info({ target, actor: stop.actor, delivery: stop.deliveryId, ...extra }, msg);
  const config = await repoConfig(gh, issue, deps);
  const command = config.trigger.command;
  if (stop.command.toLowerCase() !== command.toLowerCase()) {
    log("stop ignored: not this repository's command", { command: stop.command });
    return { kind: "refused", reason: `/${stop.command} is not this repository's command` };
  }
  const minimum = config.trigger.min_permission;
  const { allowed, permission } = await isAuthorized(gh, { owner, repo }, stop.actor, minimum);
  if (!allowed) {
    log("stop refused: sender may not trigger", { permission });
    await replyOnce(gh, issue, UNAUTHORIZED_MARKER, unauthorizedReply(config, "stop"));
    return { kind: "refused", reason: `@${stop.actor} may not stop jobs (${permission})` };
  }
  const result = await deps.queue.cancel(target, stop.actor);
  log("stop request", { queued: result.queued, running: result.running });
  const where = stop.target.kind === "pull_request" ? "pull request" : "issue";
  if (result.queued.length === 0 && result.running.length === 0) {
    await reply(gh, issue, `@${stop.actor}, there is no queued or running job on this ${where} to stop.`);
    return { kind: "nothing" };
  }
  // A running job's tracking comment says it stopped once its worker ends it; the 👍 says at
  // once that the stop was taken. Waiting jobs never got a tracking comment: they get a reply.
  if (result.running.length > 0) {
    await gh.rest.reactions
      .createForIssueComment({ owner, repo, comment_id: stop.commentId, content: "+1" })
      .catch((err: unknown) => log("could not acknowledge the stop", { err: (err as Error).message }));
  }
  if (result.running.length === 0) {
    const n = result.queued.length;
    await reply(
      gh,
      issue,
      `Stopped ${n === 1 ? "the job that was waiting" : `${n} jobs that were waiting`} to run here, as @${stop.actor} asked; nothing was run or pushed.`,
    );
  }
  return { kind: "stopped", result };
}

async function reply(gh: GitHubClient, issue: IssueRef, body: string): Promise<void> {
  await gh.rest.issues.createComment({
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    body: `${STOP_MARKER}\n${body}`,
  });
}
