// What a repository's own content can try: its configuration naming an option as a branch,
// git attributes and config files that would run programs, and sheer size (10,000 files).
// In process: a real Probot against the GitHub stand-in (REST and git http-backend), the
// scripted model through the real SDK, real git and Go.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { TaskRequest } from "../../src/pipeline/task.js";
import type { GitHubStandIn } from "../support/github-server.js";
import { issuesLabeled } from "../support/github-webhooks.js";
import { type InProcessJobs, startInProcessJobs } from "../support/job-handler.js";
import {
  GO_ENGINEER_SECTIONS,
  type RecordedRequest,
  report,
  type ScriptedModelServer,
  say,
  tool,
  toolResults,
} from "../support/scripted-model.js";

const OWNER = "acme";
const MODULE = {
  "go.mod": "module example.com/vault\n\ngo 1.21\n",
  "vault/vault.go": 'package vault\n\n// Name of the package.\nconst Name = "vault"\n',
};

let jobs: InProcessJobs;
let gh: GitHubStandIn;
let model: ScriptedModelServer;
let scratch: string;
let n = 0;

beforeAll(async () => {
  jobs = await startInProcessJobs();
  ({ gh, model } = jobs);
  scratch = await mkdtemp(join(tmpdir(), "bga-sec-markers-"));
}, 60_000);

