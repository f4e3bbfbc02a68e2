// Nothing lost, nothing paid twice, end to end: the real app (node dist/main.js, SQLite)
// against the GitHub stand-in, real git, real Go, the scripted model through the real SDK.
// GitHub refuses the tracking comment for good: the PR still opens, once. GitHub refuses to
// open the PR past one attempt's retries: the job retries and publishes what it made — no
// second clone, conversation or verification. A stop during a slow clone ends the job at
// once and is acknowledged. A taken port fails the start before any job is claimed, and
// /jobs beyond loopback needs JOBS_TOKEN. Run `npm run build` first (npm test does).
import { once } from "node:events";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { SqliteJobQueue, sqliteQueueFile } from "../../src/queue/sqlite-queue.js";
import type { GitHubStandIn } from "../support/github-server.js";
import type { IssueState } from "../support/github-state.js";
import { issueCommentCreated, issuesLabeled } from "../support/github-webhooks.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import { makeTask } from "../support/queue-task.js";
import {
  GO_ENGINEER_SECTIONS,
  type RecordedRequest,
  report,
  type ScriptedModelServer,
  say,
  tool,
} from "../support/scripted-model.js";
import { type AppProcess, runAppToExit, startAppProcess, tempDataDir, waitFor } from "./harness.js";
import { type E2EWorld, type JobView, startWorld } from "./world.js";

const OWNER = "acme";
const REPO = "ledger";
const JOB_MS = 300_000;
let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;
let app: AppProcess;

beforeAll(async () => {
  world = await startWorld();
  ({ gh, model } = world);
  await gh.createRepo(OWNER, REPO, { fromDir: LEDGER_FIXTURE });
  gh.setPermission(OWNER, REPO, "alice", "maintain");
  app = await world.startApp();
}, 120_000);

afterAll(() => world?.close());

const appEnv = (dataDir: string, extra: Record<string, string> = {}) => world.appEnv(dataDir, extra);
const send = (event: string, payload: unknown) => world.deliver(event, payload);
const label = (issue: IssueState) =>
  send(
    "issues",
    issuesLabeled(gh, {
      owner: OWNER,
      repo: REPO,
      number: issue.number,
      label: "backend-go",
      sender: "alice",
    }),
  );
const job = (delivery: string) => world.job(delivery);
const finished = (delivery: string, timeoutMs = JOB_MS) =>
  waitFor(
    `the job of ${delivery} to finish`,
    async () => {
      const j = await job(delivery);
      return j && ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
    },
    timeoutMs,
  );
const conversations = (requests: RecordedRequest[]) =>
  requests.filter((r) => Array.isArray(r.messages) && r.messages.length === 1).length;
const prsFor = (number: number) =>
  gh.state.pulls(OWNER, REPO).filter((p) => p.pull?.head === `backend-go/issue-${number}`);
const refused = (method: string, path: RegExp, status: number) =>
  gh.state.requests.filter((r) => r.method === method && path.test(r.path) && r.status === status);

function addsConstant(name: string) {
  return [
    tool("write_file", {
      path: `ledger/${name.toLowerCase()}.go`,
      content: `package ledger\n\n// ${name} is new.\nconst ${name} = 1\n`,
    }),
    say(report(GO_ENGINEER_SECTIONS)),
  ];
}

