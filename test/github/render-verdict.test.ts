import { beforeAll, describe, expect, it } from "@jest/globals";
import {
  codeBlock,
  renderCheckRunOutput,
  renderVerdictMarkdown,
  VERDICT_HEADING,
} from "../../src/github/publish/render-verdict.js";
import type { Verdict } from "../../src/verify/verdict.js";
import { NOT_A_GO_MODULE, verify } from "../../src/verify/verify.js";
import { checkoutFixture, testToolchain } from "../golang/support.js";

let failing: Verdict;
let green: Verdict;
beforeAll(async () => {
  const tc = await testToolchain();
  for (const [name, set] of [
    ["go-verify-failing", (v: Verdict) => (failing = v)],
    ["go-verify-green", (v: Verdict) => (green = v)],
  ] as const) {
    const { dir, cleanup } = await checkoutFixture(name);
    try {
      set(await verify(tc, { dir }));
    } finally {
      await cleanup();
    }
  }
});

function hostile(details: string, summary = "ok"): Verdict {
  return {
    overall: "fail",
    summary: "go test failed",
    checks: [{ name: "go test", status: "fail", summary, details }],
    isolation: "none",
    durationMs: 1200,
  };
}

describe("renderVerdictMarkdown", () => {
  it("renders the heading, the overall line and one table row per check", () => {
    const md = renderVerdictMarkdown(failing);
    expect(md.startsWith(`### ${VERDICT_HEADING}\n`)).toBe(true);
    expect(md).toContain("❌ **Fail** — go test failed (go1.26.8, sandboxed with bubblewrap,");
    expect(md).toContain("| Check | Result | Summary |");
    expect(md).toContain("| gofmt | ✅ pass |");
    expect(md).toMatch(/\| go test \| ❌ fail \| 2 passed, 1 failed, 0 skipped in 2 packages \|/);
    expect(md).toContain("<details><summary>go test:");
    expect(md).toContain("Add(2, 3) = -1, want 5");
  });

  it("has no details block when everything passed", () => {
    const md = renderVerdictMarkdown(green);
    expect(md).toContain("✅ **Pass** — all 4 checks passed");
    expect(md).not.toContain("<details>");
  });

  it("says plainly when checks were skipped and when runs were not sandboxed", () => {
    const md = renderVerdictMarkdown({
      overall: "skipped",
      summary: NOT_A_GO_MODULE,
      checks: [],
      isolation: "none",
      durationMs: 0,
    });
    expect(md).toContain(`⏭️ **Skipped** — ${NOT_A_GO_MODULE}`);
    expect(md).toContain("not sandboxed");
    expect(md).not.toContain("| Check |");
  });

  it("keeps untrusted text from breaking the table, pinging people or linking issues", () => {
    const md = renderVerdictMarkdown(hostile("", "a | b @octocat fixes #12 <img src=x>\nsecond line"));
    const row = md.split("\n").find((l) => l.startsWith("| go test"));
    expect(row).toBe(
      "| go test | ❌ fail | a \\| b @\u200boctocat fixes #\u200b12 &lt;img src=x&gt; second line |",
    );
  });

  it("fences details so backticks in the output cannot close the block", () => {
    const md = renderVerdictMarkdown(hostile("before\n```\n</details>\n````\nafter"));
    expect(md).toContain("`````text\nbefore\n```\n</details>\n````\nafter\n`````");
    expect(codeBlock("plain")).toBe("```text\nplain\n```");
  });

  it("stays within its size limit however long the output", () => {
    const md = renderVerdictMarkdown(hostile("x".repeat(100).concat("\n").repeat(5000)), { maxChars: 5000 });
    expect(md.length).toBeLessThanOrEqual(5000);
    expect(md).toContain("more lines cut");
  });
});

describe("renderCheckRunOutput", () => {
  it("maps the verdict to a conclusion, a title, the table and the details", () => {
    const out = renderCheckRunOutput(failing);
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("Failed: go test");
    expect(out.summary).toContain("| go test | ❌ fail |");
    expect(out.text).toContain("TestAdd/positive");
    expect(renderCheckRunOutput(green)).toMatchObject({
      conclusion: "success",
      title: "Passed: gofmt, go vet, go build, go test",
      text: "",
    });
  });

  it("never shows an error as green or neutral", () => {
    const out = renderCheckRunOutput({
      overall: "error",
      summary: "go mod download could not run",
      checks: [
        { name: "go mod download", status: "error", summary: "could not download modules", details: "" },
      ],
      isolation: "bubblewrap",
      durationMs: 10,
    });
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("Could not verify: go mod download");
  });

  it("marks a skipped verification as skipped", () => {
    const out = renderCheckRunOutput({
      overall: "skipped",
      summary: NOT_A_GO_MODULE,
      checks: [],
      isolation: "bubblewrap",
      durationMs: 0,
    });
    expect(out).toMatchObject({ conclusion: "skipped", title: NOT_A_GO_MODULE });
  });
});
