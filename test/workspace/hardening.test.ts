import { access, chmod, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { botIdentity, GitWorkspace } from "../../src/workspace/git-workspace.js";
import { InvalidBranchNameError } from "../../src/workspace/workspace-errors.js";
import { git } from "../support/git-repos.js";
import { type Fixture, REPO, setup, TOKEN } from "./helpers.js";

const BOT = botIdentity("backend-go-agent", 4242);
const HOOKS = [
  "post-checkout",
  "pre-commit",
  "commit-msg",
  "post-commit",
  "pre-push",
  "reference-transaction",
];

let fx: Fixture;
beforeEach(async () => {
  fx = await setup();
});
afterEach(async () => {
  await fx.cleanup();
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function installHooks(hooksDir: string, markerDir: string): Promise<void> {
  for (const hook of HOOKS) {
    const path = join(hooksDir, hook);
    await writeFile(path, `#!/bin/sh\ntouch '${join(markerDir, `ran-${hook}`)}'\n`);
    await chmod(path, 0o755);
  }
}

describe("GitWorkspace hardening", () => {
  it("refuses bad branch names before any git runs", async () => {
    const ws = new GitWorkspace({ dataDir: fx.dataDir, jobId: "job-bad", token: async () => TOKEN });
    for (const workBranch of [
      "--upload-pack=touch /tmp/x",
      "a..b",
      "has space",
      "x.lock",
      "a/",
      "@{-1}",
      "a\nb",
    ]) {
      await expect(
        ws.prepare({ cloneUrl: fx.cloneUrl, baseBranch: "main", workBranch }),
      ).rejects.toBeInstanceOf(InvalidBranchNameError);
    }
    await expect(
      ws.prepare({ cloneUrl: fx.cloneUrl, baseBranch: "-main", workBranch: "backend-go/issue-1" }),
    ).rejects.toBeInstanceOf(InvalidBranchNameError);
    expect(fx.server.backend.requests).toEqual([]);
    expect(await exists(join(fx.dataDir, "repos"))).toBe(false);
  });

  it("refuses clone URLs that are not plain http(s) or that carry credentials", async () => {
    const ws = new GitWorkspace({ dataDir: fx.dataDir, jobId: "job-url", token: async () => TOKEN });
    const urls = [
      `file://${fx.server.backend.gitDir(REPO)}`,
      "ext::sh -c touch% /tmp/pwned",
      fx.cloneUrl.replace("http://", `http://x-access-token:${TOKEN}@`),
      `${fx.cloneUrl}?x=1`,
    ];
    for (const cloneUrl of urls) {
      await expect(
        ws.prepare({ cloneUrl, baseBranch: "main", workBranch: "backend-go/issue-1" }),
      ).rejects.toMatchObject({ code: "invalid-url" });
    }
    await expect(
      ws
        .prepare({ cloneUrl: fx.cloneUrl, baseBranch: "main", workBranch: "backend-go/issue-1" })
        .then(() => ws.dispose()),
    ).resolves.toBeUndefined();
  });

  it("never initialises submodules and never runs hooks, even ones planted in the cache", async () => {
    const markers = fx.dataDir;
    const mainSha = (await fx.server.backend.revParse(REPO, "main"))!;
    await fx.server.backend.commitFiles(REPO, "main", {
      ".gitmodules": [
        '[submodule "evil"]',
        "\tpath = evil",
        `\turl = ext::sh -c touch% ${join(markers, "ran-submodule")}`,
        '[submodule "local"]',
        "\tpath = local",
        `\turl = ${fx.server.backend.gitDir(REPO)}`,
        "",
      ].join("\n"),
      evil: { gitlink: mainSha },
      local: { gitlink: mainSha },
      ".githooks/post-checkout": {
        content: `#!/bin/sh\ntouch '${join(markers, "ran-repo-hook")}'\n`,
        executable: true,
      },
    });

    const first = new GitWorkspace({ dataDir: fx.dataDir, jobId: "job-h1", token: async () => TOKEN });
    const p1 = await first.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-1",
    });
    expect(await readdir(join(p1.dir, "evil"))).toEqual([]);
    expect(await readdir(join(p1.dir, "local"))).toEqual([]);
    await first.dispose();

    // A tampered cache: hooks that would run on checkout, commit, push and ref updates.
    const cacheDir = join(fx.dataDir, "repos", "acme", "ledger");
    await installHooks(join(cacheDir, "hooks"), markers);
    const second = new GitWorkspace({ dataDir: fx.dataDir, jobId: "job-h2", token: async () => TOKEN });
    const p2 = await second.prepare({
      cloneUrl: fx.cloneUrl,
      baseBranch: "main",
      workBranch: "backend-go/issue-2",
    });
    await writeFile(join(p2.dir, "z.go"), "package ledger\n");
    expect(await second.commit({ message: "z", author: BOT })).not.toBeNull();
    await second.push();
    await second.dispose();

    const ran = (await readdir(markers)).filter((name) => name.startsWith("ran-"));
    expect(ran).toEqual([]);

    // Control: the planted hooks are real — plain git, without our config, runs them.
    await git(
      [
        "--git-dir",
        cacheDir,
        "worktree",
        "add",
        "--quiet",
        join(markers, "control"),
        "refs/remotes/origin/main",
      ],
      {
        env: {
          GIT_CONFIG_PARAMETERS: `'http.extraheader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}'`,
        },
      },
    );
    expect(await exists(join(markers, "ran-post-checkout"))).toBe(true);
  });
});
