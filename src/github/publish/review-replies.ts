// The end of a pr_review job, in each line comment's thread: what the pushed commit changed
// in that comment's file, or why nothing was pushed, with a link to the report on the PR.
// One reply per comment, never more (a re-run finds its earlier replies by the job's id).
import type { JobResult } from "../../pipeline/ports.js";
import type { GitHubClient, IssueRef } from "../auth/client.js";
import type { ReviewLineComment } from "../context/review-context.js";

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function renderReviewReply(comment: ReviewLineComment, result: JobResult, reportUrl?: string): string {
  const { commit, outcome } = result;
  const report = reportUrl ? ` The report: ${reportUrl}` : "";
  if (outcome.kind !== "completed") {
    const why = outcome.kind === "failed" ? outcome.reason : "the agent asked questions first (see the PR)";
    return `Nothing was pushed for this review: ${why}.${report}`;
  }
  const summary = outcome.sections
    .find((s) => /summary/i.test(s.name))
    ?.body.split("\n")[0]
    ?.trim();
  const said = summary ? ` ${summary}` : "";
  if (commit?.sha && commit.pushed) {
    const sha = code(commit.sha.slice(0, 12));
    return outcome.changedFiles.includes(comment.path)
      ? `Changed ${code(comment.path)} in ${sha}.${said}${report}`
      : `Pushed ${sha}, which does not change ${code(comment.path)}; the report says why.${said}${report}`;
  }
  return `No change was pushed for this comment: the agent made no change to the repository.${said}${report}`;
}

export async function replyInReviewThreads(
  gh: GitHubClient,
  pr: IssueRef,
  comments: readonly ReviewLineComment[],
  result: JobResult,
  jobId: string,
  reportUrl?: string,
): Promise<number> {
  const tag = `<!-- backend-go-agent:review-reply job=${jobId} -->`;
  const existing = await gh.paginate(gh.rest.pulls.listReviewComments, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: 100,
  });
  const answered = new Set(existing.filter((c) => c.body.includes(tag)).map((c) => c.in_reply_to_id ?? -1));
  let sent = 0;
  for (const c of comments) {
    if (answered.has(c.id)) continue;
    await gh.rest.pulls.createReplyForReviewComment({
      owner: pr.owner,
      repo: pr.repo,
      pull_number: pr.number,
      comment_id: c.id,
      body: `${tag}\n${renderReviewReply(c, result, reportUrl)}`,
    });
    sent++;
  }
  return sent;
}
