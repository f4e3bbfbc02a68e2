// A token per job, for one repository: what the installation tokens a job mints may reach.
// A real Probot against the GitHub stand-in, which records each minting request and answers
// a token's calls on repositories outside its scope as GitHub does (404 for a private one,
// on REST and on git); real git and real Go for module downloads; jobs through the real
// handler for the configuration a repository extends.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { openInstallation } from "../../src/github/auth/installation.js";
import { JOB_PERMISSIONS, READ_CONTENTS } from "../../src/github/auth/installation-token.js";
import { jobToolchain } from "../../src/github/auth/private-module-toolchain.js";
import type { TaskRequest } from "../../src/pipeline/task.js";
import type { HandledJob, JobHandler } from "../../src/queue/job-queue.js";
import { CONFIG_PATH } from "../../src/repo/config-schema.js";
import { parseRepoConfig } from "../../src/repo/repo-config.js";
import { parseTriggerEvent } from "../../src/triggers/parse-event.js";
import { appKeyPair } from "../e2e/harness.js";
import { FIXTURES, testToolchain } from "../golang/support.js";
import { git } from "../support/git-repos.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import type { RepoState } from "../support/github-state.js";
import { issuesLabeled } from "../support/github-webhooks.js";
import { inProcessJobHandler, standInProbot } from "../support/job-handler.js";
import { type ScriptedModelServer, startScriptedModel } from "../support/scripted-model.js";

const { privateKey, publicKey } = appKeyPair();
const OWNER = "acme";
/** A value only another repository's file holds: no comment may ever show it. */
const SECRET = "payroll-db-password-5c0ffee1";
// Versions no earlier run left in the shared module cache, so each download really happens.
const RUN = Date.now() % 1_000_000_000;
const VERSION = `v1.0.${RUN}`;

let gh: GitHubStandIn;
let model: ScriptedModelServer;
let dataDir: string;
let handler: JobHandler;
let ledger: RepoState;
let n = 0;

const warnings: object[] = [];
const logger = { info() {}, error() {}, warn: (o: object) => void warnings.push(o) };

beforeAll(async () => {
  gh = await startGitHubServer({ appPublicKey: publicKey });
  model = await startScriptedModel({ script: [] });
  dataDir = await mkdtemp(join(tmpdir(), "bga-token-scope-"));
  handler = await inProcessJobHandler({ gh, privateKey, modelUrl: model.url, dataDir });
  ledger = await gh.createRepo(OWNER, "ledger");
  await gh.createRepo(OWNER, "payroll");
  await gh.git.commitFiles(`${OWNER}/payroll`, "main", {
    "deploy/values.yml": `db_password: ${SECRET}\nreplicas: 3\n`,
  });
  // Two private modules of the owner: one the consumer lists, one it does not.
  for (const name of ["lib", "secret"]) {
    await gh.createRepo(OWNER, name, { fromDir: join(FIXTURES, "private-module", "lib") });
    await gh.git.commitFiles(`${OWNER}/${name}`, "main", {
      "go.mod": `module github.com/${OWNER}/${name}\n\ngo 1.21\n`,
    });
    const sha = (await gh.git.revParse(`${OWNER}/${name}`, "main"))!;
    await git(["--git-dir", gh.git.gitDir(`${OWNER}/${name}`), "tag", VERSION, sha]);
  }
}, 60_000);

