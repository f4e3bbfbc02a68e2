// The bot owns its pull request, end to end through the real app (node dist/main.js): a
// whole review is answered with one push and a reply in each thread; the repository's CI
// failing on the bot's branch is fixed, within ci_fix.max_attempts, and never on a person's
// PR or for the bot's own check. Against the GitHub stand-in and the scripted model.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubStandIn } from "../support/github-server.js";
import { issueCommentCreated, issuesLabeled, openPullRequest } from "../support/github-webhooks.js";
import {
  branchPushed,
  checkRunCompleted,
  commitStatus,
  pullRequestReviewSubmitted,
} from "../support/github-webhooks-follow-up.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  type RecordedRequest,
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
  for (const repo of ["ledger", "limited", "uptodate", "whole"]) {
    await gh.createRepo(OWNER, repo, { fromDir: LEDGER_FIXTURE });
    gh.setPermission(OWNER, repo, "alice", "write");
  }
  await gh.git.commitFiles(`${OWNER}/limited`, "main", {
    ".github/backend-go-agent.yml": "ci_fix:\n  max_attempts: 1\n",
  });
  await gh.git.commitFiles(`${OWNER}/uptodate`, "main", {
    ".github/backend-go-agent.yml": "pull_request:\n  keep_up_to_date: true\n",
    "api/version.go": 'package api\n\n// Version is the API\'s version.\nconst Version = "1"\n',
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
  it("one review with three line comments, one declined: one push, three answers, two threads resolved", async () => {
    const pr = await botPr("ledger", "backend-go/issue-10");
    const before = await head("ledger", "backend-go/issue-10");
    // The model answers by the ids it was given (the stand-in numbers the comments on delivery).
    const answers = (req: RecordedRequest) => {
      const ids = /ids ([\d, ]+)\)/.exec(JSON.stringify(req.messages?.[0]))![1]!.split(", ");
      return `${report(GO_ENGINEER_SECTIONS, "Made Version semantic and documented the package.")}\n## Review comments\n- ${ids[0]} addressed: Version is now semantic (1.0.0).\n- ${ids[1]} addressed: Added the package doc.\n- ${ids[2]} declined: Renaming Version would break every client that imports it.\n`;
    };
    let firstRequest: RecordedRequest | undefined;
    model.add(
      (req) => {
        firstRequest = req;
        return tool("write_file", {
          path: "api/version.go",
          content: 'package api\n\n// Version is the API\'s semantic version.\nconst Version = "1.0.0"\n',
        });
      },
      tool("write_file", { path: "api/doc.go", content: "// Package api serves the ledger.\npackage api\n" }),
      () => say(answers(firstRequest!)),
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
          {
            path: "api/version.go",
            line: 4,
            diffHunk: '@@ -0,0 +1,4 @@\n+const Version = "1"',
            body: "Rename Version to APIVersion.",
          },
        ],
      }),
    );
    const [job] = await finished(`${OWNER}/ledger#${pr.number}`, 1);
    expect(job!.status).toBe("succeeded");

    const after = (await head("ledger", "backend-go/issue-10"))!;
    expect(after).not.toBe(before);
    const count = await gh.git.revParse(`${OWNER}/ledger`, `${after}~1`);
    expect(count).toBe(before); // exactly one commit pushed

    const reviewId = gh.state.reviews.at(-1)!.id;
    const review = gh.state.reviewComments.filter((c) => c.reviewId === reviewId);
    const replyTo = (id: number) =>
      gh.state.reviewComments.filter((c) => c.inReplyTo === id && c.user.login === gh.bot.login);
    const [semver, doc, rename] = review.map((c) => replyTo(c.id));
    expect([semver, doc, rename].map((r) => r!.length)).toEqual([1, 1, 1]);
    const short = after.slice(0, 12);
    expect(semver![0]!.body).toContain(`**Addressed** in \`${short}\`: Version is now semantic (1.0.0).`);
    expect(semver![0]!.body).toMatch(/Changed in `api\/version.go`: lines \d/);
    expect(doc![0]!.body).toContain(`**Addressed** in \`${short}\`: Added the package doc.`);
    expect(rename![0]!.body).toContain("**Not changed.** Renaming Version would break every client");
    expect(review.map((c) => gh.state.resolvedThreads.has(c.id))).toEqual([true, true, false]);
    const reportComment = botComments("ledger", pr.number).find((c) =>
      c.body.includes("backend-go-agent:report"),
    );
    expect(reportComment?.body).toContain("Made Version semantic");

    // The review reached the model as material: every comment with its hunk, no hidden text.
    const first = JSON.stringify(model.requests[modelBefore]);
    expect(first).toContain("Use semver.");
    expect(first).toContain("Add a package doc.");
    expect(first).toContain("Rename Version to APIVersion.");
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

