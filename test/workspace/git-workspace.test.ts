import { access, readFile, realpath, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { botIdentity, GitWorkspace, type TokenProvider } from "../../src/workspace/git-workspace.js";
import { GitWorkspaceError } from "../../src/workspace/workspace-errors.js";
import { git } from "../support/git-repos.js";
import {
  basicAuthValue,
  type Fixture,
  filesContainingToken,
  freshClone,
  REPO,
  setup,
  TOKEN,
} from "./helpers.js";

const BOT = botIdentity("backend-go-agent", 4242);
const ALICE = { name: "alice", email: "100+alice@users.noreply.github.com" };

let fx: Fixture;
beforeEach(async () => {
  fx = await setup();
});
afterEach(async () => {
  await fx.cleanup();
});

function workspace(jobId: string, token: TokenProvider = async () => TOKEN) {
  return new GitWorkspace({ dataDir: fx.dataDir, jobId, token });
}

describe("GitWorkspace against a real git http-backend", () => {
  it("clones, commits as the bot with a co-author trailer, pushes, and a fresh clone sees it", async () => {
    const ws = workspace("job-1");
    const prep = await ws.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-42",
    });
    expect(prep.startedFrom).toBe("base-branch");
    expect(prep.baseSha).toBe(await fx.server.backend.revParse(REPO, "main"));
    expect(prep.dir).toBe(join(await realpath(fx.dataDir), "work", "acme", "ledger", "0"));
    expect(await readFile(join(prep.dir, "ledger.go"), "utf8")).toContain("func Balance()");

    await writeFile(join(prep.dir, "balance.go"), "package ledger\n\nconst Zero = 0\n");
    const sha = await ws.commit({ message: "Add a balance constant", author: BOT, coAuthor: ALICE });
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await ws.push()).toEqual({ branch: "backend-go/issue-42", sha });
    await ws.dispose();

    expect(await fx.server.backend.revParse(REPO, "backend-go/issue-42")).toBe(sha);
    const clone = await freshClone(fx.cloneUrl, "backend-go/issue-42");
    try {
      expect(await readFile(join(clone, "balance.go"), "utf8")).toContain("const Zero = 0");
      const log = (await git(["-C", clone, "log", "-1", "--format=%an <%ae>%n%cn%n%B"])).toString();
      expect(log).toContain("backend-go-agent[bot] <4242+backend-go-agent[bot]@users.noreply.github.com>");
      expect(log).toContain(
        "Add a balance constant\n\nCo-authored-by: alice <100+alice@users.noreply.github.com>",
      );
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
    // dispose removed the worktree and the private HOME.
    await expect(access(prep.dir)).rejects.toThrow();
  });

  it("keeps the token out of URLs, config files and every file under the data dir", async () => {
    const ws = workspace("job-secret");
    const prep = await ws.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-7",
    });
    await writeFile(join(prep.dir, "x.go"), "package ledger\n");
    await ws.commit({ message: "x", author: BOT });
    await ws.push();

    const cacheConfig = await readFile(join(fx.dataDir, "repos", "acme", "ledger", "config"), "utf8");
    expect(cacheConfig).toContain(fx.cloneUrl);
    expect(await filesContainingToken(fx.dataDir, TOKEN)).toEqual([]);

    const { requests, authHeaders } = fx.server.backend;
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.every((r) => r.authorized && !r.url.includes(TOKEN))).toBe(true);
    expect(requests.some((r) => r.url.includes("git-receive-pack"))).toBe(true);
    expect(new Set(authHeaders)).toEqual(new Set([`basic ${basicAuthValue(TOKEN)}`]));
    await ws.dispose();
    expect(await filesContainingToken(fx.dataDir, TOKEN)).toEqual([]);
  });

  it("fetches a fresh token for the push, asks once more when it is refused, and scrubs refused ones from the error", async () => {
    const wrong = "ghs_wrongTokenThatTheServerRefuses0001";
    const handed: string[] = [];
    const refusedSeen: (string | undefined)[] = [];
    const ws = workspace("job-wrong", async (opts) => {
      const token = handed.length === 0 ? TOKEN : wrong;
      handed.push(token);
      refusedSeen.push(opts?.refused);
      return token;
    });
    const prep = await ws.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-8",
    });
    await writeFile(join(prep.dir, "y.go"), "package ledger\n");
    await ws.commit({ message: "y", author: BOT });

    const err = await ws.push().then(
      () => undefined,
      (e: unknown) => e,
    );
    // The push's token was refused: the provider is told which, once, and git tries again.
    expect(handed).toEqual([TOKEN, wrong, wrong]);
    expect(refusedSeen).toEqual([undefined, undefined, wrong]);
    expect(err).toBeInstanceOf(GitWorkspaceError);
    const e = err as GitWorkspaceError;
    expect(e.code).toBe("auth-failed");
    const everything = `${e.message}\n${e.stack}\n${JSON.stringify(e)}\n${String(e.cause)}`;
    for (const secret of [wrong, basicAuthValue(wrong), TOKEN, basicAuthValue(TOKEN)]) {
      expect(everything).not.toContain(secret);
    }
    expect(fx.server.backend.authHeaders).toContain(`basic ${basicAuthValue(wrong)}`);
    expect(await fx.server.backend.revParse(REPO, "backend-go/issue-8")).toBeUndefined();
    await ws.dispose();
  });

  it("refuses a clone with a bad token, with the token scrubbed, and leaves no worktree behind", async () => {
    const wrong = "ghs_anotherWrongTokenForTheClone000001";
    const ws = workspace("job-bad-clone", async () => wrong);
    const err = await ws
      .prepare({ cloneUrl: fx.cloneUrl, baseBranch: "main", workBranch: "backend-go/issue-10" })
      .then(
        () => undefined,
        (e: unknown) => e as GitWorkspaceError,
      );
    expect(err).toMatchObject({ code: "auth-failed" });
    expect(`${err?.message}\n${err?.stack}`).not.toContain(basicAuthValue(wrong));
    expect(`${err?.message}\n${err?.stack}`).not.toContain(wrong);
    expect(fx.server.backend.requests.map((r) => r.status)).toContain(401);
    await expect(access(join(fx.dataDir, "work", "acme", "ledger", "0"))).rejects.toThrow();
    expect(await filesContainingToken(fx.dataDir, wrong)).toEqual([]);
  });

  it("continues an issue branch that exists on the remote, and fast-forwards it", async () => {
    const existing = await fx.server.backend.commitFiles(
      REPO,
      "backend-go/issue-42",
      { "first.go": "package ledger\n// first run\n" },
      { from: "main" },
    );
    // main moves on after the branch was made: the job must still start from the branch.
    await fx.server.backend.commitFiles(REPO, "main", { "later.go": "package ledger\n" });

    const ws = workspace("job-rerun");
    const prep = await ws.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-42",
    });
    expect(prep).toMatchObject({ startedFrom: "remote-branch", baseSha: existing });
    expect(await readFile(join(prep.dir, "first.go"), "utf8")).toContain("first run");
    await writeFile(join(prep.dir, "second.go"), "package ledger\n");
    const sha = await ws.commit({ message: "second run", author: BOT });
    await ws.push();
    await ws.dispose();

    const parent = (
      await git(["--git-dir", fx.server.backend.gitDir(REPO), "rev-parse", `${sha}^`])
    ).toString();
    expect(parent.trim()).toBe(existing);
  });

  it("checks out a PR's existing head branch and refuses one that is missing", async () => {
    const head = await fx.server.backend.commitFiles(
      REPO,
      "feature/wallet",
      { "w.go": "package ledger\n" },
      { from: "main" },
    );
    const ws = workspace("job-pr");
    const prep = await ws.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "feature/wallet",
      existingBranch: true,
    });
    expect(prep).toMatchObject({ branch: "feature/wallet", baseSha: head, startedFrom: "remote-branch" });
    await ws.dispose();

    // "feature/deleted" is gone; "feature/deleted/v2" (a longer name) must not stand in for it.
    await fx.server.backend.commitFiles(
      REPO,
      "feature/deleted/v2",
      { "v2.go": "package ledger\n" },
      { from: "main" },
    );
    const gone = workspace("job-pr-gone");
    await expect(
      gone.prepare({
        cloneUrl: fx.cloneUrl,
        baseBranch: "main",
        workBranch: "feature/deleted",
        existingBranch: true,
      }),
    ).rejects.toMatchObject({ code: "branch-missing" });
    await gone.dispose();
  });

  it("lists changes against the start point, untracked included and ignored files left out", async () => {
    const ws = workspace("job-changes");
    const prep = await ws.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-9",
    });
    expect(await ws.changedFiles()).toEqual([]);
    expect(await ws.commit({ message: "nothing", author: BOT })).toBeNull();

    await writeFile(join(prep.dir, "ledger.go"), "package ledger\n\nfunc Balance() int { return 1 }\n");
    await writeFile(join(prep.dir, "new file.go"), "package ledger\n");
    await writeFile(join(prep.dir, "debug.log"), "ignored\n");
    await unlink(join(prep.dir, "go.mod"));
    const expected = [
      { path: "go.mod", status: "deleted" },
      { path: "ledger.go", status: "modified" },
      { path: "new file.go", status: "added" },
    ];
    expect(await ws.changedFiles()).toEqual(expected);
    // After the commit the list is still relative to where the job started.
    await ws.commit({ message: "changes", author: BOT });
    expect(await ws.changedFiles()).toEqual(expected);
    await ws.dispose();
  });

  it("runs two jobs on one repository side by side in separate worktrees", async () => {
    const a = workspace("job-a");
    const b = workspace("job-b");
    const [pa, pb] = await Promise.all([
      a.prepare({ cloneUrl: fx.cloneUrl, baseBranch: "main", workBranch: "backend-go/issue-1" }),
      b.prepare({ cloneUrl: fx.cloneUrl, baseBranch: "main", workBranch: "backend-go/issue-2" }),
    ]);
    expect(pa.dir).not.toBe(pb.dir);
    await writeFile(join(pa.dir, "a.go"), "package ledger\n");
    await writeFile(join(pb.dir, "b.go"), "package ledger\n");
    const [sa, sb] = await Promise.all([
      a.commit({ message: "a", author: BOT }).then(async (sha) => {
        await a.push();
        return sha;
      }),
      b.commit({ message: "b", author: BOT }).then(async (sha) => {
        await b.push();
        return sha;
      }),
    ]);
    await Promise.all([a.dispose(), b.dispose()]);
    expect(await fx.server.backend.revParse(REPO, "backend-go/issue-1")).toBe(sa);
    expect(await fx.server.backend.revParse(REPO, "backend-go/issue-2")).toBe(sb);
    expect(await fx.server.backend.readPath(REPO, "backend-go/issue-1", "b.go")).toBeUndefined();
  });

  it("puts a job in the lowest free slot of its repository, so later jobs reuse the same paths", async () => {
    const a = workspace("job-slot-a");
    const b = workspace("job-slot-b");
    const pa = await a.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-11",
    });
    const pb = await b.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-12",
    });
    const slots = join(await realpath(fx.dataDir), "work", "acme", "ledger");
    expect([pa.dir, pb.dir]).toEqual([join(slots, "0"), join(slots, "1")]);
    await writeFile(join(pa.dir, "left-behind.go"), "package ledger\n");
    await a.dispose();

    const c = workspace("job-slot-c");
    const pc = await c.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-13",
    });
    expect(pc.dir).toBe(join(slots, "0"));
    await expect(access(join(pc.dir, "left-behind.go"))).rejects.toThrow();
    await Promise.all([b.dispose(), c.dispose()]);
  });

  it("prunes a worktree whose directory is gone, and takes its slot", async () => {
    const gone = workspace("job-dir-gone");
    const pg = await gone.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-16",
    });
    await rm(pg.dir, { recursive: true, force: true });
    const next = workspace("job-after-gone");
    const pn = await next.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-17",
    });
    expect(pn.dir).toBe(pg.dir);
    expect(await readFile(join(pn.dir, "ledger.go"), "utf8")).toContain("package ledger");
    await next.dispose();
    await gone.dispose();
  });

  it("a late dispose of a job whose slot another job has taken leaves that job's worktree alone", async () => {
    const lost = workspace("job-lost-lease");
    const pl = await lost.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-14",
    });
    // Its worktree is gone (as after a crash, cleared by a restart); another job takes the slot.
    await git([
      "--git-dir",
      join(fx.dataDir, "repos", "acme", "ledger"),
      "worktree",
      "remove",
      "--force",
      pl.dir,
    ]);
    const other = workspace("job-other");
    const po = await other.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-15",
    });
    expect(po.dir).toBe(pl.dir);
    await lost.dispose();
    expect(await readFile(join(po.dir, "ledger.go"), "utf8")).toContain("package ledger");
    await other.dispose();
  });

  it("reuses the cache: a second job fetches only what is new", async () => {
    const first = workspace("job-first");
    await first.prepare({ cloneUrl: fx.cloneUrl, baseBranch: "main", workBranch: "backend-go/issue-3" });
    await first.dispose();
    const firstBytes = fx.server.backend.requests.reduce((n, r) => n + r.responseBytes, 0);
    const cacheMarker = join(fx.dataDir, "repos", "acme", "ledger", "cache-marker");
    await writeFile(cacheMarker, "kept");

    const before = fx.server.backend.requests.length;
    const second = workspace("job-second");
    await second.prepare({ cloneUrl: fx.cloneUrl, baseBranch: "main", workBranch: "backend-go/issue-4" });
    await second.dispose();
    const secondRequests = fx.server.backend.requests.slice(before);
    const secondBytes = secondRequests.reduce((n, r) => n + r.responseBytes, 0);

    expect(await readFile(cacheMarker, "utf8")).toBe("kept");
    expect(secondBytes).toBeLessThan(firstBytes);
    // The first job fetched commits and trees, then the checkout's blobs; the second only
    // listed refs, because nothing was new upstream.
    const commands = (rs: typeof secondRequests) => rs.map((r) => r.command).filter(Boolean);
    expect(commands(fx.server.backend.requests.slice(0, before))).toEqual(["ls-refs", "fetch", "fetch"]);
    expect(commands(secondRequests)).toEqual(["ls-refs"]);
    console.info(`workspace cache: first prepare ${firstBytes} bytes, second ${secondBytes} bytes`);
  });

  it("recovers when a crashed job left its worktree behind", async () => {
    const crashed = workspace("job-crash");
    await crashed.prepare({ cloneUrl: fx.cloneUrl, baseBranch: "main", workBranch: "backend-go/issue-5" });
    // No dispose: the process died. The retry uses the same job id and branch.
    const retry = workspace("job-crash");
    const prep = await retry.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-5",
    });
    expect(await readFile(join(prep.dir, "ledger.go"), "utf8")).toContain("package ledger");
    await retry.dispose();
    // The crashed instance's private HOME would be left in tmp by a real crash; not here.
    await crashed.dispose();
  });
});
