// One writer per branch, end to end: the real app (node dist/main.js) against the GitHub
// stand-in, real git, real Go, the scripted model. An issue's job and a job on that issue's
// PR write the same branch: they run in turn — on SQLite in one process, and on BullMQ across
// two processes with their own DATA_DIRs — and a person's push during a job ends with the
// job's commit on top of it, verified there. Run `npm run build` first (npm test does).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHubStandIn } from "../support/github-server.js";
import type { IssueState } from "../support/github-state.js";
import { issueCommentCreated, issuesLabeled } from "../support/github-webhooks.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  heldStep,
  type RecordedRequest,
  report,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  tool,
} from "../support/scripted-model.js";
import { type AppProcess, waitFor } from "./harness.js";
import { type E2EWorld, startWorld } from "./world.js";

const OWNER = "acme";
const REPO = "ledger";
const NAME = `${OWNER}/${REPO}`;
/** A file's text on the stand-in at a commit. */
const fileAt = async (sha: string, path: string) => {
  const found = await gh.git.readPath(NAME, sha, path);
  return found?.type === "file" ? found.content.toString("utf8") : undefined;
};
const JOB_MS = 300_000;
let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;

beforeAll(async () => {
  world = await startWorld({ redis: true });
  ({ gh, model } = world);
  await gh.createRepo(OWNER, REPO, { fromDir: LEDGER_FIXTURE });
  gh.setPermission(OWNER, REPO, "alice", "maintain");
}, 60_000);

afterAll(() => world?.close());

/** Go code the agent adds: one constant in package ledger, so verification has a change to check. */
const constantFile = (name: string) => ({
  path: `ledger/${name.toLowerCase()}.go`,
  content: `package ledger\n\n// ${name} is new.\nconst ${name} = 1\n`,
});

function addsConstant(name: string, last: ScriptStep = say(report(GO_ENGINEER_SECTIONS))): ScriptStep[] {
  return [tool("write_file", constantFile(name)), last];
}

/** Conversations the model saw: a conversation's first request carries one message. */
const conversations = (requests: RecordedRequest[]) =>
  requests.filter((r) => Array.isArray(r.messages) && r.messages.length === 1).length;

/** `count` processes on one queue, each with its own DATA_DIR. */
async function startApps(count: number, extra: Record<string, string>) {
  const apps: AppProcess[] = [];
  for (let i = 0; i < count; i++) apps.push(await world.startApp(extra));
  return {
    apps,
    async close() {
      await Promise.all(apps.map((a) => a.stop()));
    },
  };
}

