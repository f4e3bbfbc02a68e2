// The bot's PR body as a whole: each job's report merges into the same sections (labelled by
// the job that added it), with a folded history; the state survives the round trip through
// the body, a re-publish changes nothing but its line, and a body from before the history
// was kept becomes the first part.
import { describe, expect, it } from "@jest/globals";
import {
  mergeReport,
  readPrState,
  renderHistory,
  renderMergedReport,
  renderPrState,
  stateFromBody,
} from "../../src/github/publish/pr-history.js";

const first = [
  { name: "Summary", body: "Added a Version constant." },
  { name: "Files Changed", body: "- api/version.go" },
];
const review = [
  { name: "Summary", body: "Made Version semantic." },
  { name: "Files Changed", body: "- api/version.go\n- api/doc.go" },
  { name: "Review comments", body: "- 11 addressed: semver" },
];

describe("the PR body's merged report", () => {
  it("merges by section, labels follow-ups, lists files once, and keeps the history", () => {
    let state = mergeReport(undefined, first, {
      jobId: "j1",
      trigger: "label `backend-go` by @alice",
      commit: "a".repeat(40),
      verdict: "pass: all 4 checks passed",
    });
    state = mergeReport(state, review, {
      jobId: "j2",
      trigger: "review by @bob",
      commit: "b".repeat(40),
      verdict: "pass: ok",
    });
    state = mergeReport(state, [{ name: "Summary", body: "Fixed the lint finding." }], {
      jobId: "j3",
      trigger: "CI: `lint` failure",
      commit: "c".repeat(40),
    });
    const report = renderMergedReport(state);
    expect(report.match(/^## Summary$/gm)).toHaveLength(1);
    expect(report).toContain(
      "## Summary\n\nAdded a Version constant.\n\n_After review by @bob (`bbbbbbbbbbbb`):_\n\nMade Version semantic.\n\n_After CI: `lint` failure (`cccccccccccc`):_\n\nFixed the lint finding.",
    );
    expect(report).toContain("## Files Changed\n\n- api/version.go\n- api/doc.go");
    expect(report).toContain("## Review comments");
    const history = renderHistory(state.history);
    expect(history).toContain("History: 3 jobs on this pull request");
    expect(history).toContain("| 2 | review by @bob | `bbbbbbbbbbbb` | pass: ok |");
    expect(history).toContain("| 3 | CI: `lint` failure | `cccccccccccc` | — |");
  });

  it("survives the body (a marker people do not see), and a re-publish changes only its line", () => {
    const state = mergeReport(undefined, first, { jobId: "j1", trigger: "t" });
    const body = `${renderPrState(state)}\n## Summary\n\nAdded a Version constant.`;
    expect(body).not.toContain('Version constant."');
    expect(readPrState(body)).toEqual(state);
    const again = mergeReport(readPrState(body), first, {
      jobId: "j1",
      trigger: "t",
      commit: "d".repeat(40),
    });
    expect(again.sections).toEqual(state.sections);
    expect(again.history).toEqual([{ jobId: "j1", trigger: "t", commit: "d".repeat(40) }]);
    expect(readPrState("no marker here")).toBeUndefined();
    expect(readPrState("<!-- backend-go-agent:pr-state not-json -->")).toBeUndefined();
  });

  it("a body from before the history: its report becomes the first part, and it still closes its issue", () => {
    const legacy =
      "## Summary\n\nAdded a Version constant.\n\n## Testing\n\ngo test ./...\n\n### Verified by backend-go-agent\n\n| check |\n\n---\nCloses #12\n";
    const state = stateFromBody(legacy);
    expect(state.closes).toBe(12);
    const merged = mergeReport(state, [{ name: "Summary", body: "Made Version semantic." }], {
      jobId: "j2",
      trigger: "review by @bob",
    });
    const report = renderMergedReport(merged);
    expect(report).toContain(
      "Added a Version constant.\n\n_After review by @bob:_\n\nMade Version semantic.",
    );
    expect(report).toContain("## Testing\n\ngo test ./...");
    expect(merged.history.map((h) => h.jobId)).toEqual(["earlier", "j2"]);
    expect(merged.closes).toBe(12);
  });
});
