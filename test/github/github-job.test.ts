// The GitHub job's refusals and choices, in process: a real Probot against the GitHub
// stand-in (REST and git), the scripted model through the real SDK, the real toolchain.
// The whole happy path runs in test/e2e; here each way a job can be turned away.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { TaskRequest } from "../../src/pipeline/task.js";
import type { GitHubStandIn } from "../support/github-server.js";
import {
  issueCommentCreated,
  issuesLabeled,
  openPullRequest,
  pullRequestReviewCommentCreated,
} from "../support/github-webhooks.js";
import { type InProcessJobs, startInProcessJobs } from "../support/job-handler.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptedModelServer,
  say,
  tool,
} from "../support/scripted-model.js";

let jobs: InProcessJobs;
let gh: GitHubStandIn;
let model: ScriptedModelServer;
let dataDir: string;

beforeAll(async () => {
  jobs = await startInProcessJobs();
  ({ gh, model, dataDir } = jobs);
  await gh.createRepo("acme", "ledger", { fromDir: LEDGER_FIXTURE });
  await gh.git.commitFiles(
    "acme/ledger",
    "feature/fork-work",
    { "x.go": "package ledger\n" },
    { from: "main" },
  );
  await gh.createRepo("acme", "custom", { fromDir: LEDGER_FIXTURE });
  await gh.git.commitFiles("acme/custom", "main", {
    ".github/backend-go-agent.yml":
      "trigger:\n  label: go-bot\n  command: bot\n  min_permission: maintain\nagents:\n  labels:\n    go-review: reviewer\n",
    ".github/agents/reviewer.md":
      "---\nname: reviewer\ndescription: Reviews Go code without editing it.\ntools: Read, Grep\n---\nYou review Go code.\n",
  });
  await gh.createRepo("acme", "broken", { fromDir: LEDGER_FIXTURE });
  await gh.git.commitFiles("acme/broken", "main", {
    ".github/backend-go-agent.yml": "trigger:\n  min_permision: write\n",
  });
  for (const repo of ["ledger", "custom", "broken"]) {
    gh.setPermission("acme", repo, "alice", "maintain");
    gh.setPermission("acme", repo, "carol", "write");
    gh.setPermission("acme", repo, "bob", "read");
  }
}, 60_000);

afterAll(() => jobs?.close());

const taskFrom = (event: string, payload: unknown, settings?: { labels: string[]; commandWord: string }) =>
  jobs.task(event, payload, settings);
const run = (task: TaskRequest) => jobs.run(task);

const botComments = (repo: string, number: number) =>
  gh.state.commentsOn("acme", repo, number).filter((c) => c.user.login === gh.bot.login);

describe("the GitHub job turns away", () => {
  it("a sender below the repository's minimum permission, with one reply per issue", async () => {
    const issue = gh.createIssue("acme", "custom", { title: "x" });
    const before = model.requests.length;
    for (const sender of ["carol", "carol", "bob"]) {
      const payload = issueCommentCreated(gh, {
        repo: "custom",
        number: issue.number,
        body: "/bot do it",
        sender,
      });
      await expect(
        run(taskFrom("issue_comment", payload, { labels: ["go-bot"], commandWord: "bot" })),
      ).resolves.toMatchObject({
        disposition: { kind: "refused", reason: expect.stringMatching(/^@(carol|bob) may not trigger/) },
      });
    }
    const replies = botComments("custom", issue.number);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("**maintain** permission");
    expect(model.requests.length).toBe(before);
  });

  it("a pull request from a fork: one reply, no clone, no model call", async () => {
    const pr = await openPullRequest(gh, {
      owner: "acme",
      repo: "ledger",
      head: "feature/fork-work",
      headRepo: "mallory/ledger",
      title: "Fork change",
      user: "mallory",
    });
    const gitBefore = gh.git.requests.length;
    const before = model.requests.length;
    const payload = issueCommentCreated(gh, {
      number: pr.number,
      body: "/agent fix the tests",
    });
    await expect(run(taskFrom("issue_comment", payload))).resolves.toMatchObject({
      disposition: { kind: "refused", reason: "the pull request comes from a fork" },
    });
    const [reply] = botComments("ledger", pr.number);
    expect(reply!.body).toContain("comes from a fork");
    expect(gh.git.requests.length).toBe(gitBefore);
    expect(model.requests.length).toBe(before);
  });

  it("the app's default label or command word where the repository chose others", async () => {
    const issue = gh.createIssue("acme", "custom", { title: "x" });
    const labeled = issuesLabeled(gh, {
      repo: "custom",
      number: issue.number,
      label: "backend-go",
    });
    await expect(run(taskFrom("issues", labeled))).resolves.toMatchObject({
      disposition: { kind: "refused", reason: 'the label "backend-go" is not a trigger here' },
    });
    const commented = issueCommentCreated(gh, {
      repo: "custom",
      number: issue.number,
      body: "/agent go",
    });
    await expect(run(taskFrom("issue_comment", commented))).resolves.toMatchObject({
      disposition: { kind: "refused", reason: "/agent is not this repository's command (/bot)" },
    });
    expect(botComments("custom", issue.number)).toHaveLength(0);
  });

  it("an invalid configuration file: the tracking comment quotes the file, the key and the problem", async () => {
    const issue = gh.createIssue("acme", "broken", { title: "x" });
    const payload = issuesLabeled(gh, {
      repo: "broken",
      number: issue.number,
      label: "backend-go",
    });
    const failed = await run(taskFrom("issues", payload));
    expect(failed).toMatchObject({ disposition: { kind: "failed" } });
    expect(failed.disposition.kind === "failed" && failed.disposition.reason).toMatch(/min_permision/);
    const [tracking] = botComments("broken", issue.number);
    expect(tracking!.body).toContain("acme/broken:.github/backend-go-agent.yml");
    expect(tracking!.body).toContain("`trigger.min_permision`");
    expect(tracking!.body).toMatch(/min_permission/);
    // It stopped before cloning: only "Queued" is ticked, and the comment says where it stopped.
    expect(tracking!.body.match(/- \[x\] .*/g)).toEqual(["- [x] Queued"]);
    expect(tracking!.body).toContain("- [ ] Cloning the repository");
    expect(tracking!.body).toContain("- [ ] Pushing");
    expect(tracking!.body).toContain("stopped while checking the trigger and the repository's configuration");
  });

  it("an unknown agent: the tracking comment lists the agents there are", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "x" });
    const payload = issueCommentCreated(gh, {
      number: issue.number,
      body: "/agent @nobody go",
    });
    const failed = await run(taskFrom("issue_comment", payload));
    expect(failed.disposition.kind === "failed" && failed.disposition.reason).toMatch(
      /no agent named "nobody"/,
    );
    const [tracking] = botComments("ledger", issue.number);
    expect(tracking!.body).toContain("`@backend-engineer-golang`");
    expect(tracking!.body.match(/- \[x\] .*/g)).toEqual(["- [x] Queued"]);
    // The checkout started while the agent was being resolved; the refusal removed it again.
    expect(await readdir(join(dataDir, "work", "acme", "ledger"))).toEqual([]);
  });
});

