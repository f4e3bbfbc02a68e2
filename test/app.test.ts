import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../src/app.js";
import { createTriggerAdmission } from "../src/github/webhook/trigger-admission.js";
import { repoTriggerLookup } from "../src/github/webhook/trigger-settings.js";
import type { TaskRequest } from "../src/pipeline/task.js";
import { commentPayload, labeledPayload, reviewCommentPayload } from "./support/webhook-payloads.js";

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
  return {
    probot,
    queued,
    load: (withRepoTriggers = false) =>
      probot.load(createApp(sink, withRepoTriggers ? { repoTriggers: repoTriggerLookup() } : {})),
  };
}

const send = (probot: Probot, name: string, id: string, payload: unknown) =>
  probot.receive({ id, name, payload } as never);

/** Resolves when nock has answered every pending interceptor (reactions are not awaited). */
async function drained(scope: nock.Scope) {
  for (let i = 0; i < 500 && !scope.isDone(); i++) await new Promise((r) => setTimeout(r, 10));
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
    await send(probot, "issues", "delivery-1", labeledPayload());
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
    await send(probot, "issue_comment", "d-2", commentPayload("/agent add a test", { onPullRequest: true }));
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
    await send(probot, "pull_request_review_comment", "d-3", reviewCommentPayload("/agent rename it"));
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
    await send(probot, "issues", "same", labeledPayload());
    await send(probot, "issues", "same", labeledPayload());
    expect(queued).toHaveLength(1);
    expect(await drained(scope)).toBe(true);
  });

  it.each([
    ["a label that is not ours", "issues", labeledPayload("bug")],
    ["a bot sender", "issues", labeledPayload("backend-go", { senderType: "Bot" })],
    [
      "the app's own comment",
      "issue_comment",
      commentPayload("/agent loop", { sender: "backend-go-agent[bot]" }),
    ],
    ["a comment without /agent", "issue_comment", commentPayload("thanks, looks good")],
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

  describe("with the repository's own trigger settings", () => {
    const CONFIG = "/repos/acme/ledger/contents/.github%2Fbackend-go-agent.yml";
    const serveConfig = (scope: nock.Scope, yaml: string) =>
      scope.get(CONFIG).reply(200, yaml, { "content-type": "application/vnd.github.raw; charset=utf-8" });

    it("queues a label the repository configured, reading its file once for two events", async () => {
      const { probot, queued, load } = setup();
      await load(true);
      const scope = nock("https://api.github.com");
      serveConfig(scope, "trigger:\n  label: go-bot\nagents:\n  labels:\n    go-review: reviewer\n");
      scope.post("/repos/acme/ledger/issues/42/reactions").twice().reply(201, {});
      await send(probot, "issues", "c-1", labeledPayload("go-bot"));
      await send(probot, "issues", "c-2", labeledPayload("go-review"));
      expect(queued.map((t) => t.trigger.kind === "issue_label" && t.trigger.label)).toEqual([
        "go-bot",
        "go-review",
      ]);
      expect(await drained(scope)).toBe(true);
    });

    it("queues the repository's command word and records it on the task", async () => {
      const { probot, queued, load } = setup();
      await load(true);
      const scope = nock("https://api.github.com");
      serveConfig(scope, "trigger:\n  command: bot\n");
      scope.post("/repos/acme/ledger/issues/comments/555/reactions").reply(201, {});
      await send(probot, "issue_comment", "c-3", commentPayload("/bot add a test"));
      expect(queued[0]?.trigger).toMatchObject({ command: "bot", instruction: "add a test" });
      expect(await drained(scope)).toBe(true);
    });

    it("asks nothing for the default label or a comment without a slash command", async () => {
      const { probot, queued, load } = setup();
      await load(true);
      const calls: string[] = [];
      nock.emitter.on("no match", (req: { path?: string }) => calls.push(String(req.path)));
      nock("https://api.github.com").post("/repos/acme/ledger/issues/42/reactions").reply(201, {});
      await send(probot, "issue_comment", "c-4", commentPayload("looks good to me"));
      await send(probot, "issues", "c-5", labeledPayload("backend-go"));
      await new Promise((r) => setTimeout(r, 50));
      expect(queued).toHaveLength(1);
      expect(calls).toEqual([]);
      nock.emitter.removeAllListeners("no match");
    });

    it("ignores an unknown label in a repository without a file", async () => {
      const { probot, queued, load } = setup();
      await load(true);
      const scope = nock("https://api.github.com")
        .get(CONFIG)
        .reply(404, { message: "Not Found" })
        .get("/repos/acme/.github/contents/.github%2Fbackend-go-agent.yml")
        .reply(404, { message: "Not Found" });
      await send(probot, "issues", "c-6", labeledPayload("bug"));
      expect(queued).toEqual([]);
      expect(await drained(scope)).toBe(true);
    });
  });

  describe("with the permission check first", () => {
    const quiet = { info: () => undefined, warn: () => undefined };
    const permission = (login: string) => `/repos/acme/ledger/collaborators/${login}/permission`;

    function loadChecked(probot: Probot, queued: TaskRequest[], stops: string[]) {
      const sink = {
        enqueue: async (task: TaskRequest) => {
          queued.push(task);
          return { jobId: `job-${task.deliveryId}`, created: true };
        },
      };
      return probot.load(
        createApp(sink, {
          repoTriggers: repoTriggerLookup(),
          admission: createTriggerAdmission({ log: quiet }),
          onStop: (_context, stop) => stops.push(stop.actor),
        }),
      );
    }

    it("asks only the permission of an outsider's /bot or /agent stop: no settings read, no reaction, no job", async () => {
      const { probot, queued } = setup();
      const stops: string[] = [];
      await loadChecked(probot, queued, stops);
      // What these deliveries could cause besides the lookup: a settings read, a 👀 on the comment.
      // (Earlier tests' label reactions may still be on their way; they are not these.)
      const unexpected: string[] = [];
      nock.emitter.on("no match", (req: { method?: string; path?: string }) => {
        if (/\/contents\/|\/comments\/555\//.test(String(req.path)))
          unexpected.push(`${req.method} ${req.path}`);
      });
      const scope = nock("https://api.github.com")
        .get(permission("mallory"))
        .times(2)
        .reply(404, { message: "Not Found" });
      await send(probot, "issue_comment", "p-1", commentPayload("/bot delete it", { sender: "mallory" }));
      // The stop is refused, and its one reply (settings, comment list, comment) goes out afterwards.
      scope
        .get("/repos/acme/ledger/contents/.github%2Fbackend-go-agent.yml")
        .reply(404, { message: "Not Found" })
        .get("/repos/acme/.github/contents/.github%2Fbackend-go-agent.yml")
        .reply(404, { message: "Not Found" })
        .get("/repos/acme/ledger/issues/42/comments")
        .query(true)
        .reply(200, [])
        .post("/repos/acme/ledger/issues/42/comments", (b: { body: string }) =>
          /nothing was stopped/.test(b.body),
        )
        .reply(201, { id: 1 });
      await send(probot, "issue_comment", "p-2", commentPayload("/agent stop", { sender: "mallory" }));
      expect(await drained(scope)).toBe(true);
      expect(unexpected).toEqual([]);
      expect(queued).toEqual([]);
      expect(stops).toEqual([]);
      nock.emitter.removeAllListeners("no match");
    });

    it("lets a collaborator through, reacting only after the check", async () => {
      const { probot, queued } = setup();
      await loadChecked(probot, queued, []);
      const scope = nock("https://api.github.com")
        .get(permission("alice"))
        .reply(200, { permission: "write", role_name: "write" })
        .post("/repos/acme/ledger/issues/comments/555/reactions")
        .reply(201, {});
      await send(probot, "issue_comment", "p-3", commentPayload("/agent add a test"));
      expect(queued).toHaveLength(1);
      expect(await drained(scope)).toBe(true);
    });
  });
});