afterAll(async () => {
  await jobs?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function repoWith(name: string, files: Record<string, string>): Promise<void> {
  await gh.createRepo(OWNER, name);
  await gh.git.commitFiles(`${OWNER}/${name}`, "main", { ...MODULE, ...files });
  gh.setPermission(OWNER, name, "alice", "write");
}

function labelTask(
  repo: string,
  forge?: (payload: { repository: Record<string, unknown> }) => void,
): TaskRequest {
  const issue = gh.createIssue(OWNER, repo, { title: "Add a Version constant", user: "alice" });
  const payload = issuesLabeled(gh, {
    owner: OWNER,
    repo,
    number: issue.number,
    label: "backend-go",
  });
  forge?.(payload as unknown as { repository: Record<string, unknown> });
  return jobs.task("issues", payload);
}

const run = (task: TaskRequest) => jobs.run(task);

const trackingOf = (repo: string, number: number) =>
  gh.state
    .commentsOn(OWNER, repo, number)
    .find((c) => c.user.login === gh.bot.login && c.body.includes("backend-go-agent:tracking"));

const VERSION_FILE = {
  path: "vault/version.go",
  content: 'package vault\n\n// Version of the vault package.\nconst Version = "1.0.0"\n',
};

describe("a repository's own content", () => {
  it.each([
    ["an option", "--upload-pack=touch /tmp/bga-pwned-upload-pack"],
    ["a range", "main..evil"],
  ])(
    "a configuration whose base branch is %s is refused by name before any git runs",
    async (_what, branch) => {
      const repo = `config-${++n}`;
      await repoWith(repo, { ".github/backend-go-agent.yml": `base_branch: "${branch}"\n` });
      const task = labelTask(repo);
      const gitBefore = gh.git.requests.length;
      const modelBefore = model.requests.length;
      const handled = await run(task);
      expect(handled).toMatchObject({
        disposition: { kind: "failed", reason: expect.stringMatching(/base_branch/) },
      });
      const track = trackingOf(repo, task.target.number)!;
      expect(track.body).toContain(".github/backend-go-agent.yml");
      expect(track.body).toContain("base_branch");
      expect(gh.git.requests.length).toBe(gitBefore);
      expect(model.requests.length).toBe(modelBefore);
      expect(existsSync("/tmp/bga-pwned-upload-pack")).toBe(false);
    },
  );

  it("git attributes, an .lfsconfig, a .gitconfig and .gitmodules that would run programs run none, and the job still pushes", async () => {
    const marker = (what: string) => join(scratch, `ran-${what}`);
    const sh = (what: string) => `sh -c 'touch ${marker(what)}'`;
    await repoWith("attributes", {
      ".gitattributes": "* filter=evil diff=evil merge=evil\n*.go text eol=lf\n",
      ".lfsconfig": `[lfs]\n\turl = ext::${sh("lfs")}\n[filter "lfs"]\n\tclean = ${sh("lfs-clean")}\n`,
      ".gitconfig": `[core]\n\tfsmonitor = ${sh("fsmonitor")}\n\thooksPath = .githooks\n[filter "evil"]\n\tclean = ${sh("clean")}\n\tsmudge = ${sh("smudge")}\n`,
      ".gitmodules": `[submodule "x"]\n\tpath = x\n\turl = ext::${sh("submodule")}\n`,
      ".githooks/pre-commit": `#!/bin/sh\ntouch ${marker("hook")}\n`,
    });
    const task = labelTask("attributes");
    model.add(tool("write_file", VERSION_FILE), say(report(GO_ENGINEER_SECTIONS, "Added vault.Version.")));
    await run(task);
    const branch = `backend-go/issue-${task.target.number}`;
    expect(await gh.git.revParse(`${OWNER}/attributes`, branch)).toBeDefined();
    expect(
      execFileSync("git", ["ls-tree", "-r", "--name-only", branch], {
        cwd: gh.git.gitDir(`${OWNER}/attributes`),
        encoding: "utf8",
      }),
    ).toContain("vault/version.go");
    for (const what of ["lfs", "lfs-clean", "fsmonitor", "clean", "smudge", "submodule", "hook"]) {
      expect(existsSync(marker(what))).toBe(false);
    }
  }, 120_000);

  it("a payload naming a clone URL on another host (a leaked webhook secret): the token never goes there", async () => {
    await repoWith("forged", {});
    const seen: { url?: string; auth?: string }[] = [];
    const evil = createServer((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      res.writeHead(404).end();
    });
    evil.listen(0, "127.0.0.1");
    await once(evil, "listening");
    try {
      const port = (evil.address() as AddressInfo).port;
      const task = labelTask("forged", (payload) => {
        payload.repository.clone_url = `http://127.0.0.1:${port}/git/${OWNER}/forged.git`;
        payload.repository.default_branch = "attacker-branch";
      });
      expect(JSON.stringify(task)).not.toContain(`127.0.0.1:${port}`);
      model.add(tool("write_file", VERSION_FILE), say(report(GO_ENGINEER_SECTIONS, "Added vault.Version.")));
      await run(task);
      expect(seen).toEqual([]);
      expect(
        await gh.git.revParse(`${OWNER}/forged`, `backend-go/issue-${task.target.number}`),
      ).toBeDefined();
    } finally {
      evil.close();
    }
  }, 120_000);

  it("a 10,000-file repository: the clone works, every tool answers in bounded size, and the job finishes", async () => {
    await gh.createRepo(OWNER, "huge");
    const work = await mkdtemp(join(tmpdir(), "bga-sec-huge-"));
    try {
      for (const [path, content] of Object.entries(MODULE)) {
        mkdirSync(join(work, path, ".."), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      for (let d = 0; d < 100; d++) {
        mkdirSync(join(work, "data", `d${d}`), { recursive: true });
        for (let f = 0; f < 100; f++)
          writeFileSync(join(work, "data", `d${d}`, `f${f}.txt`), `needle ${d}/${f}\n`);
      }
      const git = (...args: string[]) =>
        execFileSync("git", args, {
          cwd: work,
          env: {
            PATH: process.env.PATH,
            HOME: work,
            GIT_CONFIG_NOSYSTEM: "1",
            GIT_AUTHOR_NAME: "Fixture",
            GIT_AUTHOR_EMAIL: "fixture@example.com",
            GIT_COMMITTER_NAME: "Fixture",
            GIT_COMMITTER_EMAIL: "fixture@example.com",
            // No background gc or maintenance after a 10,000-file commit: it would still be
            // writing into .git while the directory is removed.
            GIT_CONFIG_COUNT: "2",
            GIT_CONFIG_KEY_0: "gc.auto",
            GIT_CONFIG_VALUE_0: "0",
            GIT_CONFIG_KEY_1: "maintenance.auto",
            GIT_CONFIG_VALUE_1: "false",
          },
        });
      git("init", "-q", "-b", "main");
      git("add", "-A");
      git("commit", "-q", "-m", "10,000 files");
      git("push", "-q", "--force", gh.git.gitDir(`${OWNER}/huge`), "main");
    } finally {
      await rm(work, { recursive: true, force: true, maxRetries: 3 });
    }
    gh.setPermission(OWNER, "huge", "alice", "write");
    const task = labelTask("huge");
    const seen: Record<string, string> = {};
    const keep = (name: string) => (req: RecordedRequest) => {
      seen[name] = toolResults(req)[0]?.content ?? "";
    };
    model.add(
      tool("list_files", { depth: 3 }),
      (req) => {
        keep("list")(req);
        return tool("search_code", { pattern: "needle" });
      },
      (req) => {
        keep("search")(req);
        return tool("write_file", VERSION_FILE);
      },
      say(report(GO_ENGINEER_SECTIONS, "Added vault.Version.")),
    );
    await run(task);
    expect(seen.list).toMatch(/^Repository root: 10002 files/);
    expect(seen.list!.split("\n").length).toBeLessThan(520);
    expect(seen.search).toMatch(/^10000 matches/);
    expect(seen.search).toMatch(/\[\.\.\. 9800 more matches not shown; narrow the pattern, path or glob\]/);
    expect(seen.search!.length).toBeLessThan(31_000);
    const pr = gh.state
      .pulls(OWNER, "huge")
      .find((p) => p.pull?.head === `backend-go/issue-${task.target.number}`);
    expect(pr?.body).toContain("Added vault.Version.");
    expect(pr?.body).toContain("Files Changed");
  }, 180_000);
});
