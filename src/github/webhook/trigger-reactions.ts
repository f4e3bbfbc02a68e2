// The 👀 on a trigger, sent off the webhook's hot path. Probot's throttling spaces an
// installation's writes about a second apart, so a burst of deliveries used to leave one
// pending request per delivery — each holding its event's Octokit client and payload (about
// 40 KB of heap each; 2,300 of them grew the heap by 110 MB and tripled the time spent in
// GC, which every later webhook answer paid for). Here a delivery only records what to react
// to: per installation one request is in flight at a time, and the reactions waiting behind
// it are coalesced per subject (an issue labelled 50 times while one 👀 is on its way gets
// one more, not 50; GitHub keeps a single 👀 per user anyway).
import type { Context } from "probot";
import type { ReactionSubject } from "../../triggers/parse-event.js";

export interface TriggerReaction {
  owner: string;
  repo: string;
  subject: ReactionSubject;
  /** The issue number for "issue", the comment id otherwise. */
  id: number;
}

/** The part of Octokit this needs: Probot's installation client (throttled, with retries). */
export type ReactionClient = Pick<Context["octokit"], "rest">;

export interface ReactionLogger {
  warn(obj: object, msg: string): void;
}

interface InstallationLine {
  /** The client of the delivery that started this drain; released when the line empties. */
  client: ReactionClient;
  /** Waiting behind the request in flight, one entry per subject. */
  waiting: Map<string, TriggerReaction>;
}

function send(client: ReactionClient, r: TriggerReaction): Promise<unknown> {
  const params = { owner: r.owner, repo: r.repo, content: "eyes" as const };
  if (r.subject === "issue") return client.rest.reactions.createForIssue({ ...params, issue_number: r.id });
  if (r.subject === "issue_comment")
    return client.rest.reactions.createForIssueComment({ ...params, comment_id: r.id });
  return client.rest.reactions.createForPullRequestReviewComment({ ...params, comment_id: r.id });
}

export class TriggerReactions {
  readonly #lines = new Map<string, InstallationLine>();

  constructor(private readonly log: ReactionLogger) {}

  /** Returns at once; the reaction is sent in the background. */
  add(installation: string, client: ReactionClient, reaction: TriggerReaction): void {
    const key = `${reaction.owner}/${reaction.repo}:${reaction.subject}:${reaction.id}`;
    const line = this.#lines.get(installation);
    if (line) {
      line.waiting.set(key, reaction);
      return;
    }
    const fresh: InstallationLine = { client, waiting: new Map([[key, reaction]]) };
    this.#lines.set(installation, fresh);
    this.#drain(installation, fresh).catch((err: unknown) =>
      this.log.warn({ err: (err as Error).message }, "could not react to the trigger"),
    );
  }

  /** How many reactions wait to be sent (for tests and diagnostics). */
  get waiting(): number {
    let n = 0;
    for (const line of this.#lines.values()) n += line.waiting.size;
    return n;
  }

  async #drain(installation: string, line: InstallationLine): Promise<void> {
    // The first entry is taken before any await: a reaction added while it is in flight is
    // sent after it, never merged into it.
    for (;;) {
      const next = line.waiting.entries().next();
      if (next.done) break;
      const [key, reaction] = next.value;
      line.waiting.delete(key);
      try {
        await send(line.client, reaction);
      } catch (err) {
        this.log.warn(
          { err: (err as Error).message, subject: reaction.subject, id: reaction.id },
          "could not react to the trigger",
        );
      }
    }
    this.#lines.delete(installation);
  }
}
