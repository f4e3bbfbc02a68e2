import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../src/app.js";
import type { TaskRequest } from "../src/jobs/task.js";
import { issueCommentCreated, issuesLabeled, reviewCommentCreated } from "./support/webhook-payloads.js";

function setup() {
  const queued: TaskRequest[] = [];
  const seen = new Set<string>();
  const probot = new Probot({
    githubToken: "test-token",
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
    logLevel: "fatal",
  });
  const sink = {
    enqueue: async (task: TaskRequest) => {
      const created = !seen.has(task.deliveryId);
      seen.add(task.deliveryId);
      if (created) queued.push(task);
      return { jobId: `job-${task.deliveryId}`, created };
    },
  };
  return { probot, queued, load: () => probot.load(createApp(sink)) };
}

const send = (probot: Probot, name: string, id: string, payload: unknown) =>
  probot.receive({ id, name, payload } as never);

/** Resolves when nock has answered every pending interceptor (reactions are not awaited). */
async function drained(scope: nock.Scope) {
  for (let i = 0; i < 100 && !scope.isDone(); i++) await new Promise((r) => setTimeout(r, 10));
  return scope.isDone();
}

describe("webhook handlers", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("queues a job for the backend-go label and reacts 👀 on the issue", async () => {
    const { probot, queued, load } = setup();
    await load();
    const scope = nock("https://api.github.com")
      .post("/repos/acme/ledger/issues/42/reactions", { content: "eyes" })
      .reply(201, {});
    await send(probot, "issues", "delivery-1", issuesLabeled());
    expect(queued.map((t) => t.target)).toEqual([
      { owner: "acme", repo: "ledger", number: 42, kind: "issue" },
    ]);
    expect(await drained(scope)).toBe(true);
  });

  it("queues /agent on a PR comment and reacts on the comment", async () => {
    const { probot, queued, load } = setup();
    await load();
    const scope = nock("https://api.github.com")
      .post("/repos/acme/ledger/issues/comments/555/reactions", { content: "eyes" })
      .reply(201, {});
    await send(
      probot,
      "issue_comment",
      "d-2",
      issueCommentCreated("/agent add a test", { onPullRequest: true }),
    );
    expect(queued[0]?.trigger.instruction).toBe("add a test");
    expect(queued[0]?.target.kind).toBe("pull_request");
    expect(await drained(scope)).toBe(true);
  });

  it("queues /agent on a review comment and reacts on it", async () => {
    const { probot, queued, load } = setup();
    await load();
    const scope = nock("https://api.github.com")
      .post("/repos/acme/ledger/pulls/comments/777/reactions", { content: "eyes" })
      .reply(201, {});
    await send(probot, "pull_request_review_comment", "d-3", reviewCommentCreated("/agent rename it"));
    expect(queued[0]?.context.review?.path).toBe("api/balance.go");
    expect(await drained(scope)).toBe(true);
  });

  it("makes one job of a redelivered webhook and reacts once", async () => {
    const { probot, queued, load } = setup();
    await load();
    const scope = nock("https://api.github.com")
      .post("/repos/acme/ledger/issues/42/reactions")
      .once()
      .reply(201, {});
    await send(probot, "issues", "same", issuesLabeled());
    await send(probot, "issues", "same", issuesLabeled());
    expect(queued).toHaveLength(1);
    expect(await drained(scope)).toBe(true);
  });

  it.each([
    ["a label that is not ours", "issues", issuesLabeled("bug")],
    ["a bot sender", "issues", issuesLabeled("backend-go", { senderType: "Bot" })],
    [
      "the app's own comment",
      "issue_comment",
      issueCommentCreated("/agent loop", { sender: "backend-go-agent[bot]" }),
    ],
    ["a comment without /agent", "issue_comment", issueCommentCreated("thanks, looks good")],
    ["a malformed payload", "issue_comment", { action: "created", comment: { body: "/agent x" } }],
  ])("ignores %s: no job and no GitHub call", async (_what, name, payload) => {
    const { probot, queued, load } = setup();
    await load();
    const calls: string[] = [];
    nock.emitter.on("no match", (req: { path?: string }) => calls.push(String(req.path)));
    await send(probot, name, "d-x", payload);
    await new Promise((r) => setTimeout(r, 50));
    expect(queued).toEqual([]);
    expect(calls).toEqual([]);
    nock.emitter.removeAllListeners("no match");
  });
});