afterAll(async () => {
  await model.close();
  await gh.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The bodies of every token minted since `from` (an index into the request log). */
const mintedSince = (from: number) =>
  gh.state.requests
    .slice(from)
    .filter((r) => r.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(r.path))
    .map((r) => ({ status: r.status, body: r.body as Record<string, unknown> }));

async function gitStatus(token: string, repo: string): Promise<number> {
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  const res = await fetch(`${gh.url}/git/${OWNER}/${repo}.git/info/refs?service=git-upload-pack`, {
    headers: { authorization: `Basic ${basic}` },
  });
  await res.arrayBuffer();
  return res.status;
}

describe("the job's installation token", () => {
  it("is minted for the job's repository alone, with the permissions a job uses", async () => {
    const from = gh.state.requests.length;
    const session = await openInstallation(standInProbot(gh, privateKey), 7, {
      name: "ledger",
      id: ledger.id,
    });
    const token = await session.token();
    expect(mintedSince(from)).toEqual([
      { status: 201, body: { repository_ids: [ledger.id], permissions: { ...JOB_PERMISSIONS } } },
    ]);
    // Its own repository answers; another private repository of the installation does not exist for it.
    expect((await session.octokit.rest.repos.get({ owner: OWNER, repo: "ledger" })).status).toBe(200);
    await expect(session.octokit.rest.repos.get({ owner: OWNER, repo: "payroll" })).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      session.octokit.rest.repos.getContent({ owner: OWNER, repo: "payroll", path: "deploy/values.yml" }),
    ).rejects.toMatchObject({ status: 404 });
    expect(await gitStatus(token, "ledger")).toBe(200);
    expect(await gitStatus(token, "secret")).toBe(404);
  });

  it("is minted by name when the delivery carried no repository id", async () => {
    const from = gh.state.requests.length;
    const session = await openInstallation(standInProbot(gh, privateKey), 7, { name: "ledger" });
    await session.token();
    expect(mintedSince(from).map((m) => m.body)).toEqual([
      { repositories: ["ledger"], permissions: { ...JOB_PERMISSIONS } },
    ]);
  });

  it("keeps the repository scope when the installation lacks a permission, and says so", async () => {
    const granted = { ...gh.state.installationPermissions };
    const { actions: _notGranted, ...withoutActions } = granted;
    gh.state.installationPermissions = withoutActions;
    warnings.length = 0;
    try {
      const from = gh.state.requests.length;
      const session = await openInstallation(
        standInProbot(gh, privateKey),
        7,
        { name: "ledger", id: ledger.id },
        logger,
      );
      const token = await session.token();
      const { actions: _dropped, ...rest } = JOB_PERMISSIONS;
      expect(mintedSince(from)).toEqual([
        { status: 422, body: { repository_ids: [ledger.id], permissions: { ...JOB_PERMISSIONS } } },
        { status: 201, body: { repository_ids: [ledger.id], permissions: rest } },
      ]);
      expect(warnings).toEqual([expect.objectContaining({ missing: ["actions: read"] })]);
      expect(gh.state.tokens.find((t) => t.token === token)?.repositoryIds).toEqual([ledger.id]);
      expect(await gitStatus(token, "payroll")).toBe(404);
    } finally {
      gh.state.installationPermissions = granted;
    }
  });

  it("is refused, never widened, for a repository outside the installation", async () => {
    const from = gh.state.requests.length;
    const session = await openInstallation(standInProbot(gh, privateKey), 7, { name: "elsewhere" });
    await expect(session.token()).rejects.toMatchObject({ status: 422 });
    expect(mintedSince(from).every((m) => m.status === 422 && m.body.repositories)).toBe(true);
  });
});

describe("private modules of the owner", () => {
  async function download(privateModules: string[]) {
    const session = await openInstallation(standInProbot(gh, privateKey), 7, {
      name: "ledger",
      id: ledger.id,
    });
    const config = parseRepoConfig(
      { go: { goprivate: `github.com/${OWNER}/*`, private_modules: privateModules } },
      "test",
    );
    const plan = {
      config,
      checkout: { cloneUrl: gh.cloneUrl(OWNER, "ledger"), baseBranch: "main", workBranch: "w" },
    };
    // The stand-in serves GitHub's module paths (github.com/acme/…) from its own git host.
    const tc = jobToolchain(await testToolchain(), plan, { owner: OWNER, repo: "ledger" }, session, logger, {
      moduleHost: "github.com",
    });
    const dir = await mkdtemp(join(tmpdir(), "bga-token-scope-mod-"));
    await writeFile(join(dir, "go.mod"), "module example.com/consumer\n\ngo 1.21\n");
    const from = gh.state.requests.length;
    const gitFrom = gh.git.requests.length;
    try {
      const res = await tc.go(["mod", "download", "-json", `github.com/${OWNER}/secret@${VERSION}`], {
        cwd: dir,
        network: true,
        timeoutMs: 120_000,
      });
      return { res, minted: mintedSince(from), git: gh.git.requests.slice(gitFrom) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it("cannot download another private repository of the owner that the configuration does not list", async () => {
    const { res, git: seen } = await download(["acme/lib"]);
    expect(res.exitCode).not.toBe(0);
    // go found no way in: no rewrite to the stand-in and no credential for that repository.
    expect(JSON.parse(res.stdout)).toMatchObject({
      Path: "github.com/acme/secret",
      Error: expect.stringContaining("github.com/acme/secret"),
    });
    expect(`${res.stdout}${res.stderr}`).not.toContain("lib.go");
    // Nothing of acme/secret was served, with or without a token.
    expect(seen.filter((r) => r.url.includes("/acme/secret") && r.status === 200)).toEqual([]);
  }, 180_000);

  it("downloads one that `go.private_modules` lists, with a read-only token for exactly those repositories", async () => {
    const { res, minted, git: seen } = await download(["github.com/acme/secret"]);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ Path: "github.com/acme/secret", Version: VERSION });
    expect(minted).toEqual([
      { status: 201, body: { repositories: ["ledger", "secret"], permissions: { ...READ_CONTENTS } } },
    ]);
    expect(seen.some((r) => r.url.startsWith("/acme/secret") && r.authorized && r.status === 200)).toBe(true);
  }, 180_000);

  it("refuses a list entry of another owner by its key", async () => {
    const session = await openInstallation(standInProbot(gh, privateKey), 7, {
      name: "ledger",
      id: ledger.id,
    });
    const config = parseRepoConfig({ go: { private_modules: ["evil/stash"] } }, "test");
    const plan = {
      config,
      checkout: { cloneUrl: gh.cloneUrl(OWNER, "ledger"), baseBranch: "main", workBranch: "w" },
    };
    expect(() =>
      jobToolchain({} as never, plan, { owner: OWNER, repo: "ledger" }, session, logger, {
        moduleHost: "github.com",
      }),
    ).toThrow(/go\.private_modules\[0\]/);
  });
});

describe("configuration a job reads", () => {
  function labelTask(repo: string): TaskRequest {
    const issue = gh.createIssue(OWNER, repo, { title: "Add a Version constant", user: "alice" });
    const payload = issuesLabeled(gh, { owner: OWNER, repo, number: issue.number, label: "backend-go" });
    const parsed = parseTriggerEvent("issues", `delivery-scope-${++n}`, payload);
    if (parsed.kind !== "task") throw new Error(parsed.reason);
    return parsed.task;
  }
  const run = (task: TaskRequest) =>
    handler(task, {
      jobId: `job-scope-${n}`,
      attempt: 1,
      restarted: false,
      signal: new AbortController().signal,
    });
  const commentsOn = (repo: string, number: number) =>
    gh.state.commentsOn(OWNER, repo, number).map((c) => c.history.join("\n"));

  it("refuses `_extends` of another repository's file, and no comment shows a value from it", async () => {
    await gh.createRepo(OWNER, "app-extends");
    await gh.git.commitFiles(`${OWNER}/app-extends`, "main", {
      [CONFIG_PATH]: `_extends: ${OWNER}/payroll:deploy/values.yml\n`,
    });
    gh.setPermission(OWNER, "app-extends", "alice", "write");
    const from = gh.state.requests.length;
    const task = labelTask("app-extends");
    const handled = (await run(task)) as HandledJob;
    expect(handled.disposition).toMatchObject({
      kind: "failed",
      reason: expect.stringContaining("_extends"),
    });
    const said = commentsOn("app-extends", task.target.number).join("\n");
    expect(said).toContain("_extends");
    expect(said).toContain("CONFIG_EXTENDS_ALLOW");
    expect(said).not.toContain(SECRET);
    expect(said).not.toContain("replicas");
    // The file was never even asked for.
    expect(gh.state.requests.slice(from).filter((r) => r.path.includes("/repos/acme/payroll"))).toEqual([]);
  }, 60_000);

  it("reads the owner's .github repository with a read-only token for it alone", async () => {
    await gh.createRepo(OWNER, ".github");
    await gh.git.commitFiles(`${OWNER}/.github`, "main", {
      [CONFIG_PATH]: "trigger:\n  min_permission: admin\n",
    });
    await gh.createRepo(OWNER, "app-org");
    await gh.git.commitFiles(`${OWNER}/app-org`, "main", { [CONFIG_PATH]: "_extends: .github\n" });
    gh.setPermission(OWNER, "app-org", "alice", "write");
    const from = gh.state.requests.length;
    const task = labelTask("app-org");
    const handled = (await run(task)) as HandledJob;
    // The organisation's rule (admin) was read and applied: alice, a writer, may not trigger.
    expect(handled.disposition).toMatchObject({ kind: "refused" });
    expect(commentsOn("app-org", task.target.number).join("\n")).toContain("**admin** permission");
    const appOrg = gh.state.repo(OWNER, "app-org")!;
    expect(mintedSince(from).map((m) => m.body)).toEqual([
      { repository_ids: [appOrg.id], permissions: { ...JOB_PERMISSIONS } },
      { repositories: [".github"], permissions: { ...READ_CONTENTS } },
    ]);
  }, 60_000);
});