describe("CI that reports through commit statuses", () => {
  it("three failing statuses on the bot's PR head: one fix job, which pushes", async () => {
    const branch = "backend-go/issue-14";
    const pr = await botPr("ledger", branch);
    const before = await head("ledger", branch);
    model.add(
      tool("write_file", {
        path: "api/version.go",
        content: 'package api\n\n// Version is the version of the API.\nconst Version = "1"\n',
      }),
      fixReport("Documented Version, which the Jenkins lint stage asked for."),
    );
    const modelBefore = model.requests.length;
    for (const context of ["ci/jenkins: lint", "ci/jenkins: test", "ci/buildkite"]) {
      await deliver(
        "status",
        await commitStatus(gh, {
          owner: OWNER,
          repo: "ledger",
          branch,
          context,
          state: context === "ci/buildkite" ? "error" : "failure",
          description: `${context} failed: exported const Version should have comment`,
          targetUrl: "https://jenkins.example.com/job/ledger/14/console",
        }),
      );
    }
    await waitFor(
      "the fix's push",
      async () => {
        const now = await head("ledger", branch);
        return now !== before ? now : undefined;
      },
      240_000, // the first verification with a cold Go cache takes minutes
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${world.app.output().slice(-4000)}`);
    });
    const done = await finished(`${OWNER}/ledger#${pr.number}`, 1);
    expect(done).toHaveLength(1);
    expect(done[0]!.status).toBe("succeeded");
    await world.idle();
    expect((await jobs()).filter((j) => j.target === `${OWNER}/ledger#${pr.number}`)).toHaveLength(1);
    const first = JSON.stringify(model.requests[modelBefore]);
    expect(first).toContain("ci/jenkins: lint failed: exported const Version should have comment");
    expect(first).toContain("outside GitHub, so not read");
    // The outside target was never fetched by anyone (the stand-in would have logged it).
    expect(gh.state.requests.some((r) => r.path.includes("jenkins"))).toBe(false);
    const tracking = botComments("ledger", pr.number).find((c) =>
      c.body.includes("backend-go-agent:tracking"),
    );
    expect(tracking?.body).toContain("failing status `ci/jenkins: lint`");
  }, 300_000);

  it("the same failing status on a person's PR: nothing", async () => {
    const branch = "feature/dave";
    const persons = await botPr("ledger", branch, "dave");
    const modelBefore = model.requests.length;
    const commentsBefore = gh.state.comments.length;
    await deliver(
      "status",
      await commitStatus(gh, { owner: OWNER, repo: "ledger", branch, context: "ci/jenkins: test" }),
    );
    await waitFor("the person's PR job to be refused", async () => {
      const mine = (await jobs()).filter((j) => j.target === `${OWNER}/ledger#${persons.number}`);
      return mine.length === 1 && mine[0]!.status !== "queued" && mine[0]!.status !== "running";
    });
    await world.idle();
    expect(model.requests.length).toBe(modelBefore);
    expect(gh.state.comments.length).toBe(commentsBefore);
  }, 60_000);
});

describe("keeping the bot's pull request up to date with its base", () => {
  const version = (v: string) => `package api\n\n// Version is the API's version.\nconst Version = "${v}"\n`;
  const parents = async (sha: string) => {
    const first = await gh.git.revParse(`${OWNER}/uptodate`, `${sha}^1`);
    const second = await gh.git.revParse(`${OWNER}/uptodate`, `${sha}^2`);
    return [first, second];
  };
  const file = async (ref: string, path: string) => {
    const found = await gh.git.readPath(`${OWNER}/uptodate`, ref, path);
    return found?.type === "file" ? found.content.toString("utf8") : undefined;
  };

  it("a base push that conflicts (keep_up_to_date on): resolved, verified, merged and pushed without force; a person's commit is kept", async () => {
    const branch = "backend-go/issue-20";
    await gh.git.commitFiles(
      `${OWNER}/uptodate`,
      branch,
      { "api/version.go": version("2") },
      { from: "main" },
    );
    const pr = await openPullRequest(gh, {
      owner: OWNER,
      repo: "uptodate",
      head: branch,
      title: "Version 2",
      user: BOT,
    });
    // A person's commit on the bot's branch.
    const persons = (await gh.git.commitFiles(`${OWNER}/uptodate`, branch, { "NOTES.md": "by carol\n" }))!;
    const mainBefore = (await head("uptodate", "main"))!;
    await gh.git.commitFiles(`${OWNER}/uptodate`, "main", {
      "api/version.go": version("1.1"),
      "api/name.go": 'package api\n\n// Name is the service\'s name.\nconst Name = "ledger"\n',
    });
    const mainAfter = (await head("uptodate", "main"))!;
    model.add(
      tool("write_file", { path: "api/version.go", content: version("2") }),
      fixReport("Kept this branch's Version 2 over the base's 1.1; took the base's new Name."),
    );
    const modelBefore = model.requests.length;
    await deliver(
      "push",
      await branchPushed(gh, {
        owner: OWNER,
        repo: "uptodate",
        branch: "main",
        before: mainBefore,
        sender: "alice",
      }),
    );
    const [job] = await finished(`${OWNER}/uptodate#${pr.number}`, 1);
    if (job!.status !== "succeeded")
      console.log(
        JSON.stringify(job),
        botComments("uptodate", pr.number)
          .map((c) => c.body)
          .join("\n---\n"),
      );
    expect(job!.status).toBe("succeeded");
    const tip = (await head("uptodate", branch))!;
    const merged = await parents(tip);
    if (merged[1] !== mainAfter) console.log(world.app.output().slice(-6000));
    expect(merged).toEqual([persons, mainAfter]); // a merge commit on top: nothing forced
    expect(await file(tip, "api/version.go")).toBe(version("2"));
    expect(await file(tip, "api/name.go")).toContain("const Name");
    expect(await file(tip, "NOTES.md")).toBe("by carol\n");
    // The agent got the conflict with both sides as material.
    const first = JSON.stringify(model.requests[modelBefore]);
    expect(first).toContain("<merge_conflict");
    expect(first).toContain('const Version = \\"1.1\\"');
    expect(first).toContain('const Version = \\"2\\"');
  }, 300_000);

  it("/agent update with a clean merge: merged, verified and pushed, no model call", async () => {
    const branch = "backend-go/issue-20";
    const pr = gh.state.pulls(OWNER, "uptodate").find((p) => p.pull?.head === branch)!;
    const before = (await head("uptodate", branch))!;
    await gh.git.commitFiles(`${OWNER}/uptodate`, "main", {
      "api/owner.go": 'package api\n\n// Owner owns the service.\nconst Owner = "acme"\n',
    });
    const mainTip = (await head("uptodate", "main"))!;
    const modelBefore = model.requests.length;
    await deliver(
      "issue_comment",
      issueCommentCreated(gh, { owner: OWNER, repo: "uptodate", number: pr.number, body: "/agent update" }),
    );
    const done = await finished(`${OWNER}/uptodate#${pr.number}`, 2);
    expect(done.every((j) => j.status === "succeeded")).toBe(true);
    const tip = (await head("uptodate", branch))!;
    expect(await parents(tip)).toEqual([before, mainTip]);
    expect(model.requests.length).toBe(modelBefore);
  }, 300_000);
});

describe("the bot's PR body covers the whole change", () => {
  it("after the issue's job, a review round and a CI fix: one report with all three, and their history", async () => {
    const issue = gh.createIssue(OWNER, "whole", {
      title: "Add a version constant",
      body: "We need api.Version.",
    });
    model.add(
      tool("write_file", {
        path: "api/version.go",
        content: 'package api\n\n// Version is the API\'s version.\nconst Version = "1"\n',
      }),
      fixReport("Added the Version constant."),
    );
    await deliver(
      "issues",
      issuesLabeled(gh, {
        owner: OWNER,
        repo: "whole",
        number: issue.number,
        label: "backend-go",
        sender: "alice",
      }),
    );
    await finished(`${OWNER}/whole#${issue.number}`, 1);
    const pr = gh.state
      .pulls(OWNER, "whole")
      .find((p) => p.pull?.head === `backend-go/issue-${issue.number}`)!;
    expect(pr).toBeDefined();

    // A review round.
    let reviewRequest: RecordedRequest | undefined;
    model.add(
      (req) => {
        reviewRequest = req;
        return tool("write_file", {
          path: "api/doc.go",
          content: "// Package api serves the ledger.\npackage api\n",
        });
      },
      () => {
        const id = /ids (\d+)\)/.exec(JSON.stringify(reviewRequest!.messages?.[0]))![1];
        return say(
          `${report(GO_ENGINEER_SECTIONS, "Documented the package.")}\n## Review comments\n- ${id} addressed: Added doc.go.\n`,
        );
      },
    );
    await deliver(
      "pull_request_review",
      await pullRequestReviewSubmitted(gh, {
        owner: OWNER,
        repo: "whole",
        number: pr.number,
        sender: "alice",
        body: "/agent please",
        comments: [
          { path: "api/version.go", line: 3, diffHunk: "@@ -0,0 +1,4 @@", body: "Document the package." },
        ],
      }),
    );
    await finished(`${OWNER}/whole#${pr.number}`, 1);

    // A CI fix.
    model.add(
      tool("write_file", {
        path: "api/version.go",
        content:
          'package api\n\n// Version is the version of the API that clients see.\nconst Version = "1"\n',
      }),
      fixReport("Reworded the Version comment for the linter."),
    );
    await deliver(
      "check_run",
      await checkRunCompleted(gh, { owner: OWNER, repo: "whole", number: pr.number, name: "lint" }),
    );
    await finished(`${OWNER}/whole#${pr.number}`, 2);

    const body = gh.state.issue(OWNER, "whole", pr.number)!.body!;
    expect(body.match(/^## Summary$/gm)).toHaveLength(1);
    expect(body).toContain("Added the Version constant.");
    expect(body).toContain("_After review by @alice (`");
    expect(body).toContain("Documented the package.");
    expect(body).toContain("_After CI: `lint` failure (`");
    expect(body).toContain("Reworded the Version comment for the linter.");
    expect(body).toContain("History: 3 jobs on this pull request");
    expect(body).toContain(`Closes #${issue.number}`);
    const tip = (await head("whole", `backend-go/issue-${issue.number}`))!;
    expect(body).toContain(`\`${tip.slice(0, 12)}\``);
  }, 400_000);
});
