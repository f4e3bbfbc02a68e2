// The failing check as the agent reads it: output, annotations, and the Actions log from the
// failed step, clipped at its end; without `actions: read` a note instead of the log.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ProbotOctokit } from "probot";
import type { GitHubClient } from "../../src/github/auth/client.js";
import { failingCheckMaterial } from "../../src/github/context/check-context.js";
import type { CiFailureTrigger } from "../../src/pipeline/task.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import { checkRunCompleted } from "../support/github-webhooks-follow-up.js";

let gh: GitHubStandIn;
let client: GitHubClient;

beforeAll(async () => {
  gh = await startGitHubServer();
  await gh.createRepo("acme", "ledger");
  gh.acceptToken("ghs_check_context");
  client = new (ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }))({
    auth: { token: "ghs_check_context" },
    baseUrl: gh.apiUrl,
  }) as GitHubClient;
});

afterAll(() => gh.close());

async function failing(log?: { text: string; failedStep: string }): Promise<CiFailureTrigger> {
  const sha = (await gh.git.revParse("acme/ledger", "main"))!;
  const payload = await checkRunCompleted(gh, {
    owner: "acme",
    repo: "ledger",
    headSha: sha,
    name: "test",
    output: { title: "2 failed", summary: "go test failed <!-- hidden -->" },
    annotations: [
      { path: "api/server.go", startLine: 9, endLine: 9, level: "failure", message: "want 200, got 500" },
    ],
    ...(log ? { log } : {}),
  });
  return {
    kind: "ci_failure",
    actor: "github-actions[bot]",
    instruction: "",
    at: new Date().toISOString(),
    checkRunId: payload.check_run.id,
    checkName: "test",
    headSha: sha,
    conclusion: "failure",
    checkApp: { slug: "github-actions" },
  };
}

describe("failing check material", () => {
  it("holds the output, the annotations and the failed step's log, clipped at its end", async () => {
    const noise = Array.from({ length: 5000 }, (_, i) => `line ${i} of setup`).join("\n");
    const trigger = await failing({
      failedStep: "Run go test",
      text: `##[group]Set up job\n${noise}\n##[endgroup]\n##[group]Run go test ./...\n${noise}\n--- FAIL: TestBalance\n##[error]Process completed with exit code 1.\n`,
    });
    const m = await failingCheckMaterial(client, { owner: "acme", repo: "ledger" }, trigger);
    expect(m.text).toContain("go test failed");
    expect(m.text).not.toContain("hidden");
    expect(m.text).toContain('<annotation path="api/server.go" line="9" level="failure">want 200, got 500');
    expect(m.text).toContain('<failed_step_log step="Run go test">');
    expect(m.text).toContain("--- FAIL: TestBalance");
    expect(m.text).toMatch(/earlier lines? cut/);
    expect(m.text.length).toBeLessThan(25_000);
    expect(m.paths).toEqual(["api/server.go"]);
  });

  it("says the log needs actions: read when the installation may not read it", async () => {
    const trigger = await failing({ failedStep: "Run go test", text: "##[error]boom\n" });
    gh.state.actionsReadable = false;
    try {
      const m = await failingCheckMaterial(client, { owner: "acme", repo: "ledger" }, trigger);
      expect(m.text).toContain("`actions: read`");
      expect(m.text).toContain("want 200, got 500");
    } finally {
      gh.state.actionsReadable = true;
    }
  });
});
