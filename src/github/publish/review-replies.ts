// The end of a pr_review job, in each line comment's thread: the agent's own answer to that
// comment (src/agent/review-answers.ts) — addressed in which commit, on which lines, or
// declined and why — and the thread resolved when the pushed change addressed it. One reply
// per comment, never more (a re-run finds its earlier replies by the job's id). Where GitHub
// refuses to resolve threads (the token lacks the permission), the first reply that would
// have resolved one says so, once.
import type { ReviewAnswer } from "../../agent/review-answers.js";
import type { JobResult } from "../../pipeline/ports.js";
import { type GitHubClient, type IssueRef, statusOf } from "../auth/client.js";
import type { ReviewLineComment } from "../context/review-context.js";
import { describeLines, linesOfPatch } from "./changed-lines.js";
import {
  type ReviewThread,
  resolveReviewThread,
  reviewThreadsByComment,
  ThreadResolveForbiddenError,
} from "./review-threads.js";

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export const RESOLVE_PERMISSION_NOTE =
  "The app could not resolve this thread: GitHub only lets an App resolve review threads with the **Contents: write** and **Pull requests: write** permissions, and this installation's token lacks one of them. Threads it addressed stay open; resolve them by hand.";

/** What a reply needs to know beyond the job's result. */
export interface ReplyFacts {
  reportUrl?: string;
  /** Per path, the lines the pushed commit changed ("lines 3–5"); absent when unknown. */
  changedLines?: Map<string, string>;
}

/** Whether this comment's thread should be resolved: the agent addressed it in a pushed commit. */
export function resolves(comment: ReviewLineComment, result: JobResult): boolean {
  const answer = answerFor(comment, result);
  return Boolean(answer?.addressed && result.commit?.sha && result.commit.pushed);
}

function answerFor(comment: ReviewLineComment, result: JobResult): ReviewAnswer | undefined {
  const { outcome } = result;
  if (outcome.kind !== "completed") return undefined;
  return outcome.reviewAnswers?.find((a) => a.commentId === comment.id);
}

export function renderReviewReply(
  comment: ReviewLineComment,
  result: JobResult,
  facts: ReplyFacts = {},
): string {
  const { commit, outcome } = result;
  const report = facts.reportUrl ? ` The report: ${facts.reportUrl}` : "";
  if (outcome.kind !== "completed") {
    const why = outcome.kind === "failed" ? outcome.reason : "the agent asked questions first (see the PR)";
    return `Nothing was pushed for this review: ${why}.${report}`;
  }
  const pushed = commit?.sha && commit.pushed ? code(commit.sha.slice(0, 12)) : undefined;
  const answer = answerFor(comment, result);
  if (answer && !answer.addressed) {
    return `**Not changed.** ${answer.text}\n\nThis thread stays open for you to decide.${report}`;
  }
  if (answer && pushed) {
    const lines = facts.changedLines?.get(comment.path);
    const where = lines
      ? `Changed in ${code(comment.path)}: ${lines}.`
      : `${code(comment.path)} itself is unchanged in that commit.`;
    return `**Addressed** in ${pushed}: ${answer.text}\n\n${where}${report}`;
  }
  if (answer) {
    return `**Addressed without a code change:** ${answer.text}\n\nNothing was pushed for it, so this thread stays open.${report}`;
  }
  // A result from before the agent answered per comment: what the commit did to the file.
  const summary = outcome.sections
    .find((s) => /summary/i.test(s.name))
    ?.body.split("\n")[0]
    ?.trim();
  const said = summary ? ` ${summary}` : "";
  if (pushed) {
    return outcome.changedFiles.includes(comment.path)
      ? `Changed ${code(comment.path)} in ${pushed}.${said}${report}`
      : `Pushed ${pushed}, which does not change ${code(comment.path)}; the report says why.${said}${report}`;
  }
  return `No change was pushed for this comment: the agent made no change to the repository.${said}${report}`;
}

/** Per path, the lines the commit changed, from GitHub's view of the commit. */
async function commitLines(gh: GitHubClient, pr: IssueRef, sha: string): Promise<Map<string, string>> {
  const { data } = await gh.rest.repos.getCommit({ owner: pr.owner, repo: pr.repo, ref: sha });
  const out = new Map<string, string>();
  for (const f of data.files ?? []) {
    const described = f.patch ? describeLines(linesOfPatch(f.patch)) : "";
    out.set(f.filename, described || (f.status === "removed" ? "the file was removed" : "the file changed"));
  }
  return out;
}

export interface RepliesSent {
  replies: number;
  resolved: number;
  /** Set when GitHub refused to resolve threads for lack of permission. */
  resolveForbidden?: boolean;
}

export async function replyInReviewThreads(
  gh: GitHubClient,
  pr: IssueRef,
  comments: readonly ReviewLineComment[],
  result: JobResult,
  jobId: string,
  reportUrl?: string,
): Promise<RepliesSent> {
  const tag = `<!-- backend-go-agent:review-reply job=${jobId} -->`;
  const existing = await gh.paginate(gh.rest.pulls.listReviewComments, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: 100,
  });
  const answered = new Set(existing.filter((c) => c.body.includes(tag)).map((c) => c.in_reply_to_id ?? -1));
  const todo = comments.filter((c) => !answered.has(c.id));
  const sent: RepliesSent = { replies: 0, resolved: 0 };
  if (todo.length === 0) return sent;
  const sha = result.commit?.pushed ? result.commit.sha : null;
  const facts: ReplyFacts = {
    ...(reportUrl ? { reportUrl } : {}),
    ...(sha ? { changedLines: await commitLines(gh, pr, sha).catch(() => undefined) } : {}),
  };
  let threads: Map<number, ReviewThread> | undefined;
  if (todo.some((c) => resolves(c, result))) {
    threads = await reviewThreadsByComment(gh, pr).catch(() => undefined);
  }
  let told = false;
  for (const c of todo) {
    let body = renderReviewReply(c, result, facts);
    const thread = threads?.get(c.id);
    if (resolves(c, result) && thread && !thread.isResolved && !sent.resolveForbidden) {
      try {
        await resolveReviewThread(gh, thread.id);
        sent.resolved++;
      } catch (err) {
        if (!(err instanceof ThreadResolveForbiddenError) && statusOf(err) !== 403) throw err;
        sent.resolveForbidden = true;
      }
    }
    if (sent.resolveForbidden && !told && resolves(c, result)) {
      body = `${body}\n\n${RESOLVE_PERMISSION_NOTE}`;
      told = true;
    }
    await gh.rest.pulls.createReplyForReviewComment({
      owner: pr.owner,
      repo: pr.repo,
      pull_number: pr.number,
      comment_id: c.id,
      body: `${tag}\n${body}`,
    });
    sent.replies++;
  }
  return sent;
}
