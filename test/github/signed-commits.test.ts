// `commits.signing: github` against the GitHub stand-in: the real git workspace makes the
// local commit, the real Octokit recreates it through the Git database routes (which write
// real objects into the stand-in's repository), and a fresh clone shows exactly the change.
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import type { GitHubClient } from "../../src/github/auth/client.js";
import { API_COMMIT_LIMITS, ApiCommitTooLarge } from "../../src/github/commits/api-commit-limits.js";
import { withCommitSigning } from "../../src/github/commits/signed-workspace.js";
import type { Workspace } from "../../src/pipeline/ports.js";
import { botIdentity } from "../../src/workspace/git-workspace.js";
import { createRemoteWorkspace } from "../../src/workspace/remote-workspace.js";
import { GitWorkspaceError } from "../../src/workspace/workspace-errors.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";

const run = promisify(execFile);
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const BINARY = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
const REPO = { owner: "acme", repo: "ledger" };

let gh: GitHubStandIn;
let dataDir: string;
let api: GitHubClient;
let token: () => Promise<string>;
let jobs = 0;

beforeAll(async () => {
  gh = await startGitHubServer();
  await gh.createRepo("acme", "ledger");
  await gh.git.commitFiles("acme/ledger", "main", {
    "ledger.go": "package ledger\n",
    "doomed.txt": "to be deleted\n",
  });
  dataDir = await mkdtemp(join(tmpdir(), "signed-data-"));
  const app = new Octokit({
    baseUrl: gh.apiUrl,
    authStrategy: createAppAuth,
    auth: { appId: gh.app.id, privateKey },
  });
  token = async () => (await app.rest.apps.createInstallationAccessToken({ installation_id: 7 })).data.token;
  api = new ProbotOctokit({
    baseUrl: gh.apiUrl,
    auth: { token: await token() },
    retry: { enabled: false },
    throttle: { enabled: false },
  }) as GitHubClient;
}, 60_000);

afterAll(async () => {
  await gh.close();
  await rm(dataDir, { recursive: true, force: true });
});

function signedWorkspace(branch: string, limits = API_COMMIT_LIMITS): Workspace {
  const inner = createRemoteWorkspace(
    { dataDir, jobId: `signed-${++jobs}`, token },
    { cloneUrl: gh.cloneUrl("acme", "ledger"), baseBranch: "main", workBranch: branch },
  );
  return withCommitSigning("github", api, REPO, limits)(inner);
}

const author = () => botIdentity(gh.app.slug, gh.bot.id);
const coAuthor = { name: "Alice", email: "alice@example.com" };
const pushes = () => gh.git.requests.filter((r) => r.url.includes("git-receive-pack")).length;
const git = async (dir: string, ...args: string[]) =>
  (await run("git", args, { cwd: dir, env: { PATH: process.env.PATH, HOME: tmpdir() } })).stdout.trim();

