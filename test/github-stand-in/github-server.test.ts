import { generateKeyPairSync } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { git } from "../support/git-repos.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";

const { privateKey, publicKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

// Octokit logs every failed request; the refusals below are expected.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let gh: GitHubStandIn;
let octokit: Octokit;
beforeAll(async () => {
  gh = await startGitHubServer({ appPublicKey: publicKey });
  await gh.createRepo("acme", "ledger");
  await gh.git.commitFiles("acme/ledger", "main", {
    ".github/backend-go.yml": "maxTurns: 12\n",
    "go.mod": "module x\n",
  });
  gh.setPermission("acme", "ledger", "alice", "write");
  gh.setPermission("acme", "ledger", "maya", "maintain");
  octokit = new Octokit({
    baseUrl: gh.apiUrl,
    log: quiet,
    authStrategy: createAppAuth,
    auth: { appId: gh.app.id, privateKey, installationId: 7 },
  });
});
afterAll(async () => {
  await gh.close();
});

const repo = { owner: "acme", repo: "ledger" };

describe("GitHub stand-in through @octokit/rest", () => {
  it("issues installation tokens for an App JWT and refuses requests without credentials", async () => {
    const { data } = await octokit.rest.repos.get(repo);
    expect(data).toMatchObject({
      full_name: "acme/ledger",
      default_branch: "main",
      clone_url: gh.cloneUrl("acme", "ledger"),
    });
    const tokenRequest = gh.state.requests.find((r) => r.path === "/app/installations/7/access_tokens");
    expect(tokenRequest).toMatchObject({ method: "POST", auth: "jwt", status: 201 });
    expect(gh.state.requests.find((r) => r.path === "/repos/acme/ledger")).toMatchObject({ auth: "token" });

    const anonymous = new Octokit({ baseUrl: gh.apiUrl, log: quiet });
    await expect(anonymous.rest.repos.get(repo)).rejects.toMatchObject({ status: 401 });
    await expect(anonymous.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });
    const app = new Octokit({
      baseUrl: gh.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId: gh.app.id, privateKey },
    });
    expect((await app.rest.apps.getAuthenticated()).data).toMatchObject({ slug: "backend-go-agent" });
  });

  it("refuses JWTs signed with another key, and tokens once expired (API and git alike)", async () => {
    const other = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const forged = new Octokit({
      baseUrl: gh.apiUrl,
      log: quiet,
      authStrategy: createAppAuth,
      auth: { appId: gh.app.id, privateKey: other.privateKey },
    });
    await expect(forged.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });

    const standIn = await startGitHubServer({ appPublicKey: publicKey });
    try {
      await standIn.createRepo("acme", "ledger");
      const app = new Octokit({
        baseUrl: standIn.apiUrl,
        authStrategy: createAppAuth,
        auth: { appId: standIn.app.id, privateKey },
      });
      const { data } = await app.rest.apps.createInstallationAccessToken({ installation_id: 7 });
      const withToken = new Octokit({ baseUrl: standIn.apiUrl, auth: data.token, log: quiet });
      const header = `http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${data.token}`).toString("base64")}`;
      expect((await withToken.rest.repos.get(repo)).status).toBe(200);
      await git(["-c", header, "ls-remote", standIn.cloneUrl("acme", "ledger")]);
      standIn.expireTokens();
      await expect(withToken.rest.repos.get(repo)).rejects.toMatchObject({ status: 401 });
      await expect(git(["-c", header, "ls-remote", standIn.cloneUrl("acme", "ledger")])).rejects.toThrow();
    } finally {
      await standIn.close();
    }
  });

  it("answers collaborator permission per user, GitHub's way (maintain reads as write)", async () => {
    const perm = async (username: string) =>
      (await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username })).data;
    expect(await perm("alice")).toMatchObject({ permission: "write", user: { login: "alice" } });
    expect(await perm("maya")).toMatchObject({ permission: "write", role_name: "maintain" });
    expect(await perm("mallory")).toMatchObject({ permission: "none" });
  });

  it("keeps issues, comments with their edit history, reactions and labels", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "Add a balance endpoint", body: "please" });
    const n = issue.number;
    const created = await octokit.rest.issues.createComment({ ...repo, issue_number: n, body: "queued" });
    expect(created.status).toBe(201);
    expect(created.data.user?.login).toBe("backend-go-agent[bot]");
    await octokit.rest.issues.updateComment({ ...repo, comment_id: created.data.id, body: "cloning" });
    await octokit.rest.issues.updateComment({ ...repo, comment_id: created.data.id, body: "done" });
    const stored = gh.state.comments.find((c) => c.id === created.data.id);
    expect(stored?.history).toEqual(["queued", "cloning", "done"]);
    const list = await octokit.rest.issues.listComments({ ...repo, issue_number: n });
    expect(list.data.map((c) => c.body)).toEqual(["done"]);

    const reaction = await octokit.rest.reactions.createForIssue({
      ...repo,
      issue_number: n,
      content: "eyes",
    });
    expect(reaction.status).toBe(201);
    expect(
      (await octokit.rest.reactions.createForIssue({ ...repo, issue_number: n, content: "eyes" })).status,
    ).toBe(200);
    expect(gh.state.reactions.filter((r) => r.subject === "issue" && r.subjectId === issue.id)).toHaveLength(
      1,
    );

    await octokit.rest.issues.addLabels({ ...repo, issue_number: n, labels: ["backend-go: needs-info"] });
    expect(gh.state.labelsOf("acme", "ledger", n)).toEqual(["backend-go: needs-info"]);
    await octokit.rest.issues.removeLabel({ ...repo, issue_number: n, name: "backend-go: needs-info" });
    expect(gh.state.labelsOf("acme", "ledger", n)).toEqual([]);
    await expect(
      octokit.rest.issues.removeLabel({ ...repo, issue_number: n, name: "nope" }),
    ).rejects.toMatchObject({
      status: 404,
    });
    expect(
      (await octokit.rest.issues.createLabel({ ...repo, name: "backend-go", color: "1d76db" })).status,
    ).toBe(201);
    await expect(octokit.rest.issues.createLabel({ ...repo, name: "backend-go" })).rejects.toMatchObject({
      status: 422,
    });

    await octokit.rest.issues.update({ ...repo, issue_number: n, state: "closed" });
    expect((await octokit.rest.issues.get({ ...repo, issue_number: n })).data.state).toBe("closed");
  });

  it("opens one pull request per head branch, finds it by head, updates it and toggles draft via GraphQL", async () => {
    const head = await gh.git.commitFiles(
      "acme/ledger",
      "backend-go/issue-9",
      { "a.go": "package a\n" },
      { from: "main" },
    );
    const opened = await octokit.rest.pulls.create({
      ...repo,
      title: "Add a",
      head: "backend-go/issue-9",
      base: "main",
      draft: true,
    });
    expect(opened.status).toBe(201);
    expect(opened.data).toMatchObject({
      draft: true,
      head: { ref: "backend-go/issue-9", sha: head },
      state: "open",
    });
    await expect(
      octokit.rest.pulls.create({ ...repo, title: "again", head: "backend-go/issue-9", base: "main" }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      octokit.rest.pulls.create({ ...repo, title: "none", head: "no/such-branch", base: "main" }),
    ).rejects.toMatchObject({ status: 422 });

    const found = await octokit.rest.pulls.list({ ...repo, head: "acme:backend-go/issue-9", state: "open" });
    expect(found.data.map((p) => p.number)).toEqual([opened.data.number]);
    expect((await octokit.rest.pulls.list({ ...repo, head: "acme:other", state: "open" })).data).toEqual([]);

    const patched = await octokit.rest.pulls.update({
      ...repo,
      pull_number: opened.data.number,
      body: "report v2",
    });
    expect(patched.data.body).toBe("report v2");
    await octokit.graphql(
      "mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { isDraft } } }",
      {
        id: opened.data.node_id,
      },
    );
    expect((await octokit.rest.pulls.get({ ...repo, pull_number: opened.data.number })).data.draft).toBe(
      false,
    );
    await octokit.rest.pulls.requestReviewers({
      ...repo,
      pull_number: opened.data.number,
      reviewers: ["alice"],
    });
    expect(gh.state.issue("acme", "ledger", opened.data.number)?.pull?.requestedReviewers).toEqual(["alice"]);
    // A PR is an issue too: same number, with a pull_request key.
    expect(
      (await octokit.rest.issues.get({ ...repo, issue_number: opened.data.number })).data.pull_request,
    ).toBeDefined();
  });

  it("shows a pull request's files and diff from git, its branch, and its review comments", async () => {
    await gh.git.commitFiles(
      "acme/ledger",
      "feature/diff",
      { "d.go": "package d\n", "go.mod": null },
      { from: "main" },
    );
    const opened = await octokit.rest.pulls.create({
      ...repo,
      title: "Diff",
      head: "feature/diff",
      base: "main",
    });
    const n = opened.data.number;
    const files = await octokit.rest.pulls.listFiles({ ...repo, pull_number: n });
    expect(files.data.map((f) => [f.filename, f.status])).toEqual([
      ["d.go", "added"],
      ["go.mod", "removed"],
    ]);
    expect(files.data[0]?.patch).toContain("+package d");
    const diff = await octokit.rest.pulls.get({ ...repo, pull_number: n, mediaType: { format: "diff" } });
    expect(String(diff.data)).toContain("diff --git a/d.go b/d.go");
    const branch = await octokit.rest.repos.getBranch({ ...repo, branch: "feature/diff" });
    expect(branch.data.commit.sha).toBe(await gh.git.revParse("acme/ledger", "feature/diff"));
    await expect(octokit.rest.repos.getBranch({ ...repo, branch: "feature/none" })).rejects.toMatchObject({
      status: 404,
    });
    expect((await octokit.rest.pulls.listReviewComments({ ...repo, pull_number: n })).data).toEqual([]);
  });

  it("pages long comment lists with Link headers, as octokit.paginate expects", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "chatty" });
    for (let i = 0; i < 7; i++) gh.addComment("acme", "ledger", issue.number, `comment ${i}`, "alice");
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: issue.number,
      per_page: 3,
    });
    expect(all.map((c) => c.body)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `comment ${i}`));
  });

  it("records check runs with their updates", async () => {
    const run = await octokit.rest.checks.create({
      ...repo,
      name: "backend-go verify",
      head_sha: "a".repeat(40),
      status: "in_progress",
    });
    await octokit.rest.checks.update({
      ...repo,
      check_run_id: run.data.id,
      conclusion: "success",
      output: { title: "green", summary: "all checks passed" },
    });
    const stored = gh.state.checkRuns.find((c) => c.id === run.data.id);
    expect(stored).toMatchObject({ status: "completed", conclusion: "success", output: { title: "green" } });
    expect(stored?.history).toHaveLength(2);
  });

  it("serves file contents from git, base64 and raw, and 404 for missing paths and unknown routes", async () => {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: ".github/backend-go.yml" });
    expect(Buffer.from((data as { content: string }).content, "base64").toString()).toBe("maxTurns: 12\n");
    const raw = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...repo,
      path: ".github/backend-go.yml",
      mediaType: { format: "raw" },
    });
    expect(String(raw.data)).toBe("maxTurns: 12\n");
    const dir = await octokit.rest.repos.getContent({ ...repo, path: ".github" });
    expect((dir.data as { name: string }[]).map((e) => e.name)).toEqual(["backend-go.yml"]);
    await expect(octokit.rest.repos.getContent({ ...repo, path: "nope.txt" })).rejects.toMatchObject({
      status: 404,
    });
    await expect(octokit.request("GET /repos/{owner}/{repo}/teams", repo)).rejects.toMatchObject({
      status: 404,
    });
    expect(gh.unknownRequests().map((r) => r.path)).toContain("/repos/acme/ledger/teams");
    expect((await octokit.rest.rateLimit.get()).data.resources.core.remaining).toBeGreaterThan(0);
  });

  it("can fail a route on purpose, then answer normally", async () => {
    gh.failures.push({ method: "GET", path: /^\/repos\/acme\/ledger$/, status: 502, times: 1 });
    await expect(octokit.rest.repos.get(repo)).rejects.toMatchObject({ status: 502 });
    expect((await octokit.rest.repos.get(repo)).status).toBe(200);
  });
});

describe("GitHub stand-in git over HTTP", () => {
  it("clones and pushes with an issued installation token as a header, and refuses others", async () => {
    const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
    const header = (t: string) =>
      `http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${t}`).toString("base64")}`;
    const dir = join(gh.git.root, "..", `clone-${Date.now()}`);
    try {
      await git([
        "-c",
        header(token),
        "clone",
        "--quiet",
        "--filter=blob:none",
        gh.cloneUrl("acme", "ledger"),
        dir,
      ]);
      expect(await readFile(join(dir, "go.mod"), "utf8")).toBe("module x\n");
      await git(["-C", dir, "checkout", "--quiet", "-b", "feature/x"]);
      await git(["-C", dir, "commit", "--quiet", "--allow-empty", "-m", "empty"]);
      await git(["-C", dir, "-c", header(token), "push", "--quiet", "origin", "feature/x"]);
      const sha = (await git(["-C", dir, "rev-parse", "HEAD"])).toString().trim();
      expect(await gh.git.revParse("acme/ledger", "feature/x")).toBe(sha);

      await expect(
        git(["-C", dir, "-c", header("ghs_forged"), "push", "--quiet", "origin", "feature/x:feature/y"]),
      ).rejects.toThrow();
      expect(await gh.git.revParse("acme/ledger", "feature/y")).toBeUndefined();
      expect(gh.git.requests.some((r) => r.status === 401)).toBe(true);
      expect(gh.git.requests.every((r) => !r.url.includes(token))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
