// The CodeHost port on GitHub: the gate and the task context (gate.ts, task-context.ts);
// progress goes into the job's tracking comment; the end of the job becomes a pull request
// (issue jobs: publish/job-pull-request.ts), a report comment (PR jobs, or no change), the
// agent's questions with the needs-info label, or a failure that says how to retry. The
// verdict also goes onto the pushed commit as a Check Run.
import type { AgentProgress, CompletedOutcome } from "../agent/outcome.js";
import type {
  CodeHost,
  GateDecision,
  JobResult,
  JobStage,
  Published,
  TaskContext,
  WorkPlan,
} from "../pipeline/ports.js";
import { type TaskRequest, targetKey } from "../pipeline/task.js";
import type { QueueLogger } from "../queue/job-queue.js";
import { defaultRepoConfig, type RepoConfig, renderAgentProblems } from "../repo/index.js";
import type { GitHubClient, IssueRef } from "./auth/client.js";
import { type GateFacts, type GateOptions, gateOnGitHub } from "./context/gate.js";
import type { ReviewLineComment } from "./context/review-context.js";
import { type TaskContextOptions, taskContextOnGitHub } from "./context/task-context.js";
import { findCommentWith } from "./publish/comments.js";
import {
  type Courtesy,
  type CourtesyFailure,
  renderCourtesyFailures,
  runCourtesies,
} from "./publish/courtesy.js";
import {
  clipBody,
  type JobPullRequestContext,
  publishPullRequest,
  updateOwnPullRequest,
} from "./publish/job-pull-request.js";
import { jobMarker, QUESTIONS_MARKER, REPORT_MARKER } from "./publish/markers.js";
import { renderFooter, renderReport, runFactsOf } from "./publish/pr-body.js";
import { checkRunCourtesy, needsInfoCourtesy, pullRequestCourtesies } from "./publish/publish-courtesies.js";
import { renderVerdictMarkdown, VERDICT_HEADING } from "./publish/render-verdict.js";
import { replyInReviewThreads } from "./publish/review-replies.js";
import { clippedRunLog, runLogDetails } from "./publish/run-log.js";
import { stoppedAt, stoppedState } from "./publish/stopped-state.js";
import { renderTracking, TrackingComment, type TrackingState } from "./publish/tracking-comment.js";

export interface GitHubCodeHostOptions {
  gh: GitHubClient;
  issue: IssueRef;
  jobId: string;
  /** This run's number, and whether an earlier run was cut off (its tracking comment is reused). */
  attempt: { number: number; restarted: boolean };
  /** Least time between two edits of the tracking comment. Default 3 s. */
  trackingIntervalMs?: number;
  /** Waits before each new try of the tracking comment's final edit. Default 1 s, 5 s, 15 s. */
  finalRetryDelaysMs?: readonly number[];
  context: TaskContextOptions;
  logger: QueueLogger;
  /** The App's bot user (`<slug>[bot]`): reviews and CI fixes follow up on its pull requests. */
  botLogin?: string;
  /** How the configuration is read: other repositories with their own read-only tokens, CONFIG_EXTENDS_ALLOW. */
  config?: Pick<GateOptions, "configReader" | "extendsAllow">;
  /** The job's page (src/web/), linked from the tracking comment and the PR; absent when not served. */
  jobPageUrl?: string;
}

/** What the gate learned, for the later steps. */
interface Accepted {
  config: RepoConfig;
  facts: GateFacts;
  /** A note for the tracking comment (refused repository agent files). */
  notes?: string;
  /** A pr_review job's line comments, answered in their threads. */
  reviewComments?: ReviewLineComment[];
}