describe("the GitHub job chooses", () => {
  it("the agent mapped to a repository label, with that agent's tool restriction", async () => {
    const issue = gh.createIssue("acme", "custom", { title: "Review the ledger" });
    const before = model.requests.length;
    model.add(tool("ask_clarification", { questions: ["Which package first?"] }));
    const payload = issuesLabeled(gh, {
      repo: "custom",
      number: issue.number,
      label: "go-review",
    });
    await run(taskFrom("issues", payload, { labels: ["go-bot", "go-review"], commandWord: "bot" }));
    const request = model.requests[before]!;
    expect(request.system.map((b: { text: string }) => b.text).join("")).toContain("You review Go code.");
    expect(request.tools.map((t: { name: string }) => t.name).sort()).toEqual([
      "ask_clarification",
      "read_file",
      "search_code",
    ]);
    expect(gh.state.labelsOf("acme", "custom", issue.number)).toContain("backend-go: needs-info");
  });

  it("on a review comment: the PR's head branch, the file, line and hunk, and the PR's files", async () => {
    await gh.git.commitFiles(
      "acme/ledger",
      "feature/balance",
      { "api/balance.go": "package api\n" },
      { from: "main" },
    );
    const pr = await openPullRequest(gh, {
      owner: "acme",
      repo: "ledger",
      head: "feature/balance",
      title: "Balance",
    });
    const before = model.requests.length;
    model.add(tool("ask_clarification", { questions: ["Keep the name?"] }));
    const payload = await pullRequestReviewCommentCreated(gh, {
      number: pr.number,
      body: "/agent rename this file",
      path: "api/balance.go",
      line: 1,
      diffHunk: "@@ -0,0 +1 @@\n+package api",
    });
    await run(taskFrom("pull_request_review_comment", payload));
    const first = JSON.stringify(model.requests[before]!.messages[0]);
    expect(first).toContain("rename this file");
    expect(first).toContain('review_focus path=\\"api/balance.go\\" line=\\"1\\"');
    expect(first).toContain('head=\\"feature/balance\\"');
    expect(first).toContain('changed_file path=\\"api/balance.go\\"');
  });

  it("no change: the report as a comment, no branch and no pull request", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "Explain the ledger's locking" });
    model.add(
      tool("read_file", { path: "ledger/ledger.go" }),
      say(report(GO_ENGINEER_SECTIONS, "The ledger holds one mutex; no change was needed.")),
    );
    const payload = issuesLabeled(gh, {
      number: issue.number,
      label: "backend-go",
    });
    await run(taskFrom("issues", payload));
    const reportComment = botComments("ledger", issue.number).find((c) =>
      c.body.includes("backend-go-agent:report"),
    );
    expect(reportComment?.body).toContain("no change was needed");
    expect(reportComment?.body).toContain("The agent made no change to the repository");
    expect(
      gh.state.pulls("acme", "ledger").filter((p) => p.pull?.head === `backend-go/issue-${issue.number}`),
    ).toHaveLength(0);
    expect(await gh.git.revParse("acme/ledger", `backend-go/issue-${issue.number}`)).toBeUndefined();
    // The issue never had the needs-info label: looked up, not blindly deleted (a throttled write).
    const labelDeletes = gh.state.requests.filter(
      (r) => r.method === "DELETE" && r.path.startsWith(`/repos/acme/ledger/issues/${issue.number}/labels`),
    );
    expect(labelDeletes).toEqual([]);
  });
});
