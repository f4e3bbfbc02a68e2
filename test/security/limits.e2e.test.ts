// Limits an operator sets, against the real app (node dist/main.js) behind its HTTP server,
// the GitHub stand-in and the scripted model through the real SDK: someone who may not
// trigger costs one API call per comment and no job; a person over TRIGGER_RATE_LIMIT is
// told once and ignored; a repository's budgets.max_usd above MAX_JOB_COST_USD runs with the
// operator's ceiling — the model is stopped there — and the job says so.
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type AppProcess, waitFor } from "../e2e/harness.js";
import { type E2EWorld, startWorld } from "../e2e/world.js";
import type { GitHubStandIn } from "../support/github-server.js";
import type { CommentState } from "../support/github-state.js";
import { issueCommentCreated, sendWebhook } from "../support/github-webhooks.js";
import {
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptedModelServer,
  say,
  tool,
} from "../support/scripted-model.js";

const OWNER = "acme";
const WEBHOOK_SECRET = "bga-limits-webhook-secret";
const JOBS_TOKEN = "bga-limits-jobs-token";
const RATE_LIMIT = 3;

let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;
let app: AppProcess;
let moduleDir: string;

const MODULE_FILES: Record<string, string> = {
  "go.mod": "module example.com/vault\n\ngo 1.21\n",
  "vault/vault.go": "package vault\n\n// Open opens the vault.\nfunc Open() error { return nil }\n",
};

beforeAll(async () => {
  world = await startWorld({
    extra: {
      WEBHOOK_SECRET,
      JOBS_TOKEN,
      JOB_CONCURRENCY: "1",
      MAX_JOB_COST_USD: "5",
      TRIGGER_RATE_LIMIT: String(RATE_LIMIT),
      ALLOWED_MODELS: "opus,claude-sonnet-4-5",
    },
  });
  ({ gh, model } = world);
  moduleDir = await mkdtemp(join(tmpdir(), "bga-limits-module-"));
  for (const [path, content] of Object.entries(MODULE_FILES)) {
    mkdirSync(join(moduleDir, path, ".."), { recursive: true });
    writeFileSync(join(moduleDir, path), content);
  }
  for (const repo of ["vault", "rated", "costly", "fancy"])
    await gh.createRepo(OWNER, repo, { fromDir: moduleDir });
  // Jobs here are refused by the job's own gate (maintain needed): admitted, counted, cheap.
  await gh.git.commitFiles(`${OWNER}/rated`, "main", {
    ".github/backend-go-agent.yml": "trigger:\n  min_permission: maintain\n",
  });
  await gh.git.commitFiles(`${OWNER}/costly`, "main", {
    ".github/backend-go-agent.yml": "budgets:\n  max_usd: 500\n",
  });
  await gh.git.commitFiles(`${OWNER}/fancy`, "main", { ".github/backend-go-agent.yml": "model: haiku\n" });
  gh.setPermission(OWNER, "rated", "rita", "write");
  gh.setPermission(OWNER, "fancy", "alice", "write");
  gh.setPermission(OWNER, "costly", "alice", "write");
  app = await world.startApp();
}, 120_000);

afterAll(async () => {
  await world?.close();
  if (moduleDir) await rm(moduleDir, { recursive: true, force: true });
});

const jobs = () => world.jobs();

async function comment(repo: string, number: number, body: string, sender: string): Promise<string> {
  const res = await sendWebhook(`${app.url}/api/github/webhooks`, {
    secret: WEBHOOK_SECRET,
    event: "issue_comment",
    payload: issueCommentCreated(gh, { owner: OWNER, repo, number, body, sender }),
  });
  expect(res.status).toBe(200);
  return res.deliveryId;
}

const botComments = (repo: string, number: number): CommentState[] =>
  gh.state.commentsOn(OWNER, repo, number).filter((c) => c.user.login === gh.bot.login);
