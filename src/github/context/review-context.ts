// What a pr_review job reads: the review's body and every line comment of that review (file,
// line, diff hunk, text), listed from GitHub because the webhook carries only the review.
// All of it is untrusted material, sanitised like issue text. The comment ids are kept so
// the job can answer in each comment's thread.
import { capText, sanitizeUntrusted } from "../../triggers/sanitize.js";
import type { GitHubClient, RepoRef } from "../auth/client.js";

export interface ReviewLineComment {
  id: number;
  path: string;
  line?: number;
}

export interface ReviewMaterial {
  text: string;
  paths: string[];
  comments: ReviewLineComment[];
}

const neutralise = (text: string) => text.replace(/<(\/?)(review|review_comment|diff_hunk)\b/gi, "<$1 $2");
const attr = (text: string) => neutralise(text).replace(/"/g, "'");

export async function reviewMaterial(
  gh: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
  reviewId: number,
  maxChars = 40_000,
): Promise<ReviewMaterial> {
  const params = { ...repo, pull_number: pullNumber, review_id: reviewId };
  const [{ data: review }, lineComments] = await Promise.all([
    gh.rest.pulls.getReview(params),
    gh.paginate(gh.rest.pulls.listCommentsForReview, { ...params, per_page: 100 }),
  ]);
  let left = maxChars;
  const take = (text: string | null | undefined) => {
    const out = capText(sanitizeUntrusted(text), Math.max(200, left));
    left -= out.length;
    return neutralise(out);
  };
  const parts = [
    `<review id="${review.id}" author="${attr(review.user?.login ?? "ghost")}" state="${attr(review.state)}">`,
    `The review you are answering. It has ${lineComments.length} line comment${lineComments.length === 1 ? "" : "s"}; address each one.`,
  ];
  const body = take(review.body);
  if (body) parts.push(`<review_body>\n${body}\n</review_body>`);
  const comments: ReviewLineComment[] = [];
  for (const c of lineComments) {
    const line = c.line ?? c.original_line ?? undefined;
    comments.push({ id: c.id, path: c.path, ...(line ? { line } : {}) });
    parts.push(
      `<review_comment id="${c.id}" path="${attr(c.path)}"${line ? ` line="${line}"` : ""}>`,
      `<diff_hunk>\n${take(c.diff_hunk)}\n</diff_hunk>`,
      take(c.body),
      "</review_comment>",
    );
  }
  parts.push("</review>");
  return { text: parts.join("\n"), paths: [...new Set(comments.map((c) => c.path))], comments };
}
