// One comment per job, created when work starts and edited as it moves, so people see
// where the job is without a flood of notifications. Edits are coalesced: at most one
// every `minIntervalMs`, except the final one.
import { setTimeout as sleep } from "node:timers/promises";
import { classifyError } from "../../pipeline/job-errors.js";
import type { GitHubClient, IssueRef } from "../auth/client.js";
import { TRACKING_MARKER } from "./markers.js";

export type Stage =
  | "queued"
  | "cloning"
  | "agent"
  | "verifying"
  | "pushing"
  | "done"
  | "needs_info"
  | "failed"
  /** Someone stopped the job (`/agent stop`). */
  | "stopped";

const STAGES: { stage: Stage; label: string }[] = [
  { stage: "queued", label: "Queued" },
  { stage: "cloning", label: "Cloning the repository" },
  { stage: "agent", label: "Agent at work" },
  { stage: "verifying", label: "Verifying with gofmt, go vet, go build, go test" },
  { stage: "pushing", label: "Pushing" },
];

export interface TrackingState {
  stage: Stage;
  detail?: string;
  /** Final words: the PR link, the questions, or the failure and how to retry. */
  conclusion?: string;
  restarted?: boolean;
  /**
   * A failed job: the last listed step it reached, and whether it stopped inside that step
   * (false: it stopped between steps, e.g. at the config check or while publishing).
   * Only the steps that ran are ticked.
   */
  reached?: { stage: Stage; stoppedIn: boolean };
}

export function renderTracking(
  jobId: string,
  state: TrackingState,
  actor?: string,
  pageUrl?: string,
): string {
  const current = STAGES.findIndex((s) => s.stage === state.stage);
  const finished =
    state.stage === "done" ||
    state.stage === "needs_info" ||
    state.stage === "failed" ||
    state.stage === "stopped";
  const reached = state.stage === "failed" ? state.reached : undefined;
  const at = reached ? STAGES.findIndex((s) => s.stage === reached.stage) : -1;
  const lines = STAGES.map((s, i) => {
    if (reached) {
      if (i < at || (i === at && !reached.stoppedIn)) return `- [x] ${s.label}`;
      return i === at ? `- [ ] ❌ **${s.label}** — stopped here` : `- [ ] ${s.label}`;
    }
    if (finished || i < current) return `- [x] ${s.label}`;
    if (i === current) return `- [ ] **${s.label}…**${state.detail ? ` ${state.detail}` : ""}`;
    return `- [ ] ${s.label}`;
  });
  const heading =
    state.stage === "done"
      ? "✅ **backend-go-agent** finished"
      : state.stage === "needs_info"
        ? "❓ **backend-go-agent** needs more information"
        : state.stage === "failed"
          ? "❌ **backend-go-agent** could not finish"
          : state.stage === "stopped"
            ? "⏹️ **backend-go-agent** was stopped"
            : `⏳ **backend-go-agent** is working${actor ? ` for @${actor}` : ""}`;
  const parts = [TRACKING_MARKER, heading, ""];
  if (state.restarted)
    parts.push("_The app restarted while this job was running; it was picked up again._", "");
  if (state.stage === "failed" && state.detail) parts.push(`The job stopped while ${state.detail}.`, "");
  if (!finished || state.stage === "failed") parts.push(...lines, "");
  if (state.conclusion) parts.push(state.conclusion, "");
  // The job's page, when the server has one people can reach (PUBLIC_URL and sign-in set up).
  const page = pageUrl ? ` · [${finished ? "what the agent did" : "watch this job"}](${pageUrl})` : "";
  parts.push(`<sub>job \`${jobId}\`${page}</sub>`);
  return parts.join("\n");
}

export interface TrackingOptions {
  actor?: string;
  minIntervalMs?: number;
  onError?: (err: unknown) => void;
  /** This job's comment from an earlier attempt (a restart), looked up at the first write. */
  existing?: () => Promise<number | undefined>;
  /** Waits before each new try of the final write. Default 1 s, 5 s, 15 s. */
  finalRetryDelaysMs?: readonly number[];
  /** The job's page, linked from the comment. */
  pageUrl?: string;
}

