// What the agent reads about CI that is not a single check run, against the stand-in: a
// commit status (its context and description; its target only when that is a GitHub page of
// the repository, read through the API — never an outside URL), a check suite (its failing
// runs), and the other checks that failed on the same head.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ProbotOctokit } from "probot";
import type { GitHubClient } from "../../src/github/auth/client.js";
import { checkRunOfUrl, ciFailureMaterial } from "../../src/github/context/ci-context.js";
import type { CiFailureTrigger } from "../../src/pipeline/task.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import { checkRunCompleted, checkSuiteCompleted } from "../support/github-webhooks-follow-up.js";

let gh: GitHubStandIn;
let client: GitHubClient;
let sha: string;
const repo = { owner: "acme", repo: "ledger" };

beforeAll(async () => {
  gh = await startGitHubServer();
  await gh.createRepo("acme", "ledger");
  gh.acceptToken("ghs_ci_context");
  client = new (ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }))({
    auth: { token: "ghs_ci_context" },
    baseUrl: gh.apiUrl,
  }) as GitHubClient;
  sha = (await gh.git.revParse("acme/ledger", "main"))!;
});

afterAll(() => gh.close());

function status(targetUrl: string | undefined): CiFailureTrigger {
  return {
    kind: "ci_failure",
    source: "status",
    actor: "jenkins-ci[bot]",
    instruction: "fix",
    at: "",
    checkRunId: 1,
    checkName: "ci/jenkins: build",
    headSha: sha,
    conclusion: "failure",
    checkApp: { slug: "jenkins-ci" },
    description: "Build #12 failed: TestBalance",
    ...(targetUrl ? { targetUrl } : {}),
  };
}

describe("a failing status as material", () => {
  it("an outside target: the context and description, the URL named but never fetched", async () => {
    const before = gh.state.requests.length;
    const m = await ciFailureMaterial(client, repo, status("https://jenkins.example.com/job/12"), {
      webOrigin: gh.url,
    });
    expect(m.text).toContain('context="ci/jenkins: build"');
    expect(m.text).toContain("Description: Build #12 failed: TestBalance");
    expect(m.text).toContain("https://jenkins.example.com/job/12 (outside GitHub, so not read");
    // Only GitHub's API was asked (the head's other checks), nothing about the target.
    expect(gh.state.requests.slice(before).map((r) => r.path)).toEqual([
      `/repos/acme/ledger/commits/${sha}/check-runs`,
    ]);
  });

  it("a GitHub Actions job page of this repository: its output, annotations and failed step's log", async () => {
    const payload = await checkRunCompleted(gh, {
      owner: "acme",
      repo: "ledger",
      headSha: sha,
      name: "build",
      output: { title: "1 failed", summary: "TestBalance failed" },
      annotations: [
        { path: "ledger/ledger.go", startLine: 5, endLine: 5, level: "failure", message: "want 300" },
      ],
      log: {
        failedStep: "Run go test",
        text: "##[group]Run go test\n--- FAIL: TestBalance\n##[error]exit 1\n",
      },
    });
    const id = payload.check_run.id;
    const url = `${gh.url}/acme/ledger/actions/runs/4/job/${id}`;
    const m = await ciFailureMaterial(client, repo, status(url), { webOrigin: gh.url });
    expect(m.text).toContain("Description: Build #12 failed");
    expect(m.text).toContain("TestBalance failed");
    expect(m.text).toContain("want 300");
    expect(m.text).toContain("--- FAIL: TestBalance");
    expect(m.paths).toEqual(["ledger/ledger.go"]);
    // The run the target named is not listed again among the head's other failures.
    expect(m.text).not.toContain("<other_failures");
  });

  it("reads only pages of this repository on GitHub's own host", () => {
    const web = "https://github.com";
    expect(checkRunOfUrl("https://github.com/acme/ledger/runs/42", repo, web)).toBe(42);
    expect(checkRunOfUrl("https://github.com/acme/ledger/actions/runs/9/job/43", repo, web)).toBe(43);
    expect(checkRunOfUrl("https://github.com/other/ledger/runs/42", repo, web)).toBeUndefined();
    expect(checkRunOfUrl("https://evil.example/acme/ledger/runs/42", repo, web)).toBeUndefined();
    expect(checkRunOfUrl("https://github.com/acme/ledger/runs/42/../../x", repo, web)).toBeUndefined();
    expect(checkRunOfUrl("not a url", repo, web)).toBeUndefined();
  });
});

describe("a failing check suite as material", () => {
  it("its failing runs' output, and the head's other failing checks by name", async () => {
    const head = (await gh.git.commitFiles(
      "acme/ledger",
      "feature",
      { "x.go": "package x\n" },
      { from: "main" },
    ))!;
    const payload = await checkSuiteCompleted(gh, {
      owner: "acme",
      repo: "ledger",
      headSha: head,
      runs: [
        { name: "circleci: test", output: { title: "go test failed", summary: "TestTransfer panicked" } },
      ],
    });
    await checkRunCompleted(gh, {
      owner: "acme",
      repo: "ledger",
      headSha: head,
      name: "golangci-lint",
      output: { title: "3 issues" },
    });
    const trigger: CiFailureTrigger = {
      kind: "ci_failure",
      source: "check_suite",
      actor: "circleci-checks[bot]",
      instruction: "fix",
      at: "",
      checkRunId: payload.check_suite.id,
      checkName: "circleci-checks",
      headSha: head,
      conclusion: "failure",
      checkApp: { slug: "circleci-checks" },
    };
    const m = await ciFailureMaterial(client, repo, trigger, { webOrigin: gh.url });
    expect(m.text).toContain("<failing_suite");
    expect(m.text).toContain("TestTransfer panicked");
    expect(m.text).toContain("<other_failures");
    expect(m.text).toContain("- golangci-lint (failure): 3 issues");
    expect(m.text).not.toContain("- circleci: test");
  });
});
