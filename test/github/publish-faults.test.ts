import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { openInstallation } from "../../src/github/auth/installation.js";
import { CHECK_NAME, publishCheckRun } from "../../src/github/publish/check-run.js";
import type { TaskRequest } from "../../src/pipeline/task.js";
import type { HandledJob } from "../../src/queue/job-queue.js";
import type { GitHubStandIn } from "../support/github-server.js";
import { issuesLabeled } from "../support/github-webhooks.js";
import { type InProcessJobs, standInProbot, startInProcessJobs } from "../support/job-handler.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  tool,
} from "../support/scripted-model.js";

const OWNER = "acme";
const REPO = "ledger";

let jobs: InProcessJobs;
let gh: GitHubStandIn;
let model: ScriptedModelServer;

beforeAll(async () => {
  jobs = await startInProcessJobs();
  ({ gh, model } = jobs);
  await gh.createRepo(OWNER, REPO, { fromDir: LEDGER_FIXTURE });
  gh.setPermission(OWNER, REPO, "alice", "maintain");
}, 60_000);

afterAll(() => jobs?.close());

const labeled = (number: number) =>
  jobs.task(
    "issues",
    issuesLabeled(gh, { owner: OWNER, repo: REPO, number, label: "backend-go", sender: "alice" }),
  );
const run = (task: TaskRequest, jobId: string, attempt = 1) => jobs.run(task, { jobId, attempt });

/** The agent adds one Go file, then reports; `beforeReport` runs as the report is asked for. */
function addsFile(name: string, beforeReport: () => void = () => {}): ScriptStep[] {
  return [
    tool("write_file", {
      path: `ledger/${name}.go`,
      content: `package ledger\n\n// ${name} is new.\nconst ${name} = 1\n`,
    }),
    async () => {
      beforeReport();
      return say(report(GO_ENGINEER_SECTIONS));
    },
  ];
}

const botComments = (number: number) =>
  gh.state.commentsOn(OWNER, REPO, number).filter((c) => c.user.login === gh.bot.login);
const trackingOf = (number: number) =>
  botComments(number).filter((c) => c.body.includes("backend-go-agent:tracking"));
const prsFor = (number: number) =>
  gh.state.pulls(OWNER, REPO).filter((p) => p.pull?.head === `backend-go/issue-${number}`);
const refused = (method: string, path: RegExp, status: number) =>
  gh.state.requests.filter((r) => r.method === method && path.test(r.path) && r.status === status);