describe("the product first, and paid once", () => {
  it(
    "the tracking comment refused on every try (502, then 403): one PR with its verdict, the agent ran once",
    async () => {
      const issue = gh.createIssue(OWNER, REPO, { title: "A fee constant", user: "alice" });
      const comments = new RegExp(`^/repos/${OWNER}/${REPO}/issues/${issue.number}/comments$`);
      gh.failures.push({
        method: "POST",
        path: comments,
        status: 502,
        times: 4,
        followedBy: [{ method: "POST", path: comments, status: 403, times: 1_000 }],
      });
      const before = model.requests.length;
      model.add(...addsConstant("Fee"));
      let done: JobView;
      try {
        done = await finished(await label(issue));
      } finally {
        gh.failures.length = 0;
      }
      expect(done).toMatchObject({ status: "succeeded", agentRuns: 1, attempts: 1, verdict: "pass" });
      expect(refused("POST", comments, 502).length).toBeGreaterThan(0);
      expect(refused("POST", comments, 403).length).toBeGreaterThan(0);
      const prs = prsFor(issue.number);
      expect(prs).toHaveLength(1);
      expect(prs[0]!.body).toContain("Verified by backend-go-agent");
      expect(conversations(model.requests.slice(before))).toBe(1);
      // The issue took no comment, so the final word is on the PR.
      const onPr = gh.state
        .commentsOn(OWNER, REPO, prs[0]!.number)
        .find((c) => c.user.login === gh.bot.login && c.body.includes("backend-go-agent:tracking"));
      expect(onPr?.body).toContain(`Opened pull request #${prs[0]!.number}`);
      console.log(
        `[measure] tracking comment refused: ${conversations(model.requests.slice(before))} model conversation, ${prs.length} PR`,
      );
    },
    JOB_MS,
  );

  it(
    "PR creation refused (502) past one attempt's retries: the job retries, one PR opens, one model conversation",
    async () => {
      const issue = gh.createIssue(OWNER, REPO, { title: "A tax constant", user: "alice" });
      const pulls = new RegExp(`^/repos/${OWNER}/${REPO}/pulls$`);
      // Octokit's own retries (three) in the app, and one more: the first attempt fails.
      gh.failures.push({ method: "POST", path: pulls, status: 502, times: 4 });
      const before = model.requests.length;
      model.add(...addsConstant("Tax"));
      const delivery = await label(issue);
      let gitAtRetry = 0;
      let modelAtRetry = 0;
      try {
        await waitFor(
          "the first attempt to fail in publishing",
          async () => (await job(delivery))?.status === "retrying",
          JOB_MS,
        );
        gitAtRetry = gh.git.requests.length;
        modelAtRetry = model.requests.length;
        const done = await finished(delivery);
        expect(done).toMatchObject({ status: "succeeded", attempts: 2, agentRuns: 1, verdict: "pass" });
        expect(done.prUrl).toBeDefined();
        console.log(
          `[measure] PR refused past retries: ${done.attempts} attempts, ${conversations(model.requests.slice(before))} model conversation, agentRuns ${done.agentRuns}`,
        );
      } finally {
        gh.failures.length = 0;
      }
      expect(refused("POST", pulls, 502)).toHaveLength(4);
      expect(prsFor(issue.number)).toHaveLength(1);
      expect(conversations(model.requests.slice(before))).toBe(1);
      // The retry published what the first attempt made: no model call, no clone or fetch.
      expect(model.requests.length).toBe(modelAtRetry);
      expect(gh.git.requests.slice(gitAtRetry).filter((r) => r.url.includes("upload-pack"))).toHaveLength(0);
      const pushed = await gh.git.revParse(`${OWNER}/${REPO}`, `refs/heads/backend-go/issue-${issue.number}`);
      expect((await job(delivery))?.pushedSha).toBe(pushed);
    },
    JOB_MS,
  );
});

