// The 👀 on a trigger leaves the webhook's path: a burst of deliveries is answered, every one
// stored as a durable job (real SQLite), and the reaction still reaches GitHub (the REST
// stand-in) afterwards, coalesced per subject instead of one throttled request per delivery.
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/app.js";
import { type ReactionClient, TriggerReactions } from "../../src/github/webhook/trigger-reactions.js";
import { SqliteJobQueue, sqliteQueueFile } from "../../src/queue/sqlite-queue.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import { issueCommentCreated, issuesLabeled, sendWebhook } from "../support/github-webhooks.js";

const SECRET = "reactions-webhook-secret";
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

let gh: GitHubStandIn;
let probot: Probot;
let queue: SqliteJobQueue;
let dataDir: string;
let server: Server;
let hookUrl: string;

beforeAll(async () => {
  gh = await startGitHubServer();
  await gh.createRepo("acme", "ledger");
  dataDir = await mkdtemp(join(tmpdir(), "bga-reactions-"));
  // No worker is started: the jobs stay queued, as behind a running job of the same issue.
  queue = new SqliteJobQueue(sqliteQueueFile(dataDir));
  probot = new Probot({
    appId: gh.app.id,
    privateKey,
    secret: SECRET,
    baseUrl: gh.apiUrl,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
  const middleware = await createNodeMiddleware(createApp(queue), { probot });
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
  await queue.close();
  await gh.close();
  await rm(dataDir, { recursive: true, force: true });
});

const reactionPosts = (path: string) =>
  gh.state.requests.filter((r) => r.method === "POST" && r.path === path);

/** Waits (bounded) until `done()` holds; the reactions are sent after the answers. */
async function eventually(done: () => boolean) {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  return done();
}

describe("the 👀 on a trigger, sent after the webhook is answered", () => {
  it("stores every delivery of a burst as a job and still reacts on the issue and the comment", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "Add a balance endpoint", user: "alice" });
    const labeled = issuesLabeled(gh, { number: issue.number, label: "backend-go" });
    const comment = issueCommentCreated(gh, { number: issue.number, body: "/agent add a test" });
    const deliveries = Array.from({ length: 30 }, (_, i) => `burst-${i}`);

    const answers = await Promise.all([
      ...deliveries.map((deliveryId) =>
        sendWebhook(hookUrl, { secret: SECRET, event: "issues", payload: labeled, deliveryId }),
      ),
      sendWebhook(hookUrl, {
        secret: SECRET,
        event: "issue_comment",
        payload: comment,
        deliveryId: "burst-comment",
      }),
      // A redelivery of one of them: still one job, no second job.
      sendWebhook(hookUrl, { secret: SECRET, event: "issues", payload: labeled, deliveryId: "burst-0" }),
    ]);
    expect(answers.map((a) => a.status).filter((s) => s >= 300)).toEqual([]);

    // Durable before the answer: a second handle on the same file sees every job.
    const reopened = new SqliteJobQueue(sqliteQueueFile(dataDir));
    try {
      const stored = await reopened.list({ limit: 100 });
      expect(stored.map((j) => j.deliveryId).sort()).toEqual([...deliveries, "burst-comment"].sort());
      expect(stored.every((j) => j.status === "queued")).toBe(true);
    } finally {
      await reopened.close();
    }

    const onIssue = () =>
      gh.state.reactions.filter(
        (r) => r.subject === "issue" && r.subjectId === gh.state.issue("acme", "ledger", issue.number)?.id,
      );
    const onComment = () =>
      gh.state.reactions.filter((r) => r.subject === "issue_comment" && r.subjectId === comment.comment.id);
    expect(await eventually(() => onIssue().length === 1 && onComment().length === 1)).toBe(true);
    expect(onIssue()[0]).toMatchObject({ content: "eyes", user: { login: "backend-go-agent[bot]" } });
    expect(onComment()[0]).toMatchObject({ content: "eyes", user: { login: "backend-go-agent[bot]" } });
  });
});

describe("TriggerReactions", () => {
  it("keeps one request in flight per installation and coalesces what waits behind it per subject", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "Coalesced", user: "alice" });
    const comment = gh.addComment("acme", "ledger", issue.number, "/agent go", "alice");
    const client = (await probot.auth(7)) as unknown as ReactionClient;
    const warnings: string[] = [];
    const reactions = new TriggerReactions({ warn: (_obj, msg) => warnings.push(msg) });
    const repo = { owner: "acme", repo: "ledger" };

    for (let i = 0; i < 40; i++) reactions.add("7", client, { ...repo, subject: "issue", id: issue.number });
    reactions.add("7", client, { ...repo, subject: "issue_comment", id: comment.id });
    reactions.add("7", client, { ...repo, subject: "issue_comment", id: comment.id });
    // The first went out at once; what waits behind it is one entry per subject.
    expect(reactions.waiting).toBe(2);

    expect(await eventually(() => reactions.waiting === 0)).toBe(true);
    const issuePath = `/repos/acme/ledger/issues/${issue.number}/reactions`;
    const commentPath = `/repos/acme/ledger/issues/comments/${comment.id}/reactions`;
    expect(await eventually(() => reactionPosts(commentPath).length === 1)).toBe(true);
    // 40 triggers on the issue: the one in flight and one coalesced behind it.
    expect(reactionPosts(issuePath)).toHaveLength(2);
    expect(gh.state.reactions.filter((r) => r.subject === "issue" && r.subjectId === issue.id)).toHaveLength(
      1,
    );
    expect(warnings).toEqual([]);
  });

  it("says so in the log when GitHub refuses a reaction, and goes on with the next", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "Refused", user: "alice" });
    const client = (await probot.auth(7)) as unknown as ReactionClient;
    const warnings: string[] = [];
    const reactions = new TriggerReactions({ warn: (_obj, msg) => warnings.push(msg) });
    reactions.add("7", client, { owner: "acme", repo: "ledger", subject: "issue_comment", id: 999_999 });
    reactions.add("7", client, { owner: "acme", repo: "ledger", subject: "issue", id: issue.number });
    expect(
      await eventually(() =>
        gh.state.reactions.some((r) => r.subject === "issue" && r.subjectId === issue.id),
      ),
    ).toBe(true);
    expect(warnings).toEqual(["could not react to the trigger"]);
  });
});