describe("commits.signing: github", () => {
  const branch = "backend-go/issue-1";
  let first: string;

  it("creates the commit through the API: exactly the change, author and trailer kept, Verified", async () => {
    const pushesBefore = pushes();
    const ws = signedWorkspace(branch);
    try {
      const p = await ws.prepare();
      await writeFile(join(p.dir, "ledger.go"), "package ledger\n\nfunc Balance() int { return 0 }\n");
      await writeFile(join(p.dir, "balance.go"), "package ledger\n");
      await writeFile(join(p.dir, "logo.bin"), BINARY);
      await writeFile(join(p.dir, "run.sh"), "#!/bin/sh\necho hi\n");
      await chmod(join(p.dir, "run.sh"), 0o755);
      await unlink(join(p.dir, "doomed.txt"));
      const sha = await ws.commit({ message: "Add a balance\n\nBody.\n", author: author(), coAuthor });
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      // Nothing is on the branch until push moves the ref.
      expect(await gh.git.revParse("acme/ledger", branch)).toBeUndefined();
      expect(await ws.push()).toEqual({ pushed: true });
      first = sha as string;
    } finally {
      await ws.dispose?.();
    }
    expect(pushes()).toBe(pushesBefore);
    expect(await gh.git.revParse("acme/ledger", branch)).toBe(first);
    const files = await gh.git.diffFiles("acme/ledger", "main", branch);
    expect(files.map((f) => [f.filename, f.status]).sort()).toEqual([
      ["balance.go", "added"],
      ["doomed.txt", "removed"],
      ["ledger.go", "modified"],
      ["logo.bin", "added"],
      ["run.sh", "added"],
    ]);

    const clone = await mkdtemp(join(tmpdir(), "signed-clone-"));
    try {
      await run("git", ["clone", "--quiet", "--branch", branch, gh.cloneUrl("acme", "ledger"), clone], {
        env: {
          PATH: process.env.PATH,
          HOME: tmpdir(),
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_COUNT: "1",
          GIT_CONFIG_KEY_0: "http.extraHeader",
          GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${await token()}`).toString("base64")}`,
        },
      });
      expect(await readFile(join(clone, "logo.bin"))).toEqual(BINARY);
      expect(await git(clone, "ls-files", "-s", "run.sh")).toMatch(/^100755 /);
      expect(await git(clone, "log", "-1", "--format=%an <%ae>")).toBe(
        `${author().name} <${author().email}>`,
      );
      const message = await git(clone, "log", "-1", "--format=%B");
      expect(message).toContain("Add a balance");
      expect(message).toContain("Co-authored-by: Alice <alice@example.com>");
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
    const commit = await api.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...REPO, ref: first });
    expect(commit.data.commit.verification).toMatchObject({ verified: true, reason: "valid" });
  }, 60_000);

  it("a second run on the branch adds one commit on top", async () => {
    const ws = signedWorkspace(branch);
    let second: string | null;
    try {
      const p = await ws.prepare();
      expect(p).toMatchObject({ startedFrom: "remote-branch", baseSha: first });
      await writeFile(join(p.dir, "balance.go"), "package ledger\n\n// Balance is kept.\n");
      second = await ws.commit({ message: "Document the balance", author: author() });
      await ws.push();
    } finally {
      await ws.dispose?.();
    }
    expect(await gh.git.revParse("acme/ledger", branch)).toBe(second);
    const parents = await api.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
      ...REPO,
      commit_sha: second as string,
    });
    expect(parents.data.parents.map((c) => c.sha)).toEqual([first]);
    const files = await gh.git.diffFiles("acme/ledger", first, branch);
    expect(files.map((f) => f.filename)).toEqual(["balance.go"]);
  }, 60_000);

  it("a change over the API's limits fails clearly and leaves the branch where it was", async () => {
    const before = await gh.git.revParse("acme/ledger", branch);
    const blobsBefore = gh.state.requests.filter((r) => r.path.endsWith("/git/blobs")).length;
    const ws = signedWorkspace(branch, { ...API_COMMIT_LIMITS, maxBlobBytes: 1024 });
    try {
      const p = await ws.prepare();
      await writeFile(join(p.dir, "big.bin"), Buffer.alloc(4096, 1));
      const err = await ws.commit({ message: "Too big", author: author() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiCommitTooLarge);
      expect((err as Error).message).toMatch(
        /big\.bin \(4\.0 KB\) exceeds GitHub's 1\.0 KB limit.*nothing was pushed/,
      );
      expect(await ws.push()).toEqual({ pushed: false });
    } finally {
      await ws.dispose?.();
    }
    expect(await gh.git.revParse("acme/ledger", branch)).toBe(before);
    expect(gh.state.requests.filter((r) => r.path.endsWith("/git/blobs")).length).toBe(blobsBefore);
  }, 60_000);

  it("a branch that moved meanwhile is not overwritten: the ref update is rejected like a push", async () => {
    const ws = signedWorkspace(branch);
    try {
      const p = await ws.prepare();
      await writeFile(join(p.dir, "race.go"), "package ledger\n");
      await ws.commit({ message: "Race", author: author() });
      const moved = await gh.git.commitFiles("acme/ledger", branch, { "other.go": "package ledger\n" });
      const err = await ws.push().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitWorkspaceError);
      expect(err).toMatchObject({ code: "push-rejected" });
      expect(await gh.git.revParse("acme/ledger", branch)).toBe(moved);
    } finally {
      await ws.dispose?.();
    }
  }, 60_000);

  it("a change larger than one tree request is sent in chained batches and still lands as one commit", async () => {
    const ws = signedWorkspace("backend-go/issue-2", {
      ...API_COMMIT_LIMITS,
      treeBatch: 2,
      blobConcurrency: 1,
    });
    const names = Array.from({ length: 7 }, (_, i) => `pkg/f${i}.go`);
    const treesBefore = gh.state.requests.filter((r) => r.path.endsWith("/git/trees")).length;
    let sha: string | null;
    try {
      const p = await ws.prepare();
      await mkdir(join(p.dir, "pkg"));
      for (const name of names) await writeFile(join(p.dir, name), `package pkg // ${name}\n`);
      sha = await ws.commit({ message: "Many files", author: author() });
      await ws.push();
    } finally {
      await ws.dispose?.();
    }
    expect(gh.state.requests.filter((r) => r.path.endsWith("/git/trees")).length - treesBefore).toBe(4);
    expect(await gh.git.revParse("acme/ledger", "backend-go/issue-2")).toBe(sha);
    const files = await gh.git.diffFiles("acme/ledger", "main", "backend-go/issue-2");
    expect(files.map((f) => f.filename).sort()).toEqual(names);
    const last = await gh.git.readPath("acme/ledger", "backend-go/issue-2", "pkg/f6.go");
    expect(last?.type === "file" && last.content.toString("utf8")).toBe("package pkg // pkg/f6.go\n");
  }, 60_000);

  it("mode git leaves the workspace as it is", () => {
    const inner = createRemoteWorkspace(
      { dataDir, jobId: "plain", token },
      { cloneUrl: gh.cloneUrl("acme", "ledger"), baseBranch: "main", workBranch: "x" },
    );
    expect(withCommitSigning("git", api, REPO)(inner)).toBe(inner);
  });
});