/** What the app asked GitHub as the installation (minting the token itself is the App's). */
const installationRequests = () => gh.state.requests.filter((r) => r.auth === "token");
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe("limits an operator sets", () => {
  it("50 /agent comments from someone without permission: one permission lookup each, one reply, no job", async () => {
    const issue = gh.createIssue(OWNER, "vault", { title: "Drain the vault", user: "mallory" });
    const permission = `/repos/${OWNER}/vault/collaborators/mallory/permission`;
    const modelBefore = model.requests.length;
    const deliveries: string[] = [];
    // The first one is told, in the background, once for the issue.
    let before = installationRequests().length;
    deliveries.push(await comment("vault", issue.number, "/agent empty the vault", "mallory"));
    const reply = await waitFor("the one reply", () => botComments("vault", issue.number)[0]);
    expect(reply.body).toMatch(/Only people with \*\*write\*\* permission/);
    // The reply's POST is the last request of the background refusal: wait until it is logged.
    const first = await waitFor("the reply's request in the stand-in's log", () => {
      const since = installationRequests().slice(before);
      return since.some((r) => r.method === "POST") && since;
    });
    expect(first[0]).toMatchObject({ method: "GET", path: permission });
    // After the lookup: the repository's settings for the reply's words, then the reply itself.
    expect(first.filter((r) => r.method !== "GET")).toEqual([
      expect.objectContaining({
        method: "POST",
        path: `/repos/${OWNER}/vault/issues/${issue.number}/comments`,
      }),
    ]);
    for (let i = 1; i < 50; i++) {
      before = installationRequests().length;
      deliveries.push(await comment("vault", issue.number, `/agent empty the vault, take ${i}`, "mallory"));
      // The webhook answers after the lookup: whatever else it sent would be in flight now.
      await settle(i === 49 ? 500 : 20);
      expect(
        installationRequests()
          .slice(before)
          .map((r) => `${r.method} ${r.path}`),
      ).toEqual([`GET ${permission}`]);
    }
    expect(botComments("vault", issue.number)).toHaveLength(1);
    const all = await jobs();
    expect(all.filter((j) => deliveries.includes(j.deliveryId))).toEqual([]);
    expect(gh.state.reactions.filter((r) => r.owner === OWNER && r.repo === "vault")).toEqual([]);
    expect(model.requests.length).toBe(modelBefore);
    expect(app.output()).toContain("no permission to trigger");
  });

  it(`a person over TRIGGER_RATE_LIMIT (${RATE_LIMIT}/hour) is told once and ignored`, async () => {
    const issue = gh.createIssue(OWNER, "rated", { title: "Rename things", user: "rita" });
    const deliveries: string[] = [];
    for (let i = 0; i < RATE_LIMIT + 3; i++) {
      deliveries.push(await comment("rated", issue.number, `/agent rename thing ${i}`, "rita"));
    }
    const told = await waitFor("the rate-limit notice", () =>
      botComments("rated", issue.number).find((c) => c.body.includes("backend-go-agent:rate-limited")),
    );
    expect(told.body).toContain(
      `@rita, you have started ${RATE_LIMIT} jobs in ${OWNER}/rated in the last hour, the most this app allows one person (\`TRIGGER_RATE_LIMIT\`).`,
    );
    expect(told.body).toMatch(/are ignored; ask again after that\./);
    // The admitted ones ran (and were refused by the repository's own minimum, once).
    await waitFor("the admitted jobs to finish", async () => {
      const mine = (await jobs()).filter((j) => deliveries.includes(j.deliveryId));
      return mine.length === RATE_LIMIT && mine.every((j) => j.status === "succeeded") ? mine : undefined;
    });
    const mine = (await jobs()).filter((j) => deliveries.includes(j.deliveryId));
    expect(mine.map((j) => j.deliveryId).sort()).toEqual(deliveries.slice(0, RATE_LIMIT).sort());
    // One more later in the window: still ignored, and not told again.
    const late = await comment("rated", issue.number, "/agent one more", "rita");
    await settle(500);
    expect((await jobs()).some((j) => j.deliveryId === late)).toBe(false);
    const notices = botComments("rated", issue.number).filter((c) => c.body.includes("rate-limited"));
    expect(notices).toHaveLength(1);
  });

  it("a capped job that completes says so under the verdict in its pull request", async () => {
    const issue = gh.createIssue(OWNER, "costly", { title: "Document the package", user: "alice" });
    model.add(
      tool("write_file", {
        path: "vault/doc.go",
        content: "// Package vault keeps secrets.\npackage vault\n",
      }),
      say(report(GO_ENGINEER_SECTIONS, "Documented the vault package.")),
    );
    const delivery = await comment("costly", issue.number, "/agent document the package", "alice");
    const job = await waitFor(
      "the job to end",
      async () => {
        const j = (await jobs()).find((x) => x.deliveryId === delivery);
        return j && (j.status === "succeeded" || j.status === "failed") ? j : undefined;
      },
      170_000,
    );
    expect(job.status).toBe("succeeded");
    const branch = `backend-go/issue-${issue.number}`;
    const [pr] = gh.state.pulls(OWNER, "costly").filter((p) => p.pull?.head === branch);
    const body = pr?.body ?? "";
    const verdictAt = body.indexOf("### Verified by backend-go-agent");
    const noteAt = body.indexOf("`budgets.max_usd` 500 capped at 5 by the operator (`MAX_JOB_COST_USD`)");
    expect(verdictAt).toBeGreaterThanOrEqual(0);
    expect(noteAt).toBeGreaterThan(verdictAt);
  }, 180_000);

  it("budgets.max_usd 500 under MAX_JOB_COST_USD=5: the model is stopped at $5, and the job says so", async () => {
    const issue = gh.createIssue(OWNER, "costly", { title: "Explore the module", user: "alice" });
    const before = model.requests.length;
    // Every call costs $2 (400k input tokens of claude-opus-4-5 at $5/M) and asks for more,
    // each a different call (the repeat guard stays out of it): only a budget ends this run.
    // The repository's $500 would allow all twelve.
    for (let i = 0; i < 12; i++) {
      const input = { path: i < 10 ? "." : "vault", depth: (i % 10) + 1 };
      model.add({ ...tool("list_files", input), usage: { input_tokens: 400_000, output_tokens: 10 } });
    }
    const delivery = await comment("costly", issue.number, "/agent look around the module", "alice");
    const job = await waitFor(
      "the job to end",
      async () => {
        const j = (await jobs()).find((x) => x.deliveryId === delivery);
        return j && (j.status === "succeeded" || j.status === "failed") ? j : undefined;
      },
      150_000,
    );
    // Three calls: $6 spent passes $5; under $500 the run would have gone on.
    expect(model.requests.length - before).toBe(3);
    expect(job.costUsd).toBeGreaterThan(5);
    expect(job.costUsd).toBeLessThan(6.1);
    const tracking = botComments("costly", issue.number).find((c) =>
      c.body.includes("backend-go-agent:tracking"),
    );
    expect(tracking?.body).toContain(
      "`budgets.max_usd` 500 capped at 5 by the operator (`MAX_JOB_COST_USD`)",
    );
    expect(tracking?.body).toMatch(/the limit is \$5\.00/);
    expect(model.remaining()).toBe(9);
  }, 180_000);

  it("a model not on ALLOWED_MODELS: refused before any model call, naming the allowed list", async () => {
    const issue = gh.createIssue(OWNER, "fancy", { title: "Use the small model", user: "alice" });
    const before = model.requests.length;
    const delivery = await comment("fancy", issue.number, "/agent tidy the package", "alice");
    const job = await waitFor("the job to end", async () => {
      const j = (await jobs()).find((x) => x.deliveryId === delivery);
      return j && (j.status === "succeeded" || j.status === "failed") ? j : undefined;
    });
    expect(job.status).toBe("failed");
    expect(model.requests.length).toBe(before);
    const tracking = botComments("fancy", issue.number).find((c) =>
      c.body.includes("backend-go-agent:tracking"),
    );
    expect(tracking?.body).toContain(
      "**The model `claude-haiku-4-5` is not allowed here.** The operator allows only `opus`, `claude-sonnet-4-5` (`ALLOWED_MODELS`).",
    );
  });
});
