// Stand-in endpoints for pull request reviews: a review, its line comments, and a reply in a
// line comment's thread (stored as a review comment answering it, as GitHub does).
import { reviewCommentJson, userJson } from "./github-json.js";
import {
  HttpError,
  needIssue,
  needString,
  ok,
  type Route,
  type RouteContext,
  route,
} from "./github-routes.js";
import type { ReviewCommentState, ReviewState } from "./github-state.js";

function needReview(ctx: RouteContext): ReviewState {
  const issue = needIssue(ctx);
  const review = ctx.env.state.reviews.find(
    (r) =>
      r.id === Number(ctx.params.id) &&
      r.owner === issue.owner &&
      r.repo === issue.repo &&
      r.pullNumber === issue.number,
  );
  if (!review) throw new HttpError(404, "Not Found");
  return review;
}

export function reviewJson(ctx: RouteContext, r: ReviewState) {
  const { urls } = ctx.env;
  return {
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: userJson(r.user),
    body: r.body,
    state: r.state,
    commit_id: r.commitId,
    submitted_at: r.submittedAt,
    author_association: "OWNER",
    html_url: `${urls.web}/${r.owner}/${r.repo}/pull/${r.pullNumber}#pullrequestreview-${r.id}`,
    pull_request_url: `${urls.api}/repos/${r.owner}/${r.repo}/pulls/${r.pullNumber}`,
  };
}

export const reviewRoutes: Route[] = [
  route("GET", "/repos/:owner/:repo/pulls/:number/reviews/:id", (ctx) =>
    ok(reviewJson(ctx, needReview(ctx))),
  ),
  route("GET", "/repos/:owner/:repo/pulls/:number/reviews/:id/comments", (ctx) => {
    const review = needReview(ctx);
    const mine = ctx.env.state.reviewComments.filter((c) => c.reviewId === review.id);
    return ok(mine.map((c) => reviewCommentJson(ctx.env.urls, c)));
  }),
  route("POST", "/repos/:owner/:repo/pulls/:number/comments/:id/replies", (ctx) => {
    const issue = needIssue(ctx);
    const parent = ctx.env.state.reviewComments.find(
      (c) => c.id === Number(ctx.params.id) && c.owner === issue.owner && c.repo === issue.repo,
    );
    if (!parent || parent.pullNumber !== issue.number) throw new HttpError(404, "Not Found");
    const reply: ReviewCommentState = {
      id: ctx.env.state.nextId(),
      owner: issue.owner,
      repo: issue.repo,
      pullNumber: issue.number,
      body: needString(ctx.body, "body"),
      path: parent.path,
      line: parent.line,
      diffHunk: parent.diffHunk,
      commitId: parent.commitId,
      user: ctx.env.bot,
      inReplyTo: parent.inReplyTo ?? parent.id,
    };
    ctx.env.state.reviewComments.push(reply);
    return ok(reviewCommentJson(ctx.env.urls, reply), 201);
  }),
];
