// The eval's parts: task folders and their mistakes, bundle checkouts, the judge's question rule, and the
// statistics of the totals.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { loadSuite, loadTask, parseGoTestCommand, parseTaskText } from "../../src/eval/eval-task.js";
import { offersOptions } from "../../src/eval/judge.js";
import { median, wilson } from "../../src/eval/results.js";
import { checkoutTask } from "../../src/eval/run-task.js";
import { loadTaskConfig } from "../../src/eval/task-config.js";
import { git, REPO_ROOT } from "../support/model-checkout.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function taskDir(meta: unknown, md = "# Do it\nPlease."): string {
  dir = mkdtempSync(join(tmpdir(), "bga-evaltask-"));
  const t = join(dir, "t1");
  mkdirSync(join(t, "repo"), { recursive: true });
  mkdirSync(join(t, "hidden"), { recursive: true });
  writeFileSync(join(t, "hidden", "x_test.go"), "package x\n");
  writeFileSync(join(t, "task.json"), typeof meta === "string" ? meta : JSON.stringify(meta));
  writeFileSync(join(t, "task.md"), md);
  return t;
}

describe("eval tasks", () => {
  it("loads the bundled suite: 15 tasks to solve and one where asking is right", () => {
    const suite = loadSuite(join(REPO_ROOT, "evals", "go-backend"));
    expect(suite).toHaveLength(16);
    expect(suite.filter((t) => t.expect === "ask").map((t) => t.id)).toEqual(["ask-orders-export"]);
    for (const t of suite.filter((t) => t.expect === "solve")) {
      expect(t.judge[0]).toBe("test");
      expect(t.solutionDir).toBeDefined();
    }
  });

  it("has three tasks whose repositories declare the services their hidden tests need", async () => {
    dir = mkdtempSync(join(tmpdir(), "bga-evaltask-"));
    const declared: Record<string, string[]> = {};
    for (const task of loadSuite(join(REPO_ROOT, "evals", "go-backend"))) {
      const checkout = join(dir, task.id);
      const config = await loadTaskConfig(checkout, await checkoutTask(task, checkout));
      const services = Object.keys(config.verify.services);
      if (services.length) {
        declared[task.id] = services;
        // Their hidden tests are behind the tag the configuration sets.
        expect(config.verify.tags).toEqual(["integration"]);
      }
    }
    expect(declared).toEqual({
      "pg-migration-settled-at": ["postgres"],
      "pg-wallet-transfer": ["postgres"],
      "redis-idempotency-keys": ["redis"],
    });
  }, 60_000);

  it("reads the conversation that answered a clarifying question", () => {
    const { text, conversation } = parseTaskText(
      "# Export\nAdd an export.\n\n## Conversation\n### @bot\nCSV or JSON?\n\n### @maria\nCSV, please.\n",
    );
    expect(text).toBe("# Export\nAdd an export.");
    expect(conversation).toEqual([
      { author: "bot", body: "CSV or JSON?" },
      { author: "maria", body: "CSV, please." },
    ]);
  });

  it("says what is wrong with a task folder", () => {
    expect(() => loadTask(taskDir("{"))).toThrow(/task t1: task.json is not valid JSON/);
    expect(() => loadTask(taskDir({ title: "x", family: "y", judge: "make test" }))).toThrow(
      /judge must be a "go test …" command, got "make test"/,
    );
    expect(() => loadTask(taskDir({ title: "x", family: "y", judge: "go test ./...", colour: 1 }))).toThrow(
      /unknown key "colour"/,
    );
    expect(() =>
      loadTask(taskDir({ title: "x", family: "y", judge: "go test ./...", budgets: { maxTurns: 0 } })),
    ).toThrow(/budgets.maxTurns must be > 0/);
    expect(() => loadTask(taskDir({ family: "y", judge: "go test ./..." }))).toThrow(/needs "title"/);
    const ok = loadTask(
      taskDir({
        title: "x",
        family: "y",
        judge: "go test ./a/ -run '^TestHidden(A|B)$'",
        budgets: { maxWallClockMinutes: 2 },
      }),
    );
    expect(ok.judge).toEqual(["test", "./a/", "-run", "^TestHidden(A|B)$"]);
    expect(ok.budgets).toEqual({ maxWallClockMs: 120_000 });
    expect(() => parseGoTestCommand("go build ./...", "x")).toThrow(/must be a "go test …" command/);
  });
});

describe("eval checkouts", () => {
  it("checks out a repository given as a git bundle, with its history, and never the hidden tests", async () => {
    const t = taskDir({ title: "x", family: "y", judge: "go test ./...", repo: "repo.bundle" });
    const src = join(dir!, "src");
    mkdirSync(src);
    writeFileSync(join(src, "go.mod"), "module example.com/b\n\ngo 1.24\n");
    git(src, "init", "-q", "-b", "main");
    git(src, "add", "-A");
    git(src, "commit", "-q", "-m", "first");
    git(src, "bundle", "create", join(t, "repo.bundle"), "main");
    const task = loadTask(t);
    expect(task.repo.kind).toBe("bundle");
    const out = join(dir!, "checkout");
    await checkoutTask(task, out);
    expect(readFileSync(join(out, "go.mod"), "utf8")).toContain("example.com/b");
    expect(git(out, "log", "--format=%s")).toBe("first");
    expect(existsSync(join(out, "x_test.go"))).toBe(false);
  });
});

describe("eval judging and totals", () => {
  it("counts a question as offering options when it names alternatives", () => {
    expect(offersOptions("CSV or JSON lines?")).toBe(true);
    expect(offersOptions("Which format:\n- CSV\n- JSON lines")).toBe(true);
    expect(offersOptions("Which time zone (UTC, Europe/Berlin)?")).toBe(true);
    expect(offersOptions("What should the export contain?")).toBe(false);
  });

  it("gives the 95% Wilson interval and the median", () => {
    // SWE-agent on the 42 Go tasks of SWE-bench Multilingual: 13 solved.
    const i = wilson(13, 42);
    expect(i.low).toBeCloseTo(0.1907, 3);
    expect(i.high).toBeCloseTo(0.4603, 3);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
    expect(wilson(5, 5).high).toBe(1);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});
