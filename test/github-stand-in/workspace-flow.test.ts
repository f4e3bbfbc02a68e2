import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { issueBranchName } from "../../src/workspace/branch-name.js";
import { botIdentity, GitWorkspace } from "../../src/workspace/git-workspace.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

let gh: GitHubStandIn;
let dataDir: string;
beforeAll(async () => {
  gh = await startGitHubServer();
  await gh.createRepo("acme", "ledger");
  dataDir = await mkdtemp(join(tmpdir(), "flow-data-"));
});
afterAll(async () => {
  await gh.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("the workspace against the GitHub stand-in", () => {
  it("clones with one installation token, pushes with a fresh one, and the PR sees the branch", async () => {
    const app = new Octokit({
      baseUrl: gh.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId: gh.app.id, privateKey },
    });
    const handed: string[] = [];
    const token = async () => {
      const { data } = await app.rest.apps.createInstallationAccessToken({ installation_id: 7 });
      handed.push(data.token);
      return data.token;
    };
    const issue = gh.createIssue("acme", "ledger", { title: "Add a balance endpoint" });
    const branch = issueBranchName(issue.number);
    const ws = new GitWorkspace({ dataDir, jobId: "flow-1", token });
    try {
      const prep = await ws.prepare({
        cloneUrl: gh.cloneUrl("acme", "ledger"),
        baseBranch: "main",
        workBranch: branch,
      });
      await writeFile(join(prep.dir, "balance.go"), "package ledger\n");
      const sha = await ws.commit({ message: "Add balance", author: botIdentity(gh.app.slug, gh.bot.id) });
      await ws.push();

      const octokit = new Octokit({ baseUrl: gh.apiUrl, auth: handed[1] });
      const pr = await octokit.rest.pulls.create({
        owner: "acme",
        repo: "ledger",
        title: issue.title,
        head: branch,
        base: "main",
      });
      expect(pr.data.head).toMatchObject({ ref: branch, sha });
    } finally {
      await ws.dispose();
    }
    expect(handed).toHaveLength(2);
    expect(handed[0]).not.toBe(handed[1]);
    const sent = new Set(gh.git.authHeaders);
    for (const t of handed)
      expect(sent.has(`basic ${Buffer.from(`x-access-token:${t}`).toString("base64")}`)).toBe(true);
  });
});
