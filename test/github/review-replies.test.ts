// One answer per review comment, against the stand-in's REST and GraphQL: a review of three
// line comments, two addressed by the pushed commit and one declined, gets three replies —
// each naming the commit and the lines it changed, or the reason — and the two addressed
// threads resolved while the declined one stays open. A token GitHub will not let resolve
// threads gets the same replies, the threads left open, and the reason said once.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ProbotOctokit } from "probot";
import type { ReviewAnswer } from "../../src/agent/review-answers.js";
import type { GitHubClient } from "../../src/github/auth/client.js";
import { reviewMaterial } from "../../src/github/context/review-context.js";
import { RESOLVE_PERMISSION_NOTE, replyInReviewThreads } from "../../src/github/publish/review-replies.js";
import type { JobResult } from "../../src/pipeline/ports.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import { openPullRequest } from "../support/github-webhooks.js";
import { pullRequestReviewSubmitted } from "../support/github-webhooks-follow-up.js";

const OWNER = "acme";
const REPO = "ledger";
let gh: GitHubStandIn;

const VERSION_BEFORE = 'package api\n\nconst Version = "1"\n\nconst Name = "ledger"\n';
const VERSION_AFTER =
  'package api\n\n// Version is the API\'s semantic version.\nconst Version = "1.0.0"\n\nconst Name = "ledger"\n';

function client(token: string): GitHubClient {
  return new (ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }))({
    auth: { token },
    baseUrl: gh.apiUrl,
  }) as GitHubClient;
}

beforeAll(async () => {
  gh = await startGitHubServer();
  await gh.createRepo(OWNER, REPO);
  gh.acceptToken("ghs_full_job_token");
  // A token minted without contents: write (as GitHub's resolveReviewThread requires).
  gh.acceptToken("ghs_contents_read_token");
  gh.state.tokens.at(-1)!.permissions = { contents: "read", pull_requests: "write", metadata: "read" };
});

afterAll(() => gh.close());

/** A PR whose head has api/version.go, a three-comment review on it, and the fix pushed after. */
async function reviewedPr(branch: string) {
  await gh.git.commitFiles(
    `${OWNER}/${REPO}`,
    branch,
    { "api/version.go": VERSION_BEFORE },
    { from: "main" },
  );
  const pr = await openPullRequest(gh, { owner: OWNER, repo: REPO, head: branch, title: "Version" });
  const payload = await pullRequestReviewSubmitted(gh, {
    owner: OWNER,
    repo: REPO,
    number: pr.number,
    sender: "alice",
    state: "changes_requested",
    body: "A few things.",
    comments: [
      { path: "api/version.go", line: 3, diffHunk: "@@ -0,0 +1,5 @@", body: "Use semver." },
      { path: "api/version.go", line: 3, diffHunk: "@@ -0,0 +1,5 @@", body: "Document it." },
      { path: "api/version.go", line: 5, diffHunk: "@@ -0,0 +1,5 @@", body: "Rename Name to AppName." },
    ],
  });
  const fix = await gh.git.commitFiles(`${OWNER}/${REPO}`, branch, { "api/version.go": VERSION_AFTER });
  return { pr, reviewId: payload.review.id, fix };
}

