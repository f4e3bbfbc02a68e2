// `backend-go-agent eval` against the scripted Messages API: the harness runs copies of three
// tasks of the bundled suite (ledger-transfer, statement-reconciliation, ask-orders-export)
// through the CLI's pipeline and judges them with their hidden tests. A right
// scripted solution passes, a wrong one fails naming its failing tests, a hanging model is
// stopped at the task's wall-clock budget, and the asking task passes on a question with options.
// The tasks whose hidden tests need PostgreSQL or Redis are judged against real servers
// started for the judge: a right solution passes, SQL against a misspelled table fails with
// PostgreSQL's own error, and no server is left behind.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { evalCommand } from "../../src/eval/eval-command.js";
import type { EvalResults } from "../../src/eval/results.js";
import { OWNER_FILE } from "../../src/services/sweep.js";
import { TEST_DATA_DIR } from "../golang/support.js";
import { servicesDescribe } from "../services/support.js";
import { REPO_ROOT } from "../support/model-checkout.js";
import {
  callTools,
  GO_ENGINEER_SECTIONS,
  type RecordedRequest,
  report,
  type ScriptedMessage,
  type ScriptedModelServer,
  say,
  startScriptedModel,
  tool,
} from "../support/scripted-model.js";

const SUITE = join(REPO_ROOT, "evals", "go-backend");
const LEDGER = join(SUITE, "ledger-transfer");
const SOLUTION = readFileSync(join(LEDGER, "solution", "internal", "ledger", "ledger.go"), "utf8");
const RECON = join(SUITE, "statement-reconciliation");
// A plausible wrong reconciliation: it indexes the ledger by ref, so split payments collide.
const WRONG = readFileSync(join(RECON, "wrong", "internal", "reconcile", "reconcile.go"), "utf8");
const WALLETS = join(SUITE, "pg-wallet-transfer");
const WALLETS_SOLUTION = readFileSync(join(WALLETS, "solution", "internal", "wallets", "store.go"), "utf8");
// The reference solution with one typo in its SQL: the visible tests never call Transfer.
const WALLETS_TYPO = WALLETS_SOLUTION.replace("FROM wallets WHERE id = ANY", "FROM walets WHERE id = ANY");
const MIGRATION = join(SUITE, "pg-migration-settled-at");
const IDEMPOTENCY = join(SUITE, "redis-idempotency-keys");

/** One assistant turn writing every file of a task's solution/ (a new migration pair too). */
function writeSolution(task: string) {
  const root = join(task, "solution");
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
    );
  return callTools(
    ...files(root).map((f) => ({
      name: "write_file",
      input: { path: relative(root, f), content: readFileSync(f, "utf8") },
    })),
  );
}

let work: string;
let server: ScriptedModelServer;
const hang = () => new Promise<ScriptedMessage>(() => undefined);

/** A copy of a suite task under another id, with its task.json patched. */
function copyTask(from: string, id: string, patch: Record<string, unknown> = {}, suite = "tasks"): void {
  const dir = join(work, suite, id);
  cpSync(from, dir, { recursive: true });
  const meta = JSON.parse(readFileSync(join(dir, "task.json"), "utf8"));
  writeFileSync(join(dir, "task.json"), JSON.stringify({ ...meta, ...patch }));
  // The task text names the copy, so the scripted model knows which run a request is from.
  writeFileSync(join(dir, "task.md"), `${readFileSync(join(dir, "task.md"), "utf8")}\n(eval copy ${id})\n`);
}

const SCRIPTS: Record<string, (ScriptedMessage | (() => Promise<ScriptedMessage>))[]> = {
  "a-right": [
    tool("write_file", { path: "internal/ledger/ledger.go", content: SOLUTION }),
    say(report(GO_ENGINEER_SECTIONS, "Implemented Transfer.")),
  ],
  "b-wrong": [
    tool("write_file", { path: "internal/reconcile/reconcile.go", content: WRONG }),
    say(report(GO_ENGINEER_SECTIONS, "Implemented Reconcile.")),
  ],
  "c-hang": [hang],
  "e-pg-right": [
    tool("write_file", { path: "internal/wallets/store.go", content: WALLETS_SOLUTION }),
    say(report(GO_ENGINEER_SECTIONS, "Implemented Transfer in one transaction.")),
  ],
  "f-pg-typo": [
    tool("write_file", { path: "internal/wallets/store.go", content: WALLETS_TYPO }),
    say(report(GO_ENGINEER_SECTIONS, "Implemented Transfer in one transaction.")),
  ],
  "g-migration-right": [
    writeSolution(MIGRATION),
    say(report(GO_ENGINEER_SECTIONS, "Added settled_at with its migration.")),
  ],
  "h-redis-right": [
    writeSolution(IDEMPOTENCY),
    say(report(GO_ENGINEER_SECTIONS, "Implemented Begin and Finish.")),
  ],
  "d-ask": [
    tool("ask_clarification", {
      questions: [
        "Which format should the export use: CSV or JSON lines?",
        "Which time zone bounds a month?",
      ],
    }),
  ],
};