describe("stop means stop", () => {
  it("/agent stop during a slow clone ends the job within a second and is acknowledged with a 👍", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: "A slow clone", user: "alice" });
    let reach!: () => void;
    const reached = new Promise<void>((r) => {
      reach = r;
    });
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    // Every fetch from the repository hangs, as a very large clone would.
    gh.git.hold = (r) => {
      if (!r.url.includes("git-upload-pack") || r.method !== "POST") return undefined;
      reach();
      return released;
    };
    try {
      const delivery = await label(issue);
      await reached;
      const stop = issueCommentCreated(gh, {
        owner: OWNER,
        repo: REPO,
        number: issue.number,
        body: "/agent stop",
        sender: "alice",
      });
      const asked = Date.now();
      await send("issue_comment", stop);
      const done = await finished(delivery, 30_000);
      const ms = Date.now() - asked;
      console.log(`[measure] stop during a held clone: webhook to cancelled record ${ms} ms`);
      expect(done).toMatchObject({ status: "cancelled", error: "stopped by @alice" });
      expect(ms).toBeLessThan(2_000);
      await waitFor("the 👍 on the stop comment", () =>
        gh.state.reactions.find(
          (r) => r.subject === "issue_comment" && r.subjectId === stop.comment.id && r.content === "+1",
        ),
      );
      const tracking = await waitFor("the tracking comment to say it stopped", () =>
        gh.state
          .commentsOn(OWNER, REPO, issue.number)
          .find((c) => c.body.includes("backend-go-agent:tracking") && c.body.includes("stopped by @alice")),
      );
      expect(tracking.body).toContain("Nothing was committed or pushed");
    } finally {
      gh.git.hold = undefined;
      release();
    }
  }, 60_000);

  it("a job refused early (an unknown agent) answers without waiting for its clone", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: "Nobody's agent", user: "alice" });
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    gh.git.hold = (r) => (r.url.includes("git-upload-pack") && r.method === "POST" ? released : undefined);
    try {
      const delivery = await send(
        "issue_comment",
        issueCommentCreated(gh, {
          owner: OWNER,
          repo: REPO,
          number: issue.number,
          body: "/agent @nosuch add a constant",
          sender: "alice",
        }),
      );
      // The clone never finishes while held: the answer must not wait for it.
      const done = await finished(delivery, 30_000);
      expect(done.status).toBe("failed");
      const tracking = gh.state
        .commentsOn(OWNER, REPO, issue.number)
        .find((c) => c.body.includes("backend-go-agent:tracking"));
      expect(tracking?.body).toContain('no agent named "nosuch"');
    } finally {
      gh.git.hold = undefined;
      release();
    }
  }, 60_000);
});

describe("starting safely", () => {
  it("a taken port fails the start without claiming any job", async () => {
    const own = await tempDataDir();
    const queued = new SqliteJobQueue(sqliteQueueFile(own.dir));
    const { jobId } = await queued.enqueue(makeTask("taken-port-1"));
    await queued.close();
    const taken = createServer();
    taken.listen(0, "127.0.0.1");
    await once(taken, "listening");
    const { port } = taken.address() as { port: number };
    try {
      const { code, output } = await runAppToExit(appEnv(own.dir), port);
      expect(code).not.toBe(0);
      expect(output).toContain("already in use");
      const after = new SqliteJobQueue(sqliteQueueFile(own.dir));
      const rec = await after.get(jobId);
      await after.close();
      expect(rec).toMatchObject({ status: "queued", attempts: 0, restarts: 0 });
    } finally {
      taken.close();
      await own.cleanup();
    }
  }, 90_000);

  it("GET /jobs beyond loopback without JOBS_TOKEN is refused, and the start says so", async () => {
    const own = await tempDataDir();
    const open = await startAppProcess(appEnv(own.dir, { HOST: "0.0.0.0" }));
    try {
      const res = await fetch(`${open.url}/jobs`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toContain("JOBS_TOKEN");
      expect(open.output()).toContain("/jobs is refused");
      // /health still answers: only the job list is closed.
      expect((await fetch(`${open.url}/health`)).status).toBe(200);
    } finally {
      await open.stop();
    }
    const withToken = await startAppProcess(
      appEnv(own.dir, { HOST: "0.0.0.0", JOBS_TOKEN: "jobs-token-e2e-1" }),
    );
    try {
      expect((await fetch(`${withToken.url}/jobs`)).status).toBe(401);
      const res = await fetch(`${withToken.url}/jobs`, {
        headers: { authorization: "Bearer jobs-token-e2e-1" },
      });
      expect(res.status).toBe(200);
    } finally {
      await withToken.stop();
      await own.cleanup();
    }
    // The shared app listens on 127.0.0.1 without a token: open there.
    expect((await fetch(`${app.url}/jobs`)).status).toBe(200);
  }, 120_000);
});
