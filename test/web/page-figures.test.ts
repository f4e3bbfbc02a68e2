// The figures the pages compute from the store: time per step from the journal, and cost
// and pass/fail per day from the job records.
import { describe, expect, it } from "@jest/globals";
import type { JournalEvent } from "../../src/queue/job-journal.js";
import type { JobRecord } from "../../src/queue/job-record.js";
import { escapeHtml, stripAnsi } from "../../src/web/html.js";
import { dailyTotals } from "../../src/web/pages/job-list-page.js";
import { renderEvent, stepTimes } from "../../src/web/pages/journal-view.js";

const step = (seq: number, at: number, name: string): JournalEvent => ({
  seq,
  at,
  entry: { kind: "step", step: name as "gate", detail: "" },
});

describe("time per step", () => {
  it("runs from a step's first event to the next step's, the last one to the end, repeats merged", () => {
    const events: JournalEvent[] = [
      step(1, 1000, "gate"),
      step(2, 1500, "context"),
      step(3, 4000, "verifying"),
      { seq: 4, at: 4100, entry: { kind: "note", turn: 1, text: "x" } },
      step(5, 6000, "verifying"),
      step(6, 9000, "publishing"),
    ];
    expect(stepTimes(events, 9500).map((s) => [s.step, s.ms])).toEqual([
      ["gate", 500],
      ["context", 2500],
      ["verifying", 5000],
      ["publishing", 500],
    ]);
    expect(stepTimes([], 1)).toEqual([]);
  });
});

describe("cost and pass/fail per day", () => {
  const DAY = 86_400_000;
  const now = Date.UTC(2026, 11, 6, 12);
  const job = (
    daysAgo: number,
    status: JobRecord["status"],
    costUsd?: number,
    verdict?: string,
  ): JobRecord => ({
    id: `j${daysAgo}${status}`,
    deliveryId: "d",
    target: "acme/svc#1",
    targetKind: "issue",
    trigger: { kind: "issue_label", actor: "alice" },
    status,
    attempts: 1,
    restarts: 0,
    createdAt: now - daysAgo * DAY,
    updatedAt: now,
    ...(costUsd !== undefined ? { costUsd } : {}),
    ...(verdict ? { verdict } : {}),
  });

  it("adds each day's cost, counts a red verdict as failed, and leaves out jobs older than the window", () => {
    const days = dailyTotals(
      [
        job(0, "succeeded", 0.5, "pass"),
        job(0, "succeeded", 0.25, "fail"),
        job(0, "running", 0.1),
        job(1, "failed", 1),
        job(1, "cancelled", 2),
        job(20, "succeeded", 100, "pass"),
      ],
      now,
      3,
    );
    expect(days).toEqual([
      { day: "2026-12-04", costUsd: 0, passed: 0, failed: 0 },
      { day: "2026-12-05", costUsd: 3, passed: 0, failed: 1 },
      { day: "2026-12-06", costUsd: 0.85, passed: 1, failed: 1 },
    ]);
  });
});

describe("untrusted text", () => {
  it("loses terminal escapes and control characters, and every markup character is escaped", () => {
    const text =
      "\u001b[1;31mFAIL\u001b[0m \u001b]8;;https://evil\u0007link\u001b]8;;\u0007 a\u0000b\tc\n<&>\"'";
    expect(stripAnsi(text)).toBe("FAIL link ab\tc\n<&>\"'");
    expect(escapeHtml(text)).toBe("FAIL link ab\tc\n&lt;&amp;&gt;&quot;&#39;");
  });
});

describe("a tool call on the page", () => {
  it("shows an edit as the diff it makes, escaped", () => {
    const html = String(
      renderEvent({
        seq: 7,
        at: 0,
        entry: {
          kind: "tool_call",
          turn: 2,
          id: "t",
          name: "edit_file",
          input: { path: "api/a.go", old_string: "x := 1\nreturn x", new_string: "x := 2 // <b>\nreturn x" },
          output: "ok",
          isError: false,
          durationMs: 5,
        },
      }),
    );
    expect(html).toContain(
      "<pre>--- api/a.go\n- x := 1\n- return x\n+ x := 2 // &lt;b&gt;\n+ return x</pre>",
    );
    expect(html).toContain('id="e7"');
  });
});
