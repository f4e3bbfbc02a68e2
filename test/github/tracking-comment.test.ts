// The tracking comment's coalescing: a progress edit that is still waiting for its interval
// when the job publishes is dropped, since the final state says more (and every edit is a
// write GitHub asks to space a second apart).
import { describe, expect, it } from "@jest/globals";
import type { GitHubClient } from "../../src/github/auth/client.js";
import { renderTracking, TrackingComment } from "../../src/github/publish/tracking-comment.js";

function fakeGitHub() {
  const bodies: string[] = [];
  const gh = {
    rest: {
      issues: {
        createComment: async ({ body }: { body: string }) => {
          bodies.push(body);
          return { data: { id: 1 } };
        },
        updateComment: async ({ body }: { body: string }) => {
          bodies.push(body);
          return { data: {} };
        },
      },
    },
  } as unknown as GitHubClient;
  return { gh, bodies };
}

const ISSUE = { owner: "acme", repo: "ledger", number: 7 };

describe("TrackingComment", () => {
  it("drops a waiting progress edit, so publishing writes only the final state", async () => {
    const { gh, bodies } = fakeGitHub();
    const tc = await TrackingComment.open(gh, ISSUE, "job-1", { stage: "queued" }, { minIntervalMs: 60_000 });
    tc.update({ stage: "pushing", detail: "backend-go/issue-7" });
    tc.dropPending();
    await tc.finish({ stage: "done", conclusion: "Opened pull request #8" });
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain("Opened pull request #8");
    expect(bodies.join("\n")).not.toContain("**Pushing…**");
  });

  it("still writes a waiting progress edit when nothing drops it", async () => {
    const { gh, bodies } = fakeGitHub();
    const tc = await TrackingComment.open(gh, ISSUE, "job-2", { stage: "queued" }, { minIntervalMs: 0 });
    tc.update({ stage: "agent", detail: "turn 1/60" });
    await new Promise((r) => setTimeout(r, 20));
    await tc.finish({ stage: "done" });
    expect(bodies).toHaveLength(3);
    expect(bodies[1]).toContain("turn 1/60");
  });
});

describe("a failed job's steps", () => {
  const ticked = (body: string) => body.match(/- \[x\] .*/g) ?? [];

  it("ticks the steps that ran and marks the one it stopped in", () => {
    const body = renderTracking("job-3", {
      stage: "failed",
      detail: "verifying",
      reached: { stage: "verifying", stoppedIn: true },
      conclusion: "**Why:** go test hung",
    });
    expect(ticked(body)).toEqual(["- [x] Queued", "- [x] Cloning the repository", "- [x] Agent at work"]);
    expect(body).toContain("- [ ] ❌ **Verifying with gofmt, go vet, go build, go test** — stopped here");
    expect(body).toContain("- [ ] Pushing");
    expect(body).toContain("The job stopped while verifying.");
  });

  it("ticks every step when it stopped after them (publishing after the push)", () => {
    const body = renderTracking("job-4", {
      stage: "failed",
      detail: "publishing the result",
      reached: { stage: "pushing", stoppedIn: false },
    });
    expect(ticked(body)).toHaveLength(5);
    expect(body).not.toContain("stopped here");
  });
});