function resultOf(fix: string, answers: ReviewAnswer[]): JobResult {
  const usage = {
    input_tokens: 1,
    output_tokens: 1,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  return {
    task: {
      deliveryId: "d",
      target: { owner: OWNER, repo: REPO, number: 1, kind: "pull_request" },
      trigger: { kind: "pr_review", actor: "alice", instruction: "", at: "", reviewId: 1, reviewState: "x" },
      context: { title: "", body: "", comments: [] },
    },
    agent: { name: "a", version: "1" },
    outcome: {
      kind: "completed",
      report: "",
      sections: [{ name: "Summary", body: "Semver and a doc comment." }],
      reviewAnswers: answers,
      usage,
      costUsd: 0,
      turns: 1,
      model: "m",
      transcript: [],
      changedFiles: ["api/version.go"],
    },
    commit: { branch: "b", baseSha: "0".repeat(40), startedFrom: "remote-branch", sha: fix, pushed: true },
    durationMs: 1,
    step: "publishing",
    disposition: { kind: "done" },
  };
}

const repliesTo = (id: number) =>
  gh.state.reviewComments.filter((c) => c.inReplyTo === id && c.user.login === gh.bot.login);

describe("replies per review comment", () => {
  it("two addressed and one declined: three replies, two threads resolved, one open", async () => {
    const { pr, reviewId, fix } = await reviewedPr("backend-go/issue-1");
    const api = client("ghs_full_job_token");
    const review = await reviewMaterial(api, { owner: OWNER, repo: REPO }, pr.number, reviewId);
    const [semver, doc, rename] = review.comments;
    const result = resultOf(fix!, [
      { commentId: semver!.id, addressed: true, text: "Version is now 1.0.0." },
      { commentId: doc!.id, addressed: true, text: "Added a doc comment." },
      {
        commentId: rename!.id,
        addressed: false,
        text: "Name is part of the public API; renaming breaks clients.",
      },
    ]);
    const sent = await replyInReviewThreads(
      api,
      { owner: OWNER, repo: REPO, number: pr.number },
      review.comments,
      result,
      "job-1",
    );
    expect(sent).toEqual({ replies: 3, resolved: 2 });

    const short = fix!.slice(0, 12);
    for (const c of [semver!, doc!]) {
      const [reply] = repliesTo(c.id);
      expect(reply!.body).toContain(`**Addressed** in \`${short}\``);
      expect(reply!.body).toContain("Changed in `api/version.go`: lines 3–4.");
      expect(gh.state.resolvedThreads.has(c.id)).toBe(true);
    }
    expect(repliesTo(semver!.id)[0]!.body).toContain("Version is now 1.0.0.");
    const [declined] = repliesTo(rename!.id);
    expect(declined!.body).toContain("**Not changed.** Name is part of the public API");
    expect(declined!.body).toContain("stays open");
    expect(gh.state.resolvedThreads.has(rename!.id)).toBe(false);

    // Published again (a retry): no second reply anywhere.
    const again = await replyInReviewThreads(
      api,
      { owner: OWNER, repo: REPO, number: pr.number },
      review.comments,
      result,
      "job-1",
    );
    expect(again.replies).toBe(0);
    expect(repliesTo(semver!.id)).toHaveLength(1);
  });

  it("a token GitHub will not let resolve threads: the replies still go out, the reason is said once", async () => {
    const { pr, reviewId, fix } = await reviewedPr("backend-go/issue-2");
    const api = client("ghs_contents_read_token");
    const review = await reviewMaterial(api, { owner: OWNER, repo: REPO }, pr.number, reviewId);
    const result = resultOf(
      fix!,
      review.comments.map((c) => ({ commentId: c.id, addressed: true, text: "Done." })),
    );
    const sent = await replyInReviewThreads(
      api,
      { owner: OWNER, repo: REPO, number: pr.number },
      review.comments,
      result,
      "job-2",
    );
    expect(sent).toEqual({ replies: 3, resolved: 0, resolveForbidden: true });
    const bodies = review.comments.map((c) => repliesTo(c.id)[0]!.body);
    expect(bodies.filter((b) => b.includes(RESOLVE_PERMISSION_NOTE))).toHaveLength(1);
    expect(review.comments.some((c) => gh.state.resolvedThreads.has(c.id))).toBe(false);
    // GitHub was asked once, and refused in its own shape.
    const mutations = gh.state.requests.filter(
      (r) => r.path === "/graphql" && JSON.stringify(r.body).includes("resolveReviewThread"),
    );
    expect(mutations.length).toBeGreaterThanOrEqual(1);
  });
});