export class TrackingComment {
  private last = 0;
  private pending: TrackingState | null = null;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private id: number | undefined;
  /** GitHub refused to create the comment for good (403, locked): progress stops trying. */
  private refused = false;
  private looked = false;
  private readonly minIntervalMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly finalRetryDelaysMs: readonly number[];

  private constructor(
    private readonly gh: GitHubClient,
    private readonly issue: IssueRef,
    private readonly jobId: string,
    private readonly opts: TrackingOptions,
  ) {
    this.minIntervalMs = opts.minIntervalMs ?? 3000;
    this.onError = opts.onError ?? (() => {});
    this.finalRetryDelaysMs = opts.finalRetryDelaysMs ?? [1000, 5000, 15_000];
  }

  /** The comment's id once it exists. */
  get commentId(): number | undefined {
    return this.id;
  }

  /**
   * A tracking comment made at its first write (the first progress, or the final state), so
   * nothing waits for it: a comment GitHub refuses never holds up the job or its PR.
   */
  static lazy(gh: GitHubClient, issue: IssueRef, jobId: string, opts: TrackingOptions = {}): TrackingComment {
    return new TrackingComment(gh, issue, jobId, opts);
  }

  /** Creates the comment now, or reuses this job's comment when the job restarted. */
  static async open(
    gh: GitHubClient,
    issue: IssueRef,
    jobId: string,
    state: TrackingState,
    opts: TrackingOptions & { existingId?: number } = {},
  ): Promise<TrackingComment> {
    const tc = new TrackingComment(gh, issue, jobId, opts);
    tc.id = opts.existingId;
    tc.looked = true;
    await tc.write(renderTracking(jobId, state, opts.actor, opts.pageUrl));
    tc.last = Date.now();
    return tc;
  }

  /** Progress: coalesced, never throws (a failed edit must not fail the job). */
  update(state: TrackingState): void {
    if (this.refused) return;
    this.pending = state;
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
    this.timer.unref?.();
  }

  /**
   * Forgets a progress edit that is waiting for its interval: the job is about to publish,
   * and the final state will say more. Saves a throttled write while the PR is opened.
   */
  dropPending(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  /**
   * The final state: written at once, and awaited; never throws. It must reach the thread,
   * or the comment says "working" forever: a write GitHub failed (5xx, 429, lost connection)
   * is tried again after each of `finalRetryDelaysMs`, and when the comment is gone or cannot
   * be edited, the final state is posted as a new comment. False when nothing got through
   * (the caller says it elsewhere).
   */
  async finish(state: TrackingState): Promise<boolean> {
    this.dropPending();
    await this.chain;
    this.last = Date.now();
    const body = renderTracking(this.jobId, state, this.opts.actor, this.opts.pageUrl);
    for (const delay of [0, ...this.finalRetryDelaysMs]) {
      if (delay) await sleep(delay);
      try {
        await this.write(body);
        return true;
      } catch (err) {
        this.onError(err);
        if (classifyError(err) !== "transient") break;
      }
    }
    if (this.id === undefined) return false;
    // The comment is gone or cannot be edited: the final word as a new comment.
    this.id = undefined;
    try {
      await this.write(body);
      return true;
    } catch (err) {
      this.onError(err);
      return false;
    }
  }

  /** Edits the comment, creating it first when it does not exist yet. */
  private async write(body: string): Promise<void> {
    const { owner, repo, number } = this.issue;
    if (this.id === undefined && !this.looked && this.opts.existing) {
      this.id = await this.opts.existing();
      this.looked = true;
    }
    if (this.id !== undefined) {
      await this.gh.rest.issues.updateComment({ owner, repo, comment_id: this.id, body });
      return;
    }
    const { data } = await this.gh.rest.issues.createComment({ owner, repo, issue_number: number, body });
    this.id = data.id;
  }

  private flush(): void {
    const state = this.pending;
    this.pending = null;
    if (!state) return;
    this.last = Date.now();
    const body = renderTracking(this.jobId, state, this.opts.actor, this.opts.pageUrl);
    this.chain = this.chain
      .then(() => this.write(body))
      .then(
        () => undefined,
        (err: unknown) => {
          if (this.id === undefined && classifyError(err) !== "transient") this.refused = true;
          this.onError(err);
        },
      );
  }
}
