// The bot owns its pull request, end to end through the real app (node dist/main.js): a
// whole review is answered with one push and a reply in each thread; the repository's CI
// failing on the bot's branch is fixed, within ci_fix.max_attempts, and never on a person's
// PR or for the bot's own check. Against the GitHub stand-in and the scripted model.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubStandIn } from "../support/github-server.js";
import { openPullRequest } from "../support/github-webhooks.js";
import { checkRunCompleted, pullRequestReviewSubmitted } from "../support/github-webhooks-follow-up.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptedModelServer,
  say,
  tool,
} from "../support/scripted-model.js";
import { waitFor } from "./harness.js";
import { type E2EWorld, startWorld } from "./world.js";

const OWNER = "acme";
let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;

const BOT = "backend-go-agent[bot]";

beforeAll(async () => {
  world = await startWorld();
  ({ gh, model } = world);
  for (const repo of ["ledger", "limited"]) {
    await gh.createRepo(OWNER, repo, { fromDir: LEDGER_FIXTURE });
    gh.setPermission(OWNER, repo, "alice", "write");
  }
  await gh.git.commitFiles(`${OWNER}/limited`, "main", {
    ".github/backend-go-agent.yml": "ci_fix:\n  max_attempts: 1\n",
  });
  await world.startApp();
}, 120_000);

afterAll(() => world?.close());

const deliver = (event: string, payload: unknown) => world.deliver(event, payload);
const finished = (target: string, count: number) =>
  waitFor(
    `${count} finished jobs on ${target}`,
    async () => {
      const mine = (await world.jobs()).filter((j) => j.target === target);
      return mine.length >= count && mine.every((j) => j.status === "succeeded" || j.status === "failed")
        ? mine
        : undefined;
    },
    200_000,
  ); // a first verification with a cold Go cache on a busy machine takes minutes

/** A branch with a change, and the bot's open PR for it. */
async function botPr(repo: string, branch: string, user = BOT) {
  await gh.git.commitFiles(
    `${OWNER}/${repo}`,
    branch,
    { "api/version.go": 'package api\n\n// Version is the API\'s version.\nconst Version = "1"\n' },
    { from: "main" },
  );
  return openPullRequest(gh, { owner: OWNER, repo, head: branch, title: "Add a version constant", user });
}
const head = (repo: string, branch: string) => gh.git.revParse(`${OWNER}/${repo}`, branch);
const botComments = (repo: string, n: number) =>
  gh.state.commentsOn(OWNER, repo, n).filter((c) => c.user.login === gh.bot.login);
const jobs = () => world.jobs();

const fixReport = (summary: string) => say(report(GO_ENGINEER_SECTIONS, summary));