describe("publishing survives GitHub's faults", () => {
  it("with check runs refused (403) the job still opens exactly one PR, which names the missing check run", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: "Add a fee constant" });
    gh.failures.push({ method: "POST", path: /\/check-runs$/, status: 403, times: 1_000 });
    try {
      model.add(...addsFile("Fee"));
      const done = await run(labeled(issue.number), "job-403");
      expect(done.disposition).toEqual({ kind: "done" });
    } finally {
      gh.failures.length = 0;
    }
    const [pr] = prsFor(issue.number);
    expect(prsFor(issue.number)).toHaveLength(1);
    expect(pr!.body).toContain(
      "check run not created: GitHub answered 403 — approve the Checks (write) permission for this installation",
    );
    // The verdict is in the body all the same.
    expect(pr!.body).toContain("Verified by backend-go-agent");
    expect(gh.state.checkRuns.filter((c) => c.repo === REPO && c.name === CHECK_NAME)).toHaveLength(0);
    const [tracking] = trackingOf(issue.number);
    expect(tracking!.body).toMatch(/Opened pull request #\d+/);

    // The job runs again (resumed after a crash), the permission now approved: it finds
    // what exists and completes it — the same PR and tracking comment, a check run, no note.
    model.add(...addsFile("Tax"));
    expect((await run(labeled(issue.number), "job-403", 2)).disposition).toEqual({ kind: "done" });
    expect(prsFor(issue.number)).toHaveLength(1);
    expect(prsFor(issue.number)[0]!.body).not.toContain("check run not created");
    expect(trackingOf(issue.number)).toHaveLength(1);
    expect(trackingOf(issue.number)[0]!.body).toMatch(/Updated pull request #\d+/);
    const runs = gh.state.checkRuns.filter((c) => c.repo === REPO && c.externalId === "job-403");
    expect(runs).toHaveLength(1);
  });

  it("a check run published twice for one job and commit is one check run, updated", async () => {
    const session = await openInstallation(standInProbot(gh, jobs.keys.privateKey), 7, { name: REPO });
    const sha = (await gh.git.revParse(`${OWNER}/${REPO}`, "refs/heads/main"))!;
    const output = { title: "t", summary: "s", conclusion: "success" as const };
    const first = await publishCheckRun(session.octokit, { owner: OWNER, repo: REPO }, sha, output, {
      externalId: "job-twice",
    });
    const second = await publishCheckRun(
      session.octokit,
      { owner: OWNER, repo: REPO },
      sha,
      { ...output, conclusion: "failure" },
      { externalId: "job-twice" },
    );
    expect(second).toBe(first);
    const runs = gh.state.checkRuns.filter((c) => c.externalId === "job-twice");
    expect(runs).toHaveLength(1);
    expect(runs[0]!.conclusion).toBe("failure");
  });

  it("with its token revoked mid-job, git is answered 401 and the job mints a new token, pushes and opens the PR", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: "Add a limit constant" });
    const tokensBefore = gh.state.tokens.length;
    let revokedAt = 0;
    model.add(
      ...addsFile("Limit", () => {
        // Revoked for git only, so the push is the first call to meet it (the REST case is below).
        revokedAt = gh.git.requests.length;
        for (const t of gh.state.tokens) gh.git.revokeToken(t.token);
      }),
    );
    const done = await run(labeled(issue.number), "job-401");
    expect(done.disposition).toEqual({ kind: "done" });
    // git answered the revoked token 401, then took the push with a new one.
    const gitAfter = gh.git.requests.slice(revokedAt);
    expect(gitAfter.some((r) => r.status === 401)).toBe(true);
    expect(await gh.git.revParse(`${OWNER}/${REPO}`, `refs/heads/backend-go/issue-${issue.number}`)).toMatch(
      /^[0-9a-f]{40}$/,
    );
    // The job's own token, then a new one after the refusal (module downloads mint a read-only one of their own).
    const jobTokens = gh.state.tokens.slice(tokensBefore).filter((t) => t.permissions?.contents === "write");
    expect(jobTokens).toHaveLength(2);
    expect(prsFor(issue.number)).toHaveLength(1);
    expect(trackingOf(issue.number)[0]!.body).toMatch(/Opened pull request #\d+/);
  });

  it("with tokens revoked before a REST call, the call is sent once more with a new token", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: "Explain the ledger" });
    const requestsBefore = gh.state.requests.length;
    model.add(tool("read_file", { path: "ledger/ledger.go" }), async () => {
      gh.expireTokens();
      return say(report(GO_ENGINEER_SECTIONS, "No change was needed."));
    });
    expect((await run(labeled(issue.number), "job-401-rest")).disposition).toEqual({ kind: "done" });
    const after = gh.state.requests.slice(requestsBefore);
    const firstRefused = after.findIndex((r) => r.status === 401 && r.auth === "invalid");
    expect(firstRefused).toBeGreaterThanOrEqual(0);
    const retried = after[firstRefused]!;
    expect(
      after
        .slice(firstRefused + 1)
        .some((r) => r.method === retried.method && r.path === retried.path && r.status < 300),
    ).toBe(true);
    expect(botComments(issue.number).find((c) => c.body.includes("backend-go-agent:report"))?.body).toContain(
      "No change was needed.",
    );
    expect(trackingOf(issue.number)[0]!.body).toContain("finished");
  });

  it("with a storm of 5xx on every write the final word still reaches the issue, and the record says why", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: "Add a cap constant" });
    model.add(
      ...addsFile("Cap", () => {
        // From the PR on, every write fails: the PR, the check run, labels, comment edits
        // (three in a row, longer than one retry).
        gh.failures.push({
          method: "POST",
          path: /^\/repos\/acme\/ledger\/pulls$/,
          status: 502,
          times: 1,
          followedBy: [
            {
              method: "PATCH",
              path: /^\/repos\/acme\/ledger\/issues\/comments\/\d+$/,
              status: 502,
              times: 3,
            },
            { method: "POST", path: /^\/repos\/acme\/ledger\//, status: 503, times: 1_000 },
          ],
        });
      }),
    );
    let handled: HandledJob;
    try {
      handled = await run(labeled(issue.number), "job-5xx");
    } finally {
      gh.failures.length = 0;
    }
    expect(handled.disposition).toMatchObject({
      kind: "failed",
      reason: expect.stringContaining("publishing the result failed"),
    });
    expect(refused("PATCH", /^\/repos\/acme\/ledger\/issues\/comments\/\d+$/, 502)).toHaveLength(3);
    const [tracking] = trackingOf(issue.number);
    expect(trackingOf(issue.number)).toHaveLength(1);
    expect(tracking!.body).toContain("could not finish");
    expect(tracking!.body).toContain("publishing the result failed");
    expect(tracking!.body).not.toContain("is working");
    // The branch was pushed before publishing failed, and the comment says so.
    expect(tracking!.body).toContain(`\`backend-go/issue-${issue.number}\` was pushed`);
    expect(tracking!.body).toContain("- [x] Pushing");
  });

  it("when its tracking comment is deleted mid-job, the final word arrives as a new comment", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: "Add a floor constant" });
    model.add(
      ...addsFile("Floor", () => {
        const i = gh.state.comments.findIndex(
          (c) => c.issueNumber === issue.number && c.body.includes("backend-go-agent:tracking"),
        );
        gh.state.comments.splice(i, 1);
      }),
    );
    expect((await run(labeled(issue.number), "job-deleted")).disposition).toEqual({ kind: "done" });
    const tracking = trackingOf(issue.number);
    expect(tracking).toHaveLength(1);
    expect(tracking[0]!.body).toMatch(/Opened pull request #\d+/);
  });
});
