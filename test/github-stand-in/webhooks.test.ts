import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import {
  issueCommentCreated,
  issuesLabeled,
  openPullRequest,
  pullRequestReviewCommentCreated,
  sendWebhook,
} from "../support/github-webhooks.js";

const SECRET = "stand-in-webhook-secret";
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

let gh: GitHubStandIn;
let server: Server;
let hookUrl: string;
// biome-ignore lint/suspicious/noExplicitAny: payloads as Probot hands them over
const seen: { event: string; payload: any }[] = [];

beforeAll(async () => {
  gh = await startGitHubServer();
  await gh.createRepo("acme", "ledger");
  await gh.git.commitFiles(
    "acme/ledger",
    "feature/wallet",
    { "wallet.go": "package ledger\n" },
    { from: "main" },
  );
  const probot = new Probot({
    appId: gh.app.id,
    privateKey,
    secret: SECRET,
    baseUrl: gh.apiUrl,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
  const middleware = await createNodeMiddleware(
    (app) => {
      app.on("issues.labeled", async (context) => {
        seen.push({ event: "issues.labeled", payload: context.payload });
        await context.octokit.rest.issues.createComment(context.issue({ body: "on it" }));
      });
      app.on("issue_comment.created", async (context) => {
        seen.push({ event: "issue_comment.created", payload: context.payload });
      });
      app.on("pull_request_review_comment.created", async (context) => {
        seen.push({ event: "pull_request_review_comment.created", payload: context.payload });
      });
    },
    { probot },
  );
  server = createServer((req, res) => {
    Promise.resolve(middleware(req, res)).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await gh.close();
});

describe("signed webhooks from the stand-in to a real Probot app", () => {
  it("delivers issues.labeled; the app authenticates as the installation and comments", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "Add a balance endpoint", user: "alice" });
    const payload = issuesLabeled(gh, {
      number: issue.number,
      label: "backend-go",
    });
    const delivery = await sendWebhook(hookUrl, { secret: SECRET, event: "issues", payload });
    expect(delivery.status).toBe(200);

    const got = seen.find((s) => s.event === "issues.labeled")!.payload;
    expect(got.repository.clone_url).toBe(gh.cloneUrl("acme", "ledger"));
    expect(got).toMatchObject({
      label: { name: "backend-go" },
      installation: { id: 7 },
      sender: { login: "alice", type: "User" },
      issue: { number: issue.number, title: "Add a balance endpoint" },
    });
    expect(gh.state.commentsOn("acme", "ledger", issue.number).map((c) => [c.user.login, c.body])).toEqual([
      ["backend-go-agent[bot]", "on it"],
    ]);
    expect(
      gh.state.requests.some((r) => r.path === "/app/installations/7/access_tokens" && r.auth === "jwt"),
    ).toBe(true);
  });

  it("refuses a delivery signed with another secret", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "x" });
    const payload = issuesLabeled(gh, {
      number: issue.number,
      label: "backend-go",
    });
    const before = seen.length;
    const delivery = await sendWebhook(hookUrl, { secret: "wrong", event: "issues", payload });
    expect(delivery.status).toBeGreaterThanOrEqual(400);
    expect(seen.length).toBe(before);
  });

  it("delivers /agent comments on an issue and on a pull request, and review comments", async () => {
    const pr = await openPullRequest(gh, {
      owner: "acme",
      repo: "ledger",
      head: "feature/wallet",
      title: "Wallet",
    });
    const onPr = issueCommentCreated(gh, {
      number: pr.number,
      body: "/agent wrap the errors with %w",
    });
    expect(
      (await sendWebhook(hookUrl, { secret: SECRET, event: "issue_comment", payload: onPr })).status,
    ).toBe(200);
    const fromBot = issueCommentCreated(gh, {
      number: pr.number,
      body: "done",
      sender: "backend-go-agent[bot]",
    });
    expect(
      (await sendWebhook(hookUrl, { secret: SECRET, event: "issue_comment", payload: fromBot })).status,
    ).toBe(200);
    const review = await pullRequestReviewCommentCreated(gh, {
      number: pr.number,
      body: "/agent check the nil case",
      path: "wallet.go",
      line: 1,
      diffHunk: "@@ -0,0 +1 @@\n+package ledger",
    });
    const reviewDelivery = await sendWebhook(hookUrl, {
      secret: SECRET,
      event: "pull_request_review_comment",
      payload: review,
    });
    expect(reviewDelivery.status).toBe(200);

    const comments = seen.filter((s) => s.event === "issue_comment.created").map((s) => s.payload);
    expect(comments[0]).toMatchObject({
      issue: {
        number: pr.number,
        pull_request: { url: `${gh.apiUrl}/repos/acme/ledger/pulls/${pr.number}` },
      },
      comment: { body: "/agent wrap the errors with %w", user: { login: "alice", type: "User" } },
    });
    expect(comments[1]).toMatchObject({ sender: { type: "Bot" }, comment: { user: { type: "Bot" } } });
    const rc = seen.find((s) => s.event === "pull_request_review_comment.created")!.payload;
    expect(rc).toMatchObject({
      comment: { path: "wallet.go", line: 1, diff_hunk: "@@ -0,0 +1 @@\n+package ledger" },
      pull_request: {
        number: pr.number,
        head: { ref: "feature/wallet", repo: { full_name: "acme/ledger", fork: false } },
        base: { ref: "main" },
      },
    });
    expect(rc.pull_request.head.sha).toBe(await gh.git.revParse("acme/ledger", "feature/wallet"));
  });
});