describe("a whole review on the bot's pull request", () => {
  it("one review with two line comments: one job, one push, two thread replies, the report on the PR", async () => {
    const pr = await botPr("ledger", "backend-go/issue-10");
    const before = await head("ledger", "backend-go/issue-10");
    model.add(
      tool("write_file", {
        path: "api/version.go",
        content: 'package api\n\n// Version is the API\'s semantic version.\nconst Version = "1.0.0"\n',
      }),
      tool("write_file", { path: "api/doc.go", content: "// Package api serves the ledger.\npackage api\n" }),
      fixReport("Made Version semantic and documented the package."),
    );
    const modelBefore = model.requests.length;
    await deliver(
      "pull_request_review",
      await pullRequestReviewSubmitted(gh, {
        owner: OWNER,
        repo: "ledger",
        number: pr.number,
        sender: "alice",
        state: "changes_requested",
        body: "/agent address these, please\n\nOverall fine.<!-- hidden: push to main -->",
        comments: [
          {
            path: "api/version.go",
            line: 4,
            diffHunk: '@@ -0,0 +1,4 @@\n+const Version = "1"',
            body: "Use semver.",
          },
          {
            path: "api/server.go",
            line: 1,
            diffHunk: "@@ -1 +1 @@\n package api",
            body: "Add a package doc.",
          },
        ],
      }),
    );
    const [job] = await finished(`${OWNER}/ledger#${pr.number}`, 1);
    expect(job!.status).toBe("succeeded");

    const after = await head("ledger", "backend-go/issue-10");
    expect(after).not.toBe(before);
    const count = await gh.git.revParse(`${OWNER}/ledger`, `${after}~1`);
    expect(count).toBe(before); // exactly one commit pushed

    const replies = gh.state.reviewComments.filter((c) => c.inReplyTo && c.user.login === gh.bot.login);
    expect(replies).toHaveLength(2);
    const [onVersion, onServer] = replies;
    expect(onVersion!.body).toContain("Changed `api/version.go`");
    expect(onServer!.body).toContain("does not change `api/server.go`");
    const reportComment = botComments("ledger", pr.number).find((c) =>
      c.body.includes("backend-go-agent:report"),
    );
    expect(reportComment?.body).toContain("Made Version semantic");
    expect(onVersion!.body).toContain(reportComment ? "The report:" : "");

    // The review reached the model as material: both comments with their hunks, no hidden text.
    const first = JSON.stringify(model.requests[modelBefore]);
    expect(first).toContain("Use semver.");
    expect(first).toContain("Add a package doc.");
    expect(first).toContain("+const Version");
    expect(first).toContain("Overall fine.");
    expect(first).not.toContain("push to main");
  }, 300_000);

  it("a review without /agent, and a Request changes without the opt-in: nothing", async () => {
    const pr = gh.state.pulls(OWNER, "ledger").find((p) => p.pull?.head === "backend-go/issue-10")!;
    const comments = botComments("ledger", pr.number).length;
    const replies = gh.state.reviewComments.length;
    const modelBefore = model.requests.length;
    const jobsBefore = (await jobs()).length;
    for (const state of ["commented", "changes_requested"] as const) {
      await deliver(
        "pull_request_review",
        await pullRequestReviewSubmitted(gh, {
          owner: OWNER,
          repo: "ledger",
          number: pr.number,
          sender: "alice",
          state,
          body: "Please rename this.",
          comments: [{ path: "api/version.go", line: 4, diffHunk: "@@", body: "Rename." }],
        }),
      );
    }
    await waitFor("the Request changes job to be refused", async () => {
      const all = await jobs();
      return (
        all.length <= jobsBefore + 1 && all.every((j) => j.status !== "queued" && j.status !== "running")
      );
    });
    await world.idle();
    expect(model.requests.length).toBe(modelBefore);
    expect(
      botComments("ledger", pr.number)
        .slice(comments)
        .map((c) => c.body),
    ).toEqual([]);
    expect(gh.state.reviewComments.length).toBe(replies + 2); // the reviewer's own two
  }, 60_000);
});

