import { describe, expect, it } from "@jest/globals";
import { renderPullRequestBody } from "../../src/github/publish/pr-body.js";
import { renderTracking } from "../../src/github/publish/tracking-comment.js";
import { commitMessage } from "../../src/pipeline/commit-message.js";

const sections = [
  { name: "Summary", body: "Added GET /accounts/{id}/balance. It returns minor units." },
  { name: "Implementation", body: "A handler over the ledger service." },
  { name: "Files Changed", body: "- `api/balance.go`" },
  { name: "Testing", body: "`go test ./...` passes." },
  { name: "Next Steps", body: "Pagination." },
];

const facts = {
  agent: { name: "backend-engineer-golang", version: "1.1.0" },
  model: "claude-opus-4-5",
  turns: 9,
  tokens: { input: 1200, output: 3400, cacheRead: 50_000, cacheWrite: 8000 },
  costUsd: 0.4321,
  durationMs: 95_000,
  actor: "alice",
};

describe("pull request body", () => {
  it("puts the report sections, the bot's verification and the footer in order", () => {
    const body = renderPullRequestBody({
      sections,
      verification: "### Verified by backend-go-agent\n| a |",
      closes: 42,
      facts,
    });
    const order = [
      "## Summary",
      "## Implementation",
      "## Files Changed",
      "## Testing",
      "## Next Steps",
      "### Verified by backend-go-agent",
      "Closes #42",
    ];
    const positions = order.map((h) => body.indexOf(h));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(body).toContain("backend-engineer-golang@1.1.0 · claude-opus-4-5 · 9 turns");
    expect(body).toContain("59,200 input / 3,400 output tokens (50,000 from cache) · $0.43 · 1.6 min");
    expect(body).toContain("triggered by @alice");
  });

  it("leaves out Closes on PR jobs", () => {
    expect(renderPullRequestBody({ sections, verification: "v", facts })).not.toContain("Closes #");
  });
});

describe("commit message", () => {
  it("takes the summary's first sentence as the subject and credits the trigger", () => {
    const msg = commitMessage(
      sections,
      "backend-go-agent changes",
      "alice <100+alice@users.noreply.github.com>",
    );
    expect(msg.split("\n")[0]).toBe("Added GET /accounts/{id}/balance");
    expect(msg).toContain("\n\nCo-authored-by: alice <100+alice@users.noreply.github.com>\n");
  });

  it("caps the subject at 72 characters and falls back without a summary", () => {
    const long = [{ name: "Summary", body: "x".repeat(200) }];
    expect(commitMessage(long, "f").split("\n")[0]!.length).toBeLessThanOrEqual(72);
    expect(commitMessage([], "Resolve #42").split("\n")[0]).toBe("Resolve #42");
  });
});

describe("tracking comment", () => {
  it("shows the current stage with its detail, and the conclusion when done", () => {
    const working = renderTracking("j1", { stage: "agent", detail: "turn 3/40 · edit_file" }, "alice");
    expect(working).toContain("- [x] Cloning the repository");
    expect(working).toContain("- [ ] **Agent at work…** turn 3/40 · edit_file");
    expect(working).toContain("- [ ] Pushing");
    const done = renderTracking("j1", { stage: "done", conclusion: "Opened #7" });
    expect(done).toContain("finished");
    expect(done).toContain("Opened #7");
    const failed = renderTracking("j1", {
      stage: "failed",
      detail: "verifying",
      conclusion: "Retry with `/agent`.",
    });
    expect(failed).toContain("The job stopped while verifying.");
    expect(renderTracking("j1", { stage: "cloning", restarted: true })).toContain("picked up again");
  });
});

describe("links to the job's page", () => {
  const page = "https://bot.example.com/ui/jobs/job-0123456789abcdef0123";
  it("the tracking comment says 'watch this job' while it runs and 'what the agent did' after, keeping its job marker", () => {
    const running = renderTracking("job-0123456789abcdef0123", { stage: "agent" }, "alice", page);
    expect(running).toContain(`<sub>job \`job-0123456789abcdef0123\` · [watch this job](${page})</sub>`);
    const done = renderTracking("job-0123456789abcdef0123", { stage: "done" }, "alice", page);
    expect(done).toContain(`· [what the agent did](${page})</sub>`);
    expect(done).not.toContain("watch this job");
    expect(renderTracking("job-0123456789abcdef0123", { stage: "done" })).not.toContain("](");
  });

  it("the pull request's footer links what the agent did, only when there is a page", () => {
    const linked = renderPullRequestBody({ sections, verification: "", facts, jobPageUrl: page });
    expect(linked).toContain(`triggered by @alice · [what the agent did](${page})</sub>`);
    expect(renderPullRequestBody({ sections, verification: "", facts })).not.toContain("what the agent did");
  });
});
