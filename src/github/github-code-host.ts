// The CodeHost port on GitHub: progress goes into the job's tracking comment; the end of the
// job becomes a pull request (issue jobs), a report comment (PR jobs, or no change), the
// agent's questions with the needs-info label, or a failure that says how to retry. The
// verdict also goes onto the pushed commit as a Check Run.
import type { AgentProgress, CompletedOutcome } from "../agent/outcome.js";
import type { CodeHost, JobResult, JobStage } from "../jobs/ports.js";
import type { RepoConfig } from "../repo/config-schema.js";
import { publishCheckRun } from "./check-run.js";
import type { GitHubClient, IssueRef } from "./client.js";
import { addLabel, NEEDS_INFO_LABEL, removeLabel } from "./labels.js";
import { QUESTIONS_MARKER, REPORT_MARKER } from "./markers.js";
import { type RunFacts, renderFooter, renderPullRequestBody, renderReport } from "./pr-body.js";
import { type PublishedPullRequest, upsertPullRequest } from "./pull-request.js";
import { renderCheckRunOutput, renderVerdictMarkdown, VERDICT_HEADING } from "./render-verdict.js";
import type { TrackingComment, TrackingState } from "./tracking-comment.js";

/** GitHub's limit on an issue comment or PR body is 65,536 characters. */
const MAX_BODY = 60_000;

export interface GitHubCodeHostOptions {
  gh: GitHubClient;
  issue: IssueRef;
  tracking: TrackingComment;
  config: RepoConfig;
  /** The branch an issue job's PR goes into. */
  baseBranch: string;
  /** How the person who triggered can run it again (`/agent …`). */
  command: string;
  /** This attempt's number and, when a transient failure would be retried, after how long. */
  attempt: { number: number; retryInMs?: number };
  /** Aborted when the worker shuts down: the job resumes later, so it has not failed. */
  signal?: AbortSignal;
  /** True when the issue's branch already held the bot's earlier commits (a re-run). */
  branchHasWork?: () => boolean;
  /** A note for the tracking comment (refused repository agent files). */
  notes?: string;
}

/** What publish did, for the job record and the queue. */
export interface Published {
  prUrl?: string;
  commentUrl?: string;
  /** The failure was handed back to the queue: retried later, or resumed after a restart. */
  handedBack?: "retry" | "resume";
}