function stageDetail(detail: string, p?: AgentProgress): string {
  if (!p) return detail;
  return `turn ${p.turn}/${p.maxTurns}${p.event === "tool_call" ? ` · \`${detail}\`` : ""}`;
}

export class GitHubCodeHost implements CodeHost {
  private published: Published = {};
  private last: TrackingState = { stage: "queued" };
  private accepted: Accepted | undefined;
  private trackingComment: TrackingComment | undefined;
  /** Notes that belong with the verdict in the PR or report (the operator's caps). */
  private readonly verdictNotes: string[] = [];

  constructor(private readonly o: GitHubCodeHostOptions) {}

  async gate(task: TaskRequest): Promise<GateDecision> {
    const { jobId } = this.o;
    const log = (msg: string, extra: object = {}) =>
      this.o.logger.info({ jobId, target: targetKey(task.target), ...extra }, msg);
    const gated = await gateOnGitHub(this.o.gh, task, log, {
      botLogin: this.o.botLogin,
      jobId,
      ...this.o.config,
    });
    if (gated.decision.kind === "refused") return gated.decision;
    this.accepted = { config: gated.decision.plan.config, facts: gated.facts!, notes: gated.note };
    // Written at the first progress, not now: a job that waits for its branch posts nothing.
    this.tracking(task.trigger.actor);
    if (gated.refusal) throw gated.refusal;
    return gated.decision;
  }

  async taskContext(task: TaskRequest, plan: WorkPlan): Promise<TaskContext> {
    const { problems, reviewComments, ...context } = await taskContextOnGitHub(
      this.o.gh,
      task,
      plan,
      this.accepted!.facts,
      {
        ...this.o.context,
        ...(this.o.botLogin ? { appSlug: this.o.botLogin.replace(/\[bot\]$/, "") } : {}),
      },
    );
    const notes = [this.accepted!.notes, renderAgentProblems(problems)].filter(Boolean).join("\n\n");
    this.accepted!.notes = notes || undefined;
    this.accepted!.reviewComments = reviewComments;
    return context;
  }

  /** Shown in the tracking comment from now on and in its final word, and under the verdict. */
  note(markdown: string): void {
    if (!this.accepted) return;
    this.accepted.notes = [this.accepted.notes, markdown].filter(Boolean).join("\n\n");
    this.verdictNotes.push(markdown);
  }

  reportProgress(stage: JobStage, detail: string, progress?: AgentProgress): void {
    this.last = { stage, detail: stageDetail(detail, progress) };
    const restarted = this.o.attempt.restarted ? { restarted: true } : {};
    this.trackingComment?.update(this.withNotes({ ...this.last, ...restarted }));
  }

  async publish(result: JobResult): Promise<Published> {
    this.published = {};
    const tracking = this.tracking(result.task.trigger.actor);
    tracking.dropPending();
    const { outcome } = result;
    if (outcome.kind === "completed") await this.completed(result, outcome, tracking);
    else if (outcome.kind === "needs_clarification")
      await this.questions(result, outcome.questions, tracking);
    else await this.failed(result, outcome.reason, tracking);
    await this.answerReview(result);
    return this.published;
  }

  /** A review's line comments, each answered in its thread, once the job will not run again. */
  private async answerReview(result: JobResult): Promise<void> {
    const comments = this.accepted?.reviewComments;
    const d = result.disposition.kind;
    if (!comments?.length || d === "retry" || d === "resume") return;
    const { gh, issue, jobId } = this.o;
    try {
      await replyInReviewThreads(gh, issue, comments, result, jobId, this.published.commentUrl);
    } catch (err) {
      // The report is on the PR already; a thread that cannot be answered must not fail the job.
      this.o.logger.warn({ jobId, err: (err as Error).message }, "could not reply in the review's threads");
    }
  }

  /**
   * The job's tracking comment, made at its first write and never awaited before the product:
   * this job's earlier one when the job ran before, else a new one.
   */
  private tracking(actor: string): TrackingComment {
    const { gh, issue, jobId, attempt, logger } = this.o;
    this.trackingComment ??= TrackingComment.lazy(gh, issue, jobId, {
      actor,
      ...(attempt.number > 1 || attempt.restarted
        ? { existing: async () => (await findCommentWith(gh, issue, `job \`${jobId}\``))?.id }
        : {}),
      minIntervalMs: this.o.trackingIntervalMs,
      finalRetryDelaysMs: this.o.finalRetryDelaysMs,
      ...(this.o.jobPageUrl ? { pageUrl: this.o.jobPageUrl } : {}),
      onError: (err) => logger.warn({ jobId, err: (err as Error).message }, "tracking comment write failed"),
    });
    return this.trackingComment;
  }

  private get config(): RepoConfig {
    return this.accepted?.config ?? defaultRepoConfig();
  }

  private withNotes(state: TrackingState): TrackingState {
    const notes = this.accepted?.notes;
    if (!notes) return state;
    return { ...state, conclusion: [state.conclusion, notes].filter(Boolean).join("\n\n") };
  }

  private async completed(
    result: JobResult,
    outcome: CompletedOutcome,
    tracking: TrackingComment,
  ): Promise<void> {
    const { gh, issue } = this.o;
    const { commit, verdict, task } = result;
    const verification = [
      verdict
        ? renderVerdictMarkdown(verdict)
        : `### ${VERDICT_HEADING}\n\nNo files changed, so there was nothing to verify.`,
      ...this.verdictNotes,
    ].join("\n\n");
    const facts = runFactsOf(result);
    const pushedNow = Boolean(commit?.sha && commit.pushed);
    const branchHasWork = commit?.startedFrom === "remote-branch";
    const { jobId } = this.o;
    const removeNeedsInfo = needsInfoCourtesy(gh, issue, "remove");
    if (task.target.kind === "issue" && commit && (pushedNow || branchHasWork)) {
      // The pull request first, with its verdict in the body: it is the product.
      const { pr, body } = await publishPullRequest(this.prContext(), result, outcome, verification, facts);
      this.published.prUrl = pr.url;
      const failures = await this.courtesies([
        ...checkRunCourtesy(gh, issue, result, jobId),
        removeNeedsInfo,
        ...pullRequestCourtesies(gh, issue, this.config, result, pr, jobId),
      ]);
      if (failures.length) await this.notePullRequest(pr.number, body, failures);
      const verb = pr.created ? "Opened" : "Updated";
      const final = this.withNotes({
        stage: "done",
        conclusion: `${verb} pull request #${pr.number}: ${pr.url}${verdictNote(result)}`,
      });
      // The issue refused the tracking comment: the final word goes to the PR instead.
      if (!(await tracking.finish(final))) await this.finalWordOn(pr.number, final);
      return;
    }
    const pushed = commit?.sha && commit.pushed;
    const lead = pushed
      ? `Pushed \`${commit.sha!.slice(0, 12)}\` to \`${commit.branch}\`.`
      : "The agent made no change to the repository, so there is no commit and no pull request.";
    const body = clipBody(
      [
        `${REPORT_MARKER}${jobMarker(this.o.jobId)}`,
        lead,
        renderReport(outcome.sections),
        verification,
        runLogDetails(clippedRunLog(result, 15_000)),
        renderFooter(facts, undefined, this.o.jobPageUrl),
      ].join("\n\n"),
    );
    const url = await this.comment(body);
    if (task.target.kind === "pull_request" && pushed)
      await updateOwnPullRequest(
        this.prContext(),
        this.accepted?.facts.pr,
        result,
        outcome,
        verification,
        facts,
      );
    const failures = await this.courtesies([
      ...checkRunCourtesy(gh, issue, result, jobId),
      ...(task.target.kind === "issue" ? [removeNeedsInfo] : []),
    ]);
    await tracking.finish(
      this.withNotes({
        stage: "done",
        conclusion: [
          `${lead} The report: ${url}${pushed ? verdictNote(result) : ""}`,
          renderCourtesyFailures(failures),
        ]
          .filter(Boolean)
          .join("\n\n"),
      }),
    );
  }

  /**
   * Posts a comment on the issue or PR; returns its link. A publish that runs again (the
   * job resumed) edits the comment an earlier attempt of this job posted instead.
   */
  private async comment(body: string): Promise<string> {
    const { gh, issue, jobId, attempt } = this.o;
    const { owner, repo, number } = issue;
    const earlier =
      attempt.number > 1 || attempt.restarted
        ? await findCommentWith(gh, issue, jobMarker(jobId))
        : undefined;
    const { data } = earlier
      ? await gh.rest.issues.updateComment({ owner, repo, comment_id: earlier.id, body })
      : await gh.rest.issues.createComment({ owner, repo, issue_number: number, body });
    this.published.commentUrl = data.html_url;
    return data.html_url;
  }

  /** The job's final state as a comment on another thread (its PR), when the issue refused it. */
  private async finalWordOn(number: number, state: TrackingState): Promise<void> {
    const { gh, issue, jobId, logger } = this.o;
    try {
      await gh.rest.issues.createComment({
        owner: issue.owner,
        repo: issue.repo,
        issue_number: number,
        body: renderTracking(jobId, state, undefined, this.o.jobPageUrl),
      });
    } catch (err) {
      logger.warn({ jobId, err: (err as Error).message }, "could not leave the final word on the PR either");
    }
  }

  /** Runs each courtesy on its own; a failure is logged here and named by the caller once. */
  private courtesies(list: Courtesy[]): Promise<CourtesyFailure[]> {
    const { jobId, logger } = this.o;
    return runCourtesies(list, ({ courtesy, error }) =>
      logger.warn({ jobId, err: (error as Error)?.message ?? String(error) }, courtesy.failure),
    );
  }

  /** Names what was not done at the top of the PR body: once, where reviewers look. */
  private async notePullRequest(number: number, body: string, failures: CourtesyFailure[]): Promise<void> {
    const { gh, issue, jobId, logger } = this.o;
    try {
      await gh.rest.pulls.update({
        owner: issue.owner,
        repo: issue.repo,
        pull_number: number,
        body: clipBody(`${renderCourtesyFailures(failures)}\n\n${body}`),
      });
    } catch (err) {
      logger.warn({ jobId, err: (err as Error).message }, "could not note the missing courtesies in the PR");
    }
  }

  private async questions(result: JobResult, questions: string[], tracking: TrackingComment): Promise<void> {
    const { gh, issue } = this.o;
    const list = questions.map((q, i) => `${i + 1}. ${q.trim().replace(/\n/g, "\n   ")}`).join("\n");
    const body = clipBody(
      [
        `${QUESTIONS_MARKER}${jobMarker(this.o.jobId)}`,
        `@${result.task.trigger.actor}, before writing code the agent needs answers to these questions:`,
        list,
        `Answer them in a comment that starts with \`/${this.config.trigger.command} \` followed by your answers; the next run reads the whole thread.`,
      ].join("\n\n"),
    );
    const url = await this.comment(body);
    const failures = await this.courtesies([needsInfoCourtesy(gh, issue, "add")]);
    const asked = questions.length === 1 ? "a question" : `${questions.length} questions`;
    await tracking.finish(
      this.withNotes({
        stage: "needs_info",
        conclusion: [
          `The agent asked ${asked}: ${url}. Nothing was pushed.`,
          renderCourtesyFailures(failures),
        ]
          .filter(Boolean)
          .join("\n\n"),
      }),
    );
  }

  private async failed(result: JobResult, reason: string, tracking: TrackingComment): Promise<void> {
    const d = result.disposition;
    if (d.kind === "cancelled") {
      await tracking.finish(this.withNotes(stoppedState(d.reason, this.last, this.config.trigger.command)));
      return;
    }
    if (d.kind === "resume") {
      await tracking.finish(
        this.withNotes({
          stage: "queued",
          conclusion: "The app is restarting; nothing was pushed. This job resumes when a worker is back.",
        }),
      );
      return;
    }
    if (d.kind === "retry") {
      await tracking.finish(
        this.withNotes({
          stage: "queued",
          conclusion: `Attempt ${this.o.attempt.number} failed: ${reason}. Nothing was pushed; trying again in about ${Math.round(d.afterMs / 1000)} s.`,
        }),
      );
      return;
    }
    const command = this.config.trigger.command;
    const how =
      result.task.target.kind === "issue"
        ? `comment \`/${command} <instructions>\` here, or remove and add the label again`
        : `comment \`/${command} <instructions>\` here`;
    const why = result.explanation ?? `**Why:** ${reason}`;
    const pushed = result.commit?.pushed ? `\`${result.commit.branch}\` was pushed` : "Nothing was pushed";
    await tracking.finish(
      this.withNotes({
        stage: "failed",
        ...stoppedAt(result.step, result.commit?.pushed ? "pushing" : this.last.stage),
        conclusion: `${why}\n\n${pushed}. To try again, ${how}.`,
      }),
    );
  }

  private prContext(): JobPullRequestContext {
    const { gh, issue, jobId, logger, botLogin, jobPageUrl } = this.o;
    const facts = this.accepted?.facts;
    return {
      gh,
      issue,
      jobId,
      logger,
      config: this.config,
      // The branch an issue job's PR goes into.
      baseBranch: this.config.base_branch ?? facts?.repo.defaultBranch ?? "main",
      ...(botLogin ? { botLogin } : {}),
      ...(jobPageUrl ? { jobPageUrl } : {}),
    };
  }
}

function verdictNote(result: JobResult): string {
  const v = result.verdict;
  if (!v) return "";
  return v.overall === "pass"
    ? ` — verified: ${v.summary}.`
    : ` — verification: **${v.overall}** (${v.summary}); see the check run.`;
}
