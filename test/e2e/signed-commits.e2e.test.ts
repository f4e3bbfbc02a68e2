// End to end with `commits.signing: github`: the real app process commits through the
// GitHub stand-in's Git database API instead of `git push`, the branch holds exactly the
// change (a fresh clone shows it), GitHub marks the commit Verified, the check run and the
// PR name the API commit, and a second run adds one commit on top.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { BALANCE_HANDLER, BALANCE_ROUTE_EDIT, BALANCE_TEST } from "../agent/ledger-code.js";
import type { GitHubStandIn } from "../support/github-server.js";
import { issuesLabeled } from "../support/github-webhooks.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import {
  callTools,
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptedModelServer,
  say,
  tool,
} from "../support/scripted-model.js";
import { type E2EWorld, startWorld } from "./world.js";

const OWNER = "acme";
const REPO = "signed";
const FULL = `${OWNER}/${REPO}`;

let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;

beforeAll(async () => {
  world = await startWorld();
  ({ gh, model } = world);
  await gh.createRepo(OWNER, REPO, { fromDir: LEDGER_FIXTURE });
  await gh.git.commitFiles(FULL, "main", {
    ".github/backend-go-agent.yml": 'commits:\n  signing: github\nprotected_paths:\n  - "deploy/**"\n',
    "NOTES.md": "Old notes, to be removed.\n",
  });
  gh.setPermission(OWNER, REPO, "alice", "write");
  await world.startApp();
}, 120_000);

afterAll(() => world?.close());

const finishedJob = (deliveryId: string) => world.finishedJob(deliveryId, 230_000);

const label = (number: number) =>
  world.deliver(
    "issues",
    issuesLabeled(gh, { owner: OWNER, repo: REPO, number, label: "backend-go", sender: "alice" }),
  );

const receivePacks = () => gh.git.requests.filter((r) => r.url.includes("git-receive-pack")).length;
const gitOut = (...args: string[]) =>
  execFileSync("git", args, { cwd: gh.git.gitDir(FULL), encoding: "utf8" }).trim();

describe("signed commits end to end", () => {
  const branch = "backend-go/issue-1";
  let first: string | undefined;

  it("a job's commit is created through the API: exactly the change, Verified, no git push", async () => {
    const issue = gh.createIssue(OWNER, REPO, { title: "Add a balance endpoint", user: "alice" });
    model.add(
      callTools(
        { name: "write_file", input: { path: "api/balance.go", content: BALANCE_HANDLER } },
        { name: "write_file", input: { path: "api/balance_test.go", content: BALANCE_TEST } },
        { name: "edit_file", input: BALANCE_ROUTE_EDIT },
        { name: "delete_file", input: { path: "NOTES.md" } },
        // A protected path: the tool refuses it and nothing of it reaches the branch.
        { name: "write_file", input: { path: "deploy/prod.yaml", content: "replicas: 0\n" } },
      ),
      say(report(GO_ENGINEER_SECTIONS, "Added GET /accounts/balance.")),
    );
    const job = await finishedJob(await label(issue.number));
    expect(job).toMatchObject({ status: "succeeded" });
    expect(receivePacks()).toBe(0);

    first = await gh.git.revParse(FULL, branch);
    expect(first).toBeDefined();
    const files = await gh.git.diffFiles(FULL, "main", branch);
    expect(files.map((f) => [f.filename, f.status]).sort()).toEqual([
      ["NOTES.md", "removed"],
      ["api/balance.go", "added"],
      ["api/balance_test.go", "added"],
      ["api/server.go", "modified"],
    ]);
    const log = gitOut("log", "-1", "--format=%an <%ae>|%cn|%B", branch);
    expect(log).toContain(`${gh.app.slug}[bot]`);
    expect(log).toContain("|GitHub|");
    expect(log).toContain("Added GET /accounts/balance");
    expect(log).toMatch(/Co-authored-by: alice <\d+\+alice@users\.noreply\.github\.com>/);

    const commitWrite = gh.state.requests.find((r) => r.method === "POST" && r.path.endsWith("/git/commits"));
    expect(commitWrite?.status).toBe(201);
    const pr = gh.state.pulls(OWNER, REPO).find((p) => p.pull?.head === branch);
    expect(pr).toBeDefined();
    expect(gh.state.checkRuns.find((c) => c.headSha === first)).toMatchObject({ status: "completed" });
    gh.acceptToken("ghs_e2e_reader");
    const res = await fetch(`${gh.apiUrl}/repos/${FULL}/commits/${first}`, {
      headers: { authorization: "token ghs_e2e_reader" },
    });
    const commit = (await res.json()) as { commit: { verification: { verified: boolean } } };
    expect(commit.commit.verification.verified).toBe(true);
  }, 240_000);

  it("a second run on the same branch adds one API commit on top", async () => {
    model.add(
      tool("write_file", {
        path: "api/doc.go",
        content: "// Package api serves the ledger over HTTP.\npackage api\n",
      }),
      say(report(GO_ENGINEER_SECTIONS, "Documented the api package.")),
    );
    const job = await finishedJob(await label(1));
    expect(job.status).toBe("succeeded");
    expect(receivePacks()).toBe(0);
    const head = await gh.git.revParse(FULL, branch);
    expect(head).not.toBe(first);
    expect(gitOut("rev-parse", `${head}^`)).toBe(first);
    expect(Number(gitOut("rev-list", "--count", `main..${branch}`))).toBe(2);
    expect(gitOut("diff", "--name-only", `${first}`, `${head}`)).toBe("api/doc.go");
  }, 240_000);
});