const clip = (text: string) =>
  text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}\n\n… (cut: GitHub's size limit)` : text;

function runFacts(result: JobResult): RunFacts {
  const u = result.outcome.usage;
  return {
    agent: result.agent,
    model: result.outcome.model,
    turns: result.outcome.turns,
    tokens: {
      input: u.input_tokens,
      output: u.output_tokens,
      cacheRead: u.cache_read_input_tokens,
      cacheWrite: u.cache_creation_input_tokens,
    },
    costUsd: result.outcome.costUsd,
    durationMs: result.durationMs,
    actor: result.task.trigger.actor,
  };
}

function stageDetail(detail: string, p?: AgentProgress): string {
  if (!p) return detail;
  return `turn ${p.turn}/${p.maxTurns}${p.event === "tool_call" ? ` · \`${detail}\`` : ""}`;
}

export class GitHubCodeHost implements CodeHost {
  readonly published: Published = {};
  private last: TrackingState = { stage: "queued" };

  constructor(private readonly o: GitHubCodeHostOptions) {}

  reportProgress(stage: JobStage, detail: string, progress?: AgentProgress): void {
    this.last = { stage, detail: stageDetail(detail, progress) };
    this.o.tracking.update(this.withNotes(this.last));
  }

  async publish(result: JobResult): Promise<void> {
    this.o.tracking.dropPending();
    const { outcome } = result;
    if (outcome.kind === "completed") await this.completed(result, outcome);
    else if (outcome.kind === "needs_clarification") await this.questions(result, outcome.questions);
    else await this.failed(result, outcome.reason);
  }

  private withNotes(state: TrackingState): TrackingState {
    if (!this.o.notes) return state;
    return { ...state, conclusion: [state.conclusion, this.o.notes].filter(Boolean).join("\n\n") };
  }

  private async completed(result: JobResult, outcome: CompletedOutcome): Promise<void> {
    const { gh, issue } = this.o;
    const { commit, verdict, task } = result;
    const verification = verdict
      ? renderVerdictMarkdown(verdict)
      : `### ${VERDICT_HEADING}\n\nNo files changed, so there was nothing to verify.`;
    const facts = runFacts(result);
    if (commit?.sha && verdict) {
      await publishCheckRun(gh, issue, commit.sha, renderCheckRunOutput(verdict));
    }
    const pushedNow = Boolean(commit?.sha && commit.pushed);
    if (task.target.kind === "issue" && commit && (pushedNow || this.o.branchHasWork?.())) {
      const pr = await this.pullRequest(result, outcome, verification, facts);
      this.published.prUrl = pr.url;
      await removeLabel(gh, issue, NEEDS_INFO_LABEL);
      const verb = pr.created ? "Opened" : "Updated";
      await this.o.tracking.finish(
        this.withNotes({
          stage: "done",
          conclusion: `${verb} pull request #${pr.number}: ${pr.url}${verdictNote(result)}`,
        }),
      );
      return;
    }
    const pushed = commit?.sha && commit.pushed;
    const lead = pushed
      ? `Pushed \`${commit.sha!.slice(0, 12)}\` to \`${commit.branch}\`.`
      : "The agent made no change to the repository, so there is no commit and no pull request.";
    const body = clip(
      [REPORT_MARKER, lead, renderReport(outcome.sections), verification, renderFooter(facts)].join("\n\n"),
    );
    const url = await this.comment(body);
    if (task.target.kind === "issue") await removeLabel(gh, issue, NEEDS_INFO_LABEL);
    await this.o.tracking.finish(
      this.withNotes({
        stage: "done",
        conclusion: `${lead} The report: ${url}${pushed ? verdictNote(result) : ""}`,
      }),
    );
  }

  /** Posts a comment on the issue or PR; returns its link. */
  private async comment(body: string): Promise<string> {
    const { gh, issue } = this.o;
    const { data } = await gh.rest.issues.createComment({
      owner: issue.owner,
      repo: issue.repo,
      issue_number: issue.number,
      body,
    });
    this.published.commentUrl = data.html_url;
    return data.html_url;
  }

  private async pullRequest(
    result: JobResult,
    outcome: CompletedOutcome,
    verification: string,
    facts: RunFacts,
  ): Promise<PublishedPullRequest> {
    const { gh, issue, config } = this.o;
    const green =
      !result.verdict || result.verdict.overall === "pass" || result.verdict.overall === "skipped";
    const policy = config.pull_request.draft;
    const draft = policy === "always" || (policy === "when-not-green" && !green);
    const body = renderPullRequestBody({
      sections: outcome.sections,
      verification,
      closes: issue.number,
      facts,
    });
    const pr = await upsertPullRequest(gh, {
      owner: issue.owner,
      repo: issue.repo,
      head: result.commit!.branch,
      base: this.o.baseBranch,
      title: result.task.context.title.slice(0, 250) || `Changes for #${issue.number}`,
      body: clip(body),
      draft,
    });
    const { reviewers, team_reviewers: teams, labels } = config.pull_request;
    if (pr.created && (reviewers.length || teams.length)) {
      await gh.rest.pulls.requestReviewers({
        owner: issue.owner,
        repo: issue.repo,
        pull_number: pr.number,
        reviewers: reviewers.filter((r) => r.toLowerCase() !== result.task.trigger.actor.toLowerCase()),
        team_reviewers: teams,
      });
    }
    if (labels.length) {
      await gh.rest.issues.addLabels({
        owner: issue.owner,
        repo: issue.repo,
        issue_number: pr.number,
        labels,
      });
    }
    return pr;
  }

  private async questions(result: JobResult, questions: string[]): Promise<void> {
    const { gh, issue } = this.o;
    const list = questions.map((q, i) => `${i + 1}. ${q.trim().replace(/\n/g, "\n   ")}`).join("\n");
    const body = clip(
      [
        QUESTIONS_MARKER,
        `@${result.task.trigger.actor}, before writing code the agent needs answers to these questions:`,
        list,
        `Answer them in a comment that starts with \`/${this.o.command} \` followed by your answers; the next run reads the whole thread.`,
      ].join("\n\n"),
    );
    const url = await this.comment(body);
    await addLabel(gh, issue, NEEDS_INFO_LABEL);
    await this.o.tracking.finish(
      this.withNotes({
        stage: "needs_info",
        conclusion: `The agent asked ${questions.length === 1 ? "a question" : `${questions.length} questions`}: ${url}. Nothing was pushed.`,
      }),
    );
  }

  private async failed(result: JobResult, reason: string): Promise<void> {
    if (this.o.signal?.aborted) {
      this.published.handedBack = "resume";
      await this.o.tracking.finish(
        this.withNotes({
          stage: "queued",
          conclusion: "The app is restarting; nothing was pushed. This job resumes when a worker is back.",
        }),
      );
      return;
    }
    const { retryInMs, number } = this.o.attempt;
    if (result.outcome.kind === "failed" && result.outcome.transient && retryInMs !== undefined) {
      this.published.handedBack = "retry";
      await this.o.tracking.finish(
        this.withNotes({
          stage: "queued",
          conclusion: `Attempt ${number} failed: ${reason}. Nothing was pushed; trying again in about ${Math.round(retryInMs / 1000)} s.`,
        }),
      );
      return;
    }
    const how =
      result.task.target.kind === "issue"
        ? `comment \`/${this.o.command} <instructions>\` here, or remove and add the label again`
        : `comment \`/${this.o.command} <instructions>\` here`;
    await this.o.tracking.finish(
      this.withNotes({
        stage: "failed",
        detail: this.last.stage === "queued" ? undefined : stageLabel(this.last),
        conclusion: `**Why:** ${reason}\n\nNothing was pushed. To try again, ${how}.`,
      }),
    );
  }
}

function stageLabel(state: TrackingState): string {
  const words: Record<string, string> = {
    cloning: "preparing the workspace",
    agent: "the agent was at work",
    verifying: "verifying",
    pushing: "pushing",
  };
  return words[state.stage] ?? state.stage;
}

function verdictNote(result: JobResult): string {
  const v = result.verdict;
  if (!v) return "";
  return v.overall === "pass"
    ? ` — verified: ${v.summary}.`
    : ` — verification: **${v.overall}** (${v.summary}); see the check run.`;
}
