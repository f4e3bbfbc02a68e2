// The tool loop end to end: the real SDK against the scripted Messages API server, on a git
// copy of the ledger-service fixture, with real `go test`.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { agentHarness } from "../support/agent-harness.js";
import { LEDGER_FIXTURE } from "../support/model-checkout.js";
import {
  callTools,
  GO_ENGINEER_SECTIONS,
  httpError,
  report,
  type ScriptStep,
  say,
  tool,
  toolResults,
} from "../support/scripted-model.js";
import { BALANCE_HANDLER, BALANCE_ROUTE_EDIT, BALANCE_TEST_WRONG } from "./ledger-code.js";

const agent = agentHarness();
const run = agent.run;
afterEach(agent.cleanup);

const FULL_REPORT = report(GO_ENGINEER_SECTIONS);

describe("runAgent", () => {
  it("(a) reads code, writes a handler and its test, fixes the failing test, and reports", async () => {
    const seen: { goFail?: string; goPass?: string } = {};
    const outcome = await run([
      tool("list_files", {}),
      callTools(
        { name: "read_file", input: { path: "api/server.go" } },
        { name: "read_file", input: { path: "ledger/ledger.go", start_line: 1, end_line: 20 } },
      ),
      callTools(
        { name: "write_file", input: { path: "api/balance.go", content: BALANCE_HANDLER } },
        { name: "write_file", input: { path: "api/balance_test.go", content: BALANCE_TEST_WRONG } },
        { name: "edit_file", input: BALANCE_ROUTE_EDIT },
      ),
      tool("go", { args: ["test", "./..."] }),
      (req) => {
        const [result] = toolResults(req);
        seen.goFail = result?.content;
        return tool("edit_file", {
          path: "api/balance_test.go",
          old_string: "http.StatusOK, 30}",
          new_string: "http.StatusOK, 300}",
        });
      },
      tool("go", { args: ["test", "./..."] }),
      (req) => {
        const [result] = toolResults(req);
        seen.goPass = result?.content;
        return say(`Here is my report.\n\n${FULL_REPORT}`);
      },
    ]);

    expect(outcome.kind).toBe("completed");
    if (outcome.kind !== "completed") return;
    expect(outcome.sections.map((s) => s.name)).toEqual(GO_ENGINEER_SECTIONS);
    expect(outcome.changedFiles).toEqual(["api/balance.go", "api/balance_test.go", "api/server.go"]);
    expect(seen.goFail).toMatch(/FAIL/);
    expect(seen.goFail).toMatch(/balance_cents = 300, want 30/);
    expect(seen.goPass).toMatch(/exit code 0/);
    expect(seen.goPass).toMatch(/ok\s+example.com\/ledger-service\/api/);
    expect(readFileSync(join(agent.checkout.dir, "api/balance_test.go"), "utf8")).toContain(
      "http.StatusOK, 300}",
    );
    expect(readFileSync(join(agent.checkout.dir, "api/server.go"), "utf8")).toContain('"/accounts/balance"');
    // The files on disk pass go test on their own, after the run.
    const after = await agent.toolchain.go(["test", "./..."], { cwd: agent.checkout.dir });
    expect(after.exitCode).toBe(0);
    expect(outcome.turns).toBe(7);
    expect(outcome.usage.output_tokens).toBeGreaterThan(0);
    expect(outcome.costUsd).toBeGreaterThan(0);
    const toolCalls = outcome.transcript.filter((e) => e.kind === "tool_call");
    expect(toolCalls.map((e) => e.name)).toEqual([
      "list_files",
      "read_file",
      "read_file",
      "write_file",
      "write_file",
      "edit_file",
      "go",
      "edit_file",
      "go",
    ]);
    // Both reads of turn 2 were answered in one user message, in order.
    const third = agent.server!.requests[2]!;
    const results = toolResults(third);
    expect(results).toHaveLength(2);
    expect(results[0]!.content).toContain("func NewServer");
    expect(results[1]!.content).toMatch(/lines 21-\d+ not shown; call read_file with start_line=21/);
  });

  it("(b) refuses escapes and leaves everything outside the checkout alone", async () => {
    let results: ReturnType<typeof toolResults> = [];
    const outsideBefore = readdirSync(LEDGER_FIXTURE, { recursive: true }).sort();
    const outcome = await run([
      async () => {
        const { symlinkSync } = await import("node:fs");
        symlinkSync(agent.checkout.outside, join(agent.checkout.dir, "link"));
        symlinkSync(join(agent.checkout.outside, "go.mod"), join(agent.checkout.dir, "go.mod.link"));
        return callTools(
          { name: "read_file", input: { path: "../outside/go.mod" } },
          { name: "read_file", input: { path: join(agent.checkout.outside, "go.mod") } },
          { name: "write_file", input: { path: "../outside/evil.txt", content: "x" } },
          { name: "write_file", input: { path: join(agent.checkout.outside, "evil.txt"), content: "x" } },
          { name: "read_file", input: { path: "link/go.mod" } },
          { name: "write_file", input: { path: "link/evil.txt", content: "x" } },
          { name: "edit_file", input: { path: "go.mod.link", old_string: "go 1.21", new_string: "go 1.99" } },
          { name: "delete_file", input: { path: "link/README.md" } },
          { name: "read_file", input: { path: ".git/config" } },
          {
            name: "write_file",
            input: { path: ".git/hooks/pre-commit", content: "#!/bin/sh\necho owned\n" },
          },
          {
            name: "edit_file",
            input: { path: "api/../.git/config", old_string: "[core]", new_string: "[x]" },
          },
          { name: "write_file", input: { path: ".github/workflows/x.yml", content: "on: push\n" } },
          { name: "list_files", input: { path: ".." } },
          { name: "search_code", input: { pattern: "module", path: "link" } },
          { name: "go", input: { args: ["test", "-C", agent.checkout.outside, "./..."] } },
          { name: "go", input: { args: ["run", "./..."] } },
        );
      },
      (req) => {
        results = toolResults(req);
        return say(FULL_REPORT);
      },
    ]);
    expect(outcome.kind).toBe("completed");
    expect(results).toHaveLength(16);
    for (const r of results) expect(r.is_error).toBe(true);
    const text = results.map((r) => r.content);
    expect(text[0]).toMatch(/outside the repository/);
    expect(text[1]).toMatch(/absolute/);
    expect(text[4]).toMatch(/through a symlink/);
    expect(text[8]).toMatch(/\.git/);
    expect(text[11]).toMatch(/protected \(matches \.github\/workflows\/\*\*\)/);
    expect(text[15]).toMatch(/not allowed/);
    // Nothing outside changed, nothing written into .git or workflows.
    expect(readdirSync(agent.checkout.outside, { recursive: true }).sort()).toEqual(outsideBefore);
    expect(readFileSync(join(agent.checkout.outside, "go.mod"), "utf8")).toContain("go 1.21");
    expect(readFileSync(join(agent.checkout.dir, ".git/config"), "utf8")).toContain("[core]");
    expect(existsSync(join(agent.checkout.dir, ".git/hooks/pre-commit"))).toBe(false);
    expect(existsSync(join(agent.checkout.dir, ".github/workflows/x.yml"))).toBe(false);
    expect(outcome.changedFiles).toEqual([]);
  });

  it("(c) ask_clarification ends the run with the questions", async () => {
    const outcome = await run([
      tool("ask_clarification", { questions: ["Should balances be in cents or in units?", "Which port?"] }),
    ]);
    expect(outcome.kind).toBe("needs_clarification");
    if (outcome.kind !== "needs_clarification") return;
    expect(outcome.questions).toEqual(["Should balances be in cents or in units?", "Which port?"]);
    expect(agent.server!.requests).toHaveLength(1);
  });

  it("(d) a report missing sections gets one repair turn that names them, then is valid", async () => {
    let repairPrompt = "";
    const outcome = await run([
      say(report(["Summary", "Implementation", "Files Changed"])),
      (req) => {
        const last = req.messages.at(-1);
        repairPrompt = last.content.map((b: { text?: string }) => b.text ?? "").join("");
        return say(FULL_REPORT);
      },
    ]);
    expect(repairPrompt).toMatch(/missing these required sections: Testing, Next Steps/);
    expect(outcome.kind).toBe("completed");
    if (outcome.kind !== "completed") return;
    expect(outcome.turns).toBe(2);
    expect(outcome.sections.map((s) => s.name)).toEqual(GO_ENGINEER_SECTIONS);
  });

  it("fails, naming the sections, when the repair turn still misses them", async () => {
    const partial = report(["Summary", "Implementation", "Files Changed", "Next Steps"]);
    const outcome = await run([say(partial), say(partial)]);
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.reason).toBe("the report is still missing required sections after a repair turn: Testing");
  });

  it("a review job's report must answer each review comment by id: one repair turn names the missing ones", async () => {
    let firstPrompt = "";
    let repairPrompt = "";
    const answered = `${FULL_REPORT}\n## Review comments\n- 101 addressed: Made Version semantic.\n- 102 declined: The package doc already exists.\n`;
    const outcome = await run(
      [
        (req) => {
          firstPrompt = JSON.stringify(req.messages[0]);
          return say(
            `${FULL_REPORT}\n## Review comments\n- 101 addressed: Made Version semantic.\n- 102 declined:\n`,
          );
        },
        (req) => {
          const last = req.messages.at(-1);
          repairPrompt = last.content.map((b: { text?: string }) => b.text ?? "").join("");
          return say(answered);
        },
      ],
      { reviewCommentIds: [101, 102] },
    );
    expect(firstPrompt).toContain("ids 101, 102");
    expect(firstPrompt).toContain("## Review comments");
    // A declined comment without its reason is not an answer.
    expect(repairPrompt).toContain("no answer (with its text) for 102");
    expect(outcome.kind).toBe("completed");
    if (outcome.kind !== "completed") return;
    expect(outcome.reviewAnswers).toEqual([
      { commentId: 101, addressed: true, text: "Made Version semantic." },
      { commentId: 102, addressed: false, text: "The package doc already exists." },
    ]);
    // The section does not swallow the one before it.
    expect(outcome.sections.find((s) => s.name === "Next Steps")?.body).toBe("Done.");
  });

  it("a review job whose report never answers a comment fails, naming it", async () => {
    const outcome = await run([say(FULL_REPORT), say(FULL_REPORT)], { reviewCommentIds: [7] });
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.reason).toContain("answers to review comments 7");
  });

  it("(e) retries two 529 overloaded responses, then succeeds", async () => {
    const outcome = await run([httpError(529, "Overloaded"), httpError(529, "Overloaded"), say(FULL_REPORT)]);
    expect(outcome.kind).toBe("completed");
    expect(agent.server!.requests).toHaveLength(3);
    expect(outcome.turns).toBe(1);
  });

  it("retries a connection reset before the answer and a stream cut half-way", async () => {
    const outcome = await run([
      { disconnect: "before" },
      { ...say(FULL_REPORT), disconnect: "mid-stream" },
      say(FULL_REPORT),
    ]);
    expect(outcome.kind).toBe("completed");
    expect(agent.server!.requests).toHaveLength(3);
  });

  it("ends with a clear reason when the API stays overloaded", async () => {
    const outcome = await run([httpError(529, "Overloaded"), httpError(529, "Overloaded")], {
      maxRetries: 1,
    });
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.reason).toMatch(/model API failed.*529.*Overloaded/);
    expect(outcome.reason).not.toContain("sk-ant-test");
  });

  it("(f) fails when the turn budget runs out, saying which budget", async () => {
    const outcome = await run(
      [tool("list_files", {}), tool("list_files", {}), tool("list_files", {}), say(FULL_REPORT)],
      {
        budgets: { maxTurns: 3 },
      },
    );
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.budget).toBe("turns");
    expect(outcome.reason).toBe("turn budget exhausted: 3 of 3 turns used without a final report");
    expect(agent.server!.requests).toHaveLength(3);
    expect(outcome.usage.input_tokens).toBeGreaterThan(0);
  });

  it("fails when the cost budget runs out", async () => {
    const expensive = { ...tool("list_files", {}), usage: { input_tokens: 1_000_000, output_tokens: 10 } };
    const outcome = await run([expensive, say(FULL_REPORT)], { budgets: { maxCostUsd: 1 } });
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.budget).toBe("cost_usd");
    expect(outcome.reason).toMatch(/cost budget exhausted: \$5\.0\d+ spent, the limit is \$1\.00/);
  });

  it("fails when the wall clock runs out during a model call", async () => {
    const slow: ScriptStep = () =>
      new Promise((resolve) => setTimeout(() => resolve(say(FULL_REPORT)), 3000).unref());
    const outcome = await run([slow], { budgets: { maxWallClockMs: 300 } });
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.budget).toBe("wall_clock");
  });

  it("continues after max_tokens and joins the report", async () => {
    const [head, tail] = [FULL_REPORT.slice(0, 40), FULL_REPORT.slice(40)];
    const outcome = await run([say(head, "max_tokens"), say(tail)]);
    expect(outcome.kind).toBe("completed");
    if (outcome.kind !== "completed") return;
    expect(outcome.report).toBe(FULL_REPORT.trim());
  });

  it("fails plainly on a refusal", async () => {
    const outcome = await run([say("I can't help with that.", "refusal")]);
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.reason).toMatch(/declined/);
  });

  it("stops with the reason when the run is cancelled", async () => {
    const controller = new AbortController();
    const outcome = await run(
      [
        tool("list_files", {}),
        () => {
          controller.abort();
          return tool("list_files", {});
        },
        say(FULL_REPORT),
      ],
      { signal: controller.signal },
    );
    expect(outcome).toMatchObject({ kind: "failed", budget: "aborted", reason: "the run was cancelled" });
  });

  it("sends a paused turn back so the model can continue", async () => {
    const outcome = await run([say("Still thinking", "pause_turn"), say(FULL_REPORT)]);
    expect(outcome.kind).toBe("completed");
    expect(agent.server!.requests[1]!.messages.at(-1).role).toBe("assistant");
  });
});
