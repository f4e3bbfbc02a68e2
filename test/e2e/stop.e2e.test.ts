// `/agent stop` end to end: the real app process (node dist/main.js, as `npm start` runs it)
// on SQLite and on BullMQ (REDIS_URL), signed webhooks over HTTP, the GitHub stand-in, the
// scripted model holding the agent's second call. Run `npm run build` first (npm test does).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { issueBranchName } from "../../src/workspace/branch-name.js";
import type { GitHubStandIn } from "../support/github-server.js";
import { issueCommentCreated, issuesLabeled } from "../support/github-webhooks.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import { heldStep, type ScriptedModelServer, tool } from "../support/scripted-model.js";
import { API_KEY, type AppProcess, waitFor } from "./harness.js";
import { type E2EWorld, startWorld } from "./world.js";

const OWNER = "acme";
const REPO = "ledger";
let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;

beforeAll(async () => {
  world = await startWorld({ redis: true });
  ({ gh, model } = world);
  await gh.createRepo(OWNER, REPO, { fromDir: LEDGER_FIXTURE });
  gh.setPermission(OWNER, REPO, "alice", "write");
  gh.setPermission(OWNER, REPO, "bob", "read");
}, 60_000);

afterAll(() => world?.close());

const botComments = (number: number) =>
  gh.state.commentsOn(OWNER, REPO, number).filter((c) => c.user.login === gh.bot.login);

describe.each(["SQLite", "BullMQ"])("/agent stop in the running app on %s", (adapter) => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await world.startApp(adapter === "BullMQ" ? { REDIS_URL: world.redis!.url } : {});
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
  });

  const send = async (event: string, payload: unknown) => {
    await world.deliver(event, payload, { app });
  };
  const stop = (number: number, sender: string) =>
    send(
      "issue_comment",
      issueCommentCreated(gh, { owner: OWNER, repo: REPO, number, body: "/agent stop", sender }),
    );
  const jobOn = async (number: number) =>
    (await world.jobs(app)).find((j) => j.target === `${OWNER}/${REPO}#${number}`);

  it("stops the job during a held model call; a read-only user's stop is refused", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: `Balance endpoint (${adapter})` });
    const held = heldStep();
    model.add(tool("write_file", { path: "api/stopped.go", content: "package api\n" }), held.step);
    await send(
      "issues",
      issuesLabeled(gh, {
        owner: OWNER,
        repo: REPO,
        number: issue.number,
        label: "backend-go",
        sender: "alice",
      }),
    );
    await held.reached;

    await stop(issue.number, "bob");
    await waitFor("the refusal", () =>
      botComments(issue.number).find((c) => c.body.includes("backend-go-agent:unauthorized")),
    );
    expect((await jobOn(issue.number))?.status).toBe("running");

    const asked = Date.now();
    await stop(issue.number, "alice");
    const job = await waitFor("the job to be cancelled", async () => {
      const j = await jobOn(issue.number);
      return j?.status === "cancelled" ? j : undefined;
    });
    console.log(`[measure] e2e ${adapter}: stop webhook to cancelled record ${Date.now() - asked} ms`);
    expect(job.error).toBe("stopped by @alice");
    const tracking = await waitFor("the tracking comment to say who stopped it", () =>
      botComments(issue.number).find(
        (c) => c.body.includes("backend-go-agent:tracking") && c.body.includes("stopped by @alice"),
      ),
    );
    expect(tracking.body).toContain("Nothing was committed or pushed");
    expect(await gh.git.revParse(`${OWNER}/${REPO}`, issueBranchName(issue.number))).toBeUndefined();
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/backend_go_agent_jobs\{status="cancelled"\} 1/);
    held.release();
  }, 120_000);

  it("a stop on a target with no job says so in one reply", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: "Quiet" });
    await stop(issue.number, "alice");
    const reply = await waitFor("the reply", () =>
      botComments(issue.number).find((c) => c.body.includes("backend-go-agent:stop")),
    );
    expect(reply.body).toContain("there is no queued or running job on this issue to stop");
    expect(app.output()).not.toContain(API_KEY);
  }, 60_000);
});