function dispatch(req: RecordedRequest) {
  const first = JSON.stringify(req.messages?.[0] ?? "");
  const id = Object.keys(SCRIPTS).find((k) => first.includes(`(eval copy ${k})`));
  const step = id ? SCRIPTS[id]!.shift() : undefined;
  if (!step) return say(`no script left for ${id ?? "an unknown task"}`);
  return typeof step === "function" ? step() : step;
}

async function runEval(args: string[], env: Record<string, string | undefined> = {}, suite = "tasks") {
  let out = "";
  let err = "";
  const code = await evalCommand(
    ["--tasks", join(work, suite), "--out", join(work, `${suite}-out`), ...args],
    {
      PATH: process.env.PATH,
      HOME: tmpdir(),
      DATA_DIR: TEST_DATA_DIR,
      ANTHROPIC_API_KEY: "sk-ant-eval-test",
      ANTHROPIC_BASE_URL: server.url,
      ...env,
    },
    { out: (t) => (out += t), err: (l) => (err += `${l}\n`) },
  );
  return { code, out, err };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "bga-eval-test-"));
  copyTask(LEDGER, "a-right");
  copyTask(RECON, "b-wrong");
  copyTask(LEDGER, "c-hang", { budgets: { maxWallClockMinutes: 0.05 } });
  copyTask(join(SUITE, "ask-orders-export"), "d-ask");
  copyTask(WALLETS, "e-pg-right", {}, "services-tasks");
  copyTask(WALLETS, "f-pg-typo", {}, "services-tasks");
  copyTask(MIGRATION, "g-migration-right", {}, "services-tasks");
  copyTask(IDEMPOTENCY, "h-redis-right", {}, "services-tasks");
  server = await startScriptedModel({ script: Array.from({ length: 60 }, () => dispatch) });
});

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("backend-go-agent eval", () => {
  it("judges each run with the hidden tests and writes results.json and results.md", async () => {
    const { code, out, err } = await runEval([]);
    expect(code).toBe(0);
    const results = JSON.parse(readFileSync(join(work, "tasks-out", "results.json"), "utf8")) as EvalResults;
    const byTask = Object.fromEntries(results.runs.map((r) => [r.task, r]));

    expect(byTask["a-right"]).toMatchObject({ judged: "pass", failingTests: [], outcome: "completed" });
    expect(byTask["a-right"]!.botGreen).toBe(true);
    expect(byTask["a-right"]!.turns).toBe(2);
    expect(byTask["a-right"]!.changedFiles).toEqual(["internal/ledger/ledger.go"]);

    expect(byTask["b-wrong"]).toMatchObject({ judged: "fail", outcome: "completed" });
    // The bot's own checks are green (its visible tests pass); only the hidden tests catch it.
    expect(byTask["b-wrong"]!.botGreen).toBe(true);
    expect(byTask["b-wrong"]!.failingTests).toEqual([
      "example.com/recon/internal/reconcile.TestHiddenDuplicateRefsMatchOneToOne",
    ]);

    expect(byTask["c-hang"]).toMatchObject({ judged: "fail", outcome: "failed", budget: "wall_clock" });
    expect(byTask["c-hang"]!.reason).toContain("wall-clock budget exhausted");

    expect(byTask["d-ask"]).toMatchObject({ judged: "pass", outcome: "needs_clarification", asked: true });

    // Without --model, results name the model the agent's definition chose.
    expect(results.model).toMatch(/^claude-/);
    expect(results.totals).toMatchObject({ runs: 4, passed: 2, passRate: 0.5, asked: 1 });
    expect(results.totals.interval95.low).toBeCloseTo(0.15, 2);
    expect(results.totals.interval95.high).toBeCloseTo(0.85, 2);
    expect(results.totals.costPerSolvedUsd).toBeCloseTo(results.totals.totalCostUsd / 2, 10);

    // A progress line per run, then the table; results.md holds the same.
    expect(err).toMatch(
      /\[\d\/4\] b-wrong #1 {2}FAIL .*\n {6}failing: .*TestHiddenDuplicateRefsMatchOneToOne/,
    );
    expect(out).toMatch(/^task\s+passed/m);
    expect(out).toMatch(/^all\s+2\/4 50% \[15%–85%\]/m);
    const md = readFileSync(join(work, "tasks-out", "results.md"), "utf8");
    expect(md).toContain("| a-right | 1/1 100%");
    expect(md).toMatch(/- \*\*c-hang #1\*\*: .*wall-clock budget exhausted/);

    // Nothing of the hidden tests was in the agent's view: the requests never name them.
    expect(JSON.stringify(server.requests)).not.toContain("TestHidden");
  });

  it("--resume skips the runs already judged; --repeat adds the missing ones", async () => {
    const before = server.requests.length;
    SCRIPTS["a-right"]!.push(
      tool("write_file", { path: "internal/ledger/ledger.go", content: SOLUTION }),
      say(report(GO_ENGINEER_SECTIONS, "Implemented Transfer.")),
    );
    const { code } = await runEval(["--resume", "--repeat", "2", "--only", "a-right"]);
    expect(code).toBe(0);
    expect(server.requests.length - before).toBe(2);
    const results = JSON.parse(readFileSync(join(work, "tasks-out", "results.json"), "utf8")) as EvalResults;
    expect(results.runs.map((r) => `${r.task}#${r.repeat}:${r.judged}`)).toEqual([
      "a-right#1:pass",
      "a-right#2:pass",
    ]);
    expect(results.perTask["a-right"]).toMatchObject({ runs: 2, passed: 2 });
  });

  it("refuses to run real tasks without a key, and rejects an unknown provider", async () => {
    const noKey = await runEval([], { ANTHROPIC_API_KEY: "", ANTHROPIC_BASE_URL: "" });
    expect(noKey.code).toBe(1);
    expect(noKey.err).toContain("ANTHROPIC_API_KEY is not set");
    const provider = await runEval(["--provider", "openai"]);
    expect(provider.code).toBe(64);
    expect(provider.err).toContain('--provider must be one of anthropic, bedrock, vertex, got "openai"');
    expect(existsSync(join(work, "tasks", "a-right", "task.json"))).toBe(true);
  });
});

servicesDescribe("backend-go-agent eval on tasks that need PostgreSQL and Redis", () => {
  /** Job directories of this process still under the services root: servers not stopped. */
  const ours = () => {
    const jobs = join(TEST_DATA_DIR, "services", "jobs");
    if (!existsSync(jobs)) return [];
    return readdirSync(jobs).filter((d) => {
      const owner = join(jobs, d, OWNER_FILE);
      return existsSync(owner) && readFileSync(owner, "utf8").trim() === String(process.pid);
    });
  };

  it("judges the hidden tests against real servers started for the judge, and stops them", async () => {
    const { code, err } = await runEval([], {}, "services-tasks");
    expect(code).toBe(0);
    const results = JSON.parse(
      readFileSync(join(work, "services-tasks-out", "results.json"), "utf8"),
    ) as EvalResults;
    const byTask = Object.fromEntries(results.runs.map((r) => [r.task, r]));

    // The right transaction passes against the judge's own PostgreSQL.
    expect(byTask["e-pg-right"]).toMatchObject({ judged: "pass", failingTests: [], outcome: "completed" });
    expect(byTask["e-pg-right"]!.botGreen).toBe(true);
    expect(byTask["e-pg-right"]!.judgeServices?.labels).toEqual([expect.stringMatching(/^PostgreSQL \d+/)]);

    // One misspelled table: the bot's visible tests stay green, the hidden ones fail with
    // the database's own words.
    const typo = byTask["f-pg-typo"]!;
    expect(typo).toMatchObject({ judged: "fail", outcome: "completed", botGreen: true });
    expect(typo.failingTests).toContain(
      "example.com/wallets/internal/wallets.TestHiddenTransferMovesMoneyAndRecordsIt",
    );
    expect(typo.judgeSummary).toContain('relation "walets" does not exist');
    expect(err).toMatch(/f-pg-typo #1 {2}FAIL .*\n {6}failing: .*TestHidden/);

    // A new migration pair and the code using its column: up, down, up and the queries pass.
    expect(byTask["g-migration-right"]).toMatchObject({ judged: "pass", failingTests: [] });
    expect(byTask["g-migration-right"]!.changedFiles).toEqual(
      expect.arrayContaining([
        "migrations/0002_payments_settled_at.up.sql",
        "migrations/0002_payments_settled_at.down.sql",
      ]),
    );

    // go-redis against the judge's own Redis.
    expect(byTask["h-redis-right"]).toMatchObject({ judged: "pass", failingTests: [] });
    expect(byTask["h-redis-right"]!.judgeServices?.labels).toEqual([expect.stringMatching(/^Redis \d+/)]);

    expect(results.totals).toMatchObject({ runs: 4, passed: 3 });
    // Every server of the agents' jobs and of the judge is gone with its data directory.
    expect(ours()).toEqual([]);
  }, 600_000);
});