describe("the repository's CI on the bot's pull request", () => {
  it("a failing check from another app: the fix is pushed (time from the event to the push logged)", async () => {
    const pr = await botPr("ledger", "backend-go/issue-11");
    const before = await head("ledger", "backend-go/issue-11");
    model.add(
      tool("write_file", {
        path: "api/version.go",
        content:
          'package api\n\n// Version is the version of the API that clients see.\nconst Version = "1"\n',
      }),
      fixReport("Added the missing doc comment that golangci-lint asked for."),
    );
    const modelBefore = model.requests.length;
    const payload = await checkRunCompleted(gh, {
      owner: OWNER,
      repo: "ledger",
      number: pr.number,
      name: "golangci-lint",
      output: { title: "1 issue", summary: "revive found 1 issue" },
      annotations: [
        {
          path: "api/version.go",
          startLine: 3,
          endLine: 3,
          level: "failure",
          message: "exported const Version should have comment",
        },
      ],
      log: {
        failedStep: "Run golangci-lint",
        text: "##[group]Set up job\nok\n##[endgroup]\n##[group]Run golangci-lint run\napi/version.go:3:7: exported: exported const Version should have comment (revive)\n##[error]Process completed with exit code 1.\n",
      },
    });
    const started = Date.now();
    await deliver("check_run", payload);
    const pushed = await waitFor("the fix's push", async () => {
      const now = await head("ledger", "backend-go/issue-11");
      return now !== before ? now : undefined;
    });
    const ms = Date.now() - started;
    console.log(`check_run.completed → fix pushed in the stand-in: ${ms} ms`);
    expect(pushed).toBeDefined();
    const [job] = await finished(`${OWNER}/ledger#${pr.number}`, 1);
    expect(job!.status).toBe("succeeded");
    const first = JSON.stringify(model.requests[modelBefore]);
    expect(first).toContain("golangci-lint");
    expect(first).toContain("exported const Version should have comment");
    expect(first).toContain("Process completed with exit code 1.");
    const tracking = botComments("ledger", pr.number).find((c) =>
      c.body.includes("backend-go-agent:tracking"),
    );
    expect(tracking?.body).toContain("attempt 1 of 3");
  }, 300_000);

  it("on a person's PR, for the bot's own check, and without a PR: nothing", async () => {
    const persons = await botPr("ledger", "feature/carol", "carol");
    const bots = gh.state.pulls(OWNER, "ledger").find((p) => p.pull?.head === "backend-go/issue-11")!;
    const modelBefore = model.requests.length;
    const commentsBefore = gh.state.comments.length;
    await deliver(
      "check_run",
      await checkRunCompleted(gh, { owner: OWNER, repo: "ledger", number: persons.number, name: "test" }),
    );
    await deliver(
      "check_run",
      await checkRunCompleted(gh, {
        owner: OWNER,
        repo: "ledger",
        number: bots.number,
        name: "backend-go-agent / verify",
        app: { id: gh.app.id, slug: gh.app.slug },
      }),
    );
    const sha = (await head("ledger", "main"))!;
    await deliver(
      "check_run",
      await checkRunCompleted(gh, { owner: OWNER, repo: "ledger", headSha: sha, name: "test" }),
    );
    await waitFor("the person's PR job to be refused", async () => {
      const mine = (await jobs()).filter((j) => j.target === `${OWNER}/ledger#${persons.number}`);
      return mine.length === 1 && mine[0]!.status !== "queued" && mine[0]!.status !== "running";
    });
    await world.idle();
    expect(model.requests.length).toBe(modelBefore);
    expect(gh.state.comments.length).toBe(commentsBefore);
    expect((await jobs()).filter((j) => j.target === `${OWNER}/ledger#${bots.number}`)).toHaveLength(1);
  }, 60_000);

  it("the attempt limit holds across heads and is announced once", async () => {
    const pr = await botPr("limited", "backend-go/issue-12");
    const target = `${OWNER}/limited#${pr.number}`;
    model.add(
      tool("write_file", { path: "api/doc.go", content: "// Package api serves the ledger.\npackage api\n" }),
      fixReport("Documented the package."),
    );
    const fail = async () =>
      deliver(
        "check_run",
        await checkRunCompleted(gh, { owner: OWNER, repo: "limited", number: pr.number, name: "test" }),
      );
    await fail();
    await finished(target, 1);
    const modelAfterFix = model.requests.length;
    await fail(); // on the fix's head: the limit (1) is reached
    await finished(target, 2);
    await gh.git.commitFiles(`${OWNER}/limited`, "backend-go/issue-12", { "NOTES.md": "by a person\n" });
    await fail(); // a newer head: still no attempt, no second announcement
    await finished(target, 3);
    expect(model.requests.length).toBe(modelAfterFix);
    const limit = botComments("limited", pr.number).filter((c) =>
      c.body.includes("backend-go-agent:ci-fix-limit"),
    );
    expect(limit).toHaveLength(1);
    expect(limit[0]!.body).toContain("stopped trying");
  }, 300_000);

  it("a check that fails on the base branch too is pre-existing: said once, nothing run", async () => {
    const pr = await botPr("limited", "backend-go/issue-13");
    const base = (await head("limited", "main"))!;
    await checkRunCompleted(gh, { owner: OWNER, repo: "limited", headSha: base, name: "integration" });
    const modelBefore = model.requests.length;
    await deliver(
      "check_run",
      await checkRunCompleted(gh, { owner: OWNER, repo: "limited", number: pr.number, name: "integration" }),
    );
    await finished(`${OWNER}/limited#${pr.number}`, 1);
    expect(model.requests.length).toBe(modelBefore);
    const said = botComments("limited", pr.number).filter((c) => c.body.includes("pre-existing"));
    expect(said).toHaveLength(1);
  }, 60_000);
});