describe.each([
  ["SQLite", 1, {}],
  ["BullMQ", 2, {}],
] as const)("one writer per branch on %s", (adapter, processes, extraEnv) => {
  let running: Awaited<ReturnType<typeof startApps>>;
  let app: AppProcess;
  beforeAll(async () => {
    running = await startApps(processes, {
      JOB_CONCURRENCY: "2",
      ...(adapter === "BullMQ" ? { REDIS_URL: world.redis!.url } : {}),
      ...extraEnv,
    });
    app = running.apps[0]!;
  }, 120_000);
  afterAll(async () => {
    await running?.close();
  });

  const send = (event: string, payload: unknown) => world.deliver(event, payload, { app });
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
  const command = (number: number, body: string) =>
    send(
      "issue_comment",
      issueCommentCreated(gh, { owner: OWNER, repo: REPO, number, body, sender: "alice" }),
    );
  // Every process answers for the whole queue on Redis; on SQLite there is one.
  const job = (delivery: string) => world.job(delivery, app);
  const finished = (delivery: string) =>
    waitFor(
      `the job of ${delivery} to finish`,
      async () => {
        const j = await job(delivery);
        return j && ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
      },
      JOB_MS,
    );

  it(
    "an issue job and a job on its PR, each triggered while the other runs, land their changes in turn",
    async () => {
      const issue = gh.createIssue(OWNER, REPO, { title: `Ledger constants (${adapter})`, user: "alice" });
      const branch = `backend-go/issue-${issue.number}`;
      // The bot's branch and PR, as a first run leaves them.
      model.add(...addsConstant(`Base${adapter}`));
      const first = await finished(await label(issue));
      expect(first.status).toBe("succeeded");
      const pr = gh.state.pulls(OWNER, REPO).find((p) => p.pull?.head === branch)!;
      expect(pr).toBeDefined();

      // A job on the PR holds its model call, mid-run, with the branch checked out.
      const held = heldStep(say(report(GO_ENGINEER_SECTIONS)));
      model.add(...addsConstant(`Pr${adapter}`, held.step));
      const before = model.requests.length;
      const prDelivery = await command(pr.number, "/agent add a PR constant");
      await held.reached;

      // Meanwhile someone asks on the issue: same branch. It waits its turn: no clone over the
      // PR job's checkout, no model conversation, no attempt spent.
      model.add(...addsConstant(`Issue${adapter}`));
      const issueDelivery = await command(issue.number, "/agent add an issue constant");
      // A job put back in line for its branch carries the branch on its record: it was tried.
      await waitFor("the issue job back in line for the branch, no attempt spent", async () => {
        const j = await job(issueDelivery);
        return j?.status === "queued" && j.attempts === 0 && j.branch === `${NAME}:${branch}`;
      });
      expect(conversations(model.requests.slice(before))).toBe(1);
      expect((await job(prDelivery))!.status).toBe("running");

      held.release();
      const prJob = await finished(prDelivery);
      const issueJob = await finished(issueDelivery);
      expect(prJob).toMatchObject({ status: "succeeded", agentRuns: 1 });
      expect(issueJob).toMatchObject({ status: "succeeded", agentRuns: 1, attempts: 1 });
      console.log(
        `[measure] ${adapter}: PR job and issue job on one branch — model conversations ${conversations(model.requests.slice(before))} (1 per job), attempts ${prJob.attempts}+${issueJob.attempts}`,
      );

      // Both changes are on the branch, in turn: the issue job built on the PR job's commit.
      const tip = await gh.git.revParse(NAME, `refs/heads/${branch}`);
      expect(issueJob.pushedSha).toBe(tip);
      expect(await gh.git.revParse(NAME, `${tip}~1`)).toBe(prJob.pushedSha);
      for (const name of [`Base${adapter}`, `Pr${adapter}`, `Issue${adapter}`]) {
        expect(await fileAt(tip!, constantFile(name).path)).toContain(`const ${name} = 1`);
      }
      // The PR job and the issue job each claimed the same branch.
      expect(prJob.branch).toBe(`${NAME}:${branch}`);
      expect(issueJob.branch).toBe(`${NAME}:${branch}`);
    },
    JOB_MS * 2,
  );

  if (adapter === "SQLite") {
    it(
      "a person's push to the bot's branch during a job: the job's commit lands on top, verified there",
      async () => {
        const issue = gh.createIssue(OWNER, REPO, { title: "A rate constant", user: "alice" });
        const branch = `backend-go/issue-${issue.number}`;
        const held = heldStep(say(report(GO_ENGINEER_SECTIONS)));
        model.add(...addsConstant("Rate", held.step));
        const delivery = await label(issue);
        await held.reached;
        // The job checked out main (no branch yet); a person creates the branch with a commit.
        const main = await gh.git.revParse(NAME, "refs/heads/main");
        const theirs = await gh.git.commitFiles(
          NAME,
          branch,
          { "ledger/fee.go": "package ledger\n\n// Fee is a person's change.\nconst Fee = 2\n" },
          { message: "A person's commit", from: main },
        );
        held.release();
        const done = await finished(delivery);
        expect(done).toMatchObject({ status: "succeeded", verdict: "pass", agentRuns: 1 });
        const tip = await gh.git.revParse(NAME, `refs/heads/${branch}`);
        expect(done.pushedSha).toBe(tip);
        expect(await gh.git.revParse(NAME, `${tip}~1`)).toBe(theirs);
        expect(await fileAt(tip!, "ledger/fee.go")).toContain("const Fee = 2");
        expect(await fileAt(tip!, "ledger/rate.go")).toContain("const Rate = 1");
        // Verified again on the new tip: the verdict's check run is on that commit, and green.
        const run = gh.state.checkRuns.find((c) => c.repo === REPO && c.headSha === tip);
        expect(run?.conclusion).toBe("success");
        const pr = gh.state.pulls(OWNER, REPO).find((p) => p.pull?.head === branch)!;
        expect(pr.body).toContain("Verified by backend-go-agent");
      },
      JOB_MS,
    );

    it(
      "a person's push that conflicts with the job's change: nothing pushed over it, and the job says why",
      async () => {
        const issue = gh.createIssue(OWNER, REPO, { title: "A cap constant", user: "alice" });
        const branch = `backend-go/issue-${issue.number}`;
        const held = heldStep(say(report(GO_ENGINEER_SECTIONS)));
        model.add(...addsConstant("Cap", held.step));
        const delivery = await label(issue);
        await held.reached;
        const main = await gh.git.revParse(NAME, "refs/heads/main");
        const theirs = await gh.git.commitFiles(
          NAME,
          branch,
          { "ledger/cap.go": "package ledger\n\n// Cap is the person's, differently.\nconst Cap = 3\n" },
          { message: "A person's conflicting commit", from: main },
        );
        held.release();
        const done = await finished(delivery);
        expect(done.status).toBe("failed");
        expect(done.error).toContain("moved while the job ran");
        expect(await gh.git.revParse(NAME, `refs/heads/${branch}`)).toBe(theirs);
        const tracking = gh.state
          .commentsOn(OWNER, REPO, issue.number)
          .find((c) => c.body.includes("backend-go-agent:tracking"))!;
        expect(tracking.body).toContain("moved while the job ran");
        expect(tracking.body).toContain("`ledger/cap.go`");
        expect(tracking.body).toContain("Nothing was pushed");
      },
      JOB_MS,
    );
  }
});
