// A token per job, for one repository, and configuration that reads only what it may — through
// the real app (node dist/main.js, as `npm start` runs it) against the GitHub stand-in, which
// records every token minting and answers a token's calls outside its repositories as GitHub
// does (404 for a private repository, on REST and git), the scripted model, real git and Go.
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { JOB_PERMISSIONS } from "../../src/github/auth/installation-token.js";
import { CONFIG_PATH } from "../../src/repo/config-schema.js";
import type { AppProcess } from "../e2e/harness.js";
import { type E2EWorld, startWorld } from "../e2e/world.js";
import type { GitHubStandIn } from "../support/github-server.js";
import type { RepoState } from "../support/github-state.js";
import { issuesLabeled, sendWebhook } from "../support/github-webhooks.js";
import {
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptedModelServer,
  say,
  tool,
} from "../support/scripted-model.js";

const OWNER = "acme";
const WEBHOOK_SECRET = "bga-scope-webhook-secret-1f2e";
const JOBS_TOKEN = "bga-scope-jobs-token-9a8b";
/** Only acme/payroll holds it: no comment, log or job record may show it. */
const SECRET = "payroll-db-password-e2e-4d3c";

const MODULE_FILES: Record<string, string> = {
  "go.mod": "module example.com/vault\n\ngo 1.21\n",
  "vault/vault.go": 'package vault\n\n// Name of the package.\nconst Name = "vault"\n',
};

let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;
let app: AppProcess;
let moduleDir: string;
let vault: RepoState;

beforeAll(async () => {
  world = await startWorld({ extra: { WEBHOOK_SECRET, JOBS_TOKEN, JOB_CONCURRENCY: "1" } });
  ({ gh, model } = world);
  moduleDir = await mkdtemp(join(tmpdir(), "bga-scope-module-"));
  for (const [path, content] of Object.entries(MODULE_FILES)) {
    mkdirSync(join(moduleDir, path, ".."), { recursive: true });
    writeFileSync(join(moduleDir, path), content);
  }
  vault = await gh.createRepo(OWNER, "vault", { fromDir: moduleDir });
  await gh.createRepo(OWNER, "extender", { fromDir: moduleDir });
  await gh.git.commitFiles(`${OWNER}/extender`, "main", {
    [CONFIG_PATH]: `_extends: ${OWNER}/payroll:deploy/values.yml\n`,
  });
  await gh.createRepo(OWNER, "payroll");
  await gh.git.commitFiles(`${OWNER}/payroll`, "main", {
    "deploy/values.yml": `db_password: ${SECRET}\nreplicas: 3\n`,
  });
  for (const repo of ["vault", "extender"]) gh.setPermission(OWNER, repo, "alice", "write");
  app = await world.startApp();
}, 120_000);

afterAll(async () => {
  await world?.close();
  if (moduleDir) await rm(moduleDir, { recursive: true, force: true });
});

async function labeled(repo: string): Promise<{ deliveryId: string; number: number }> {
  const issue = gh.createIssue(OWNER, repo, { title: "Add a Version constant", user: "alice" });
  const res = await sendWebhook(`${app.url}/api/github/webhooks`, {
    secret: WEBHOOK_SECRET,
    event: "issues",
    payload: issuesLabeled(gh, { owner: OWNER, repo, number: issue.number, label: "backend-go" }),
  });
  expect(res.status).toBeLessThan(300);
  return { deliveryId: res.deliveryId, number: issue.number };
}

const finished = (deliveryId: string) => world.finishedJob(deliveryId, 150_000);

const mintedSince = (from: number) =>
  gh.state.requests
    .slice(from)
    .filter((r) => r.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(r.path));

describe("through the running app", () => {
  it("a job's token is minted for its repository alone, and the job's writes are made with it", async () => {
    const from = gh.state.requests.length;
    model.add(
      tool("write_file", {
        path: "vault/version.go",
        content: 'package vault\n\n// Version of the vault package.\nconst Version = "1.0.0"\n',
      }),
      say(report(GO_ENGINEER_SECTIONS, "Added vault.Version.")),
    );
    const { deliveryId, number } = await labeled("vault");
    expect((await finished(deliveryId)).status).toBe("succeeded");
    expect(gh.state.pulls(OWNER, "vault")).toHaveLength(1);

    // The job asked for one repository and the permissions it uses, by the id the delivery carried.
    const scoped = mintedSince(from).filter((r) => r.body && typeof r.body === "object");
    expect(scoped.map((r) => r.body)).toContainEqual({
      repository_ids: [vault.id],
      permissions: { ...JOB_PERMISSIONS },
    });
    for (const r of scoped) {
      const body = r.body as { repository_ids?: number[]; repositories?: string[] };
      expect(body.repository_ids ?? body.repositories).toBeDefined();
      if (body.repository_ids) expect(body.repository_ids).toEqual([vault.id]);
    }
    // The pull request and the tracking comment were written with a token of that scope.
    const writes = gh.state.requests
      .slice(from)
      .filter(
        (r) =>
          r.method === "POST" &&
          (r.path === "/repos/acme/vault/pulls" || r.path === `/repos/acme/vault/issues/${number}/comments`),
      );
    expect(writes.length).toBeGreaterThanOrEqual(2);
    for (const w of writes) expect(gh.state.tokens[w.tokenIndex!]?.repositoryIds).toEqual([vault.id]);
    // And that token opens nothing else: another private repository does not exist for it.
    const token = gh.state.tokens[writes[0]!.tokenIndex!]!.token;
    const res = await fetch(`${gh.apiUrl}/repos/${OWNER}/payroll/contents/deploy/values.yml`, {
      headers: { authorization: `token ${token}` },
    });
    expect(res.status).toBe(404);
  }, 200_000);

  it("`_extends` of another repository's file is refused, and nothing the app wrote shows its values", async () => {
    const from = gh.state.requests.length;
    const { deliveryId, number } = await labeled("extender");
    expect((await finished(deliveryId)).status).toBe("failed");
    const said = gh.state
      .commentsOn(OWNER, "extender", number)
      .flatMap((c) => c.history)
      .join("\n");
    expect(said).toContain("`_extends`");
    expect(said).toContain("CONFIG_EXTENDS_ALLOW");
    expect(said).not.toContain(SECRET);
    expect(said).not.toContain("replicas");
    expect(app.output()).not.toContain(SECRET);
    const records = await fetch(`${app.url}/jobs?limit=50`, {
      headers: { authorization: `Bearer ${JOBS_TOKEN}` },
    });
    expect(await records.text()).not.toContain(SECRET);
    // The file was never read, by any token.
    expect(gh.state.requests.slice(from).filter((r) => r.path.startsWith("/repos/acme/payroll"))).toEqual([]);
  }, 200_000);
});
