// The CLI as a user runs it: `node dist/cli.js run …` (npm test builds first) against the
// scripted Messages API, on a git copy of the ledger-service fixture.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { TEST_DATA_DIR } from "../golang/support.js";
import { git, type LedgerCheckout, ledgerCheckout, REPO_ROOT } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptedModelServer,
  type ScriptStep,
  say,
  startScriptedModel,
  tool,
  toolResults,
} from "../support/scripted-model.js";

const CLI = join(REPO_ROOT, "dist", "cli.js");
const API_KEY = "sk-ant-cli-test-4f9a2c";

let checkout: LedgerCheckout;
let server: ScriptedModelServer | undefined;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error("dist/cli.js is missing: run `npm run build` first (npm test does)");
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await checkout?.cleanup();
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnCli(repo: string, url: string, args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, "run", "--repo", repo, ...args], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: tmpdir(),
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: url,
      DATA_DIR: TEST_DATA_DIR,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

async function cli(script: ScriptStep[], args: string[]): Promise<CliRun> {
  checkout = await ledgerCheckout();
  server = await startScriptedModel({ script });
  return spawnCli(checkout.dir, server.url, args);
}

const FULL_REPORT = report(GO_ENGINEER_SECTIONS, "Added a version constant.");

describe("backend-go-agent run", () => {
  it("commits the agent's work on a new branch, prints the report, exits 0", async () => {
    let goEnvOutput = "";
    const result = await cli(
      [
        tool("write_file", {
          path: "ledger/version.go",
          content: 'package ledger\n\n// Version of the ledger package.\nconst Version = "1.0.0"\n',
        }),
        tool("go", { args: ["env"] }),
        (req) => {
          goEnvOutput = toolResults(req)[0]?.content ?? "";
          return tool("go", { args: ["build", "./..."] });
        },
        say(FULL_REPORT),
      ],
      ["--task", "Add a Version constant to the ledger package.", "--max-turns", "10"],
    );
    expect(result.stderr).not.toContain("failed");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(FULL_REPORT.trim());
    expect(result.stderr).toMatch(/\[turn 1\/10\]\s+write_file ledger\/version.go/);
    expect(result.stderr).toMatch(/\[turn 4\/10\] model replied · [\d,]+ tokens · \$\d+\.\d{4}/);
    const branch = git(checkout.dir, "branch", "--show-current");
    expect(branch).toMatch(/^backend-go\/cli-\d{8}-\d{6}$/);
    expect(git(checkout.dir, "show", "--name-only", "--format=%an|%s", "HEAD").split("\n")).toEqual([
      "backend-go-agent|Added a version constant",
      "",
      "ledger/version.go",
    ]);
    expect(git(checkout.dir, "status", "--porcelain")).toBe("");
    expect(git(checkout.dir, "log", "--format=%s", "main")).toBe("ledger-service fixture");
    // The key never reaches the model, the go child process or the output.
    expect(goEnvOutput).toContain("GOFLAGS");
    for (const text of [goEnvOutput, result.stdout, result.stderr, JSON.stringify(server!.requests)]) {
      expect(text).not.toContain(API_KEY);
    }
  });

  it("prints the questions and exits 2 when the agent needs clarification", async () => {
    const result = await cli(
      [tool("ask_clarification", { questions: ["Cents or units?"] })],
      ["--task", "Add balances."],
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("1. Cents or units?");
    expect(git(checkout.dir, "log", "--all", "--format=%s")).toBe("ledger-service fixture");
  });

  it("exits 1 naming the budget, and commits nothing, when the turns run out", async () => {
    const write = tool("write_file", { path: "half.go", content: "package ledger\n" });
    const result = await cli([write, write], ["--task", "Do a lot.", "--max-turns", "2"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("failed: turn budget exhausted: 2 of 2 turns used");
    expect(git(checkout.dir, "log", "--all", "--format=%s")).toBe("ledger-service fixture");
  });

  it("reads the task from a file and refuses a dirty checkout", async () => {
    const result = await cli(
      [say(FULL_REPORT)],
      ["--task-file", join(REPO_ROOT, "test", "fixtures", "ledger-service", "README.md")],
    );
    expect(result.code).toBe(0);
    const first = server!.requests[0]!.messages[0].content[0].text as string;
    expect(first).toContain("A tiny stdlib-only ledger");
    // The repository's AGENTS.md travels with the task, as repository material.
    expect(first).toContain("never use float64 for amounts");
    // Leave a change behind: a second run must refuse to mix it into its commit.
    writeFileSync(join(checkout.dir, "scratch.txt"), "mine\n");
    await server?.close();
    server = await startScriptedModel({ script: [say(FULL_REPORT)] });
    const again = await spawnCli(checkout.dir, server.url, ["--task", "again"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/uncommitted changes; commit or stash them first/);
    expect(readFileSync(join(checkout.dir, "scratch.txt"), "utf8")).toBe("mine\n");
  });

  it("exits 1 naming the agents when --agent names none of them", async () => {
    const result = await cli([say(FULL_REPORT)], ["--task", "x", "--agent", "frontend-wizard"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /failed: There is no agent named "frontend-wizard".*@backend-engineer-golang/,
    );
    expect(server!.requests).toHaveLength(0);
  });

  it("applies the checkout's .github/backend-go-agent.yml: its verify commands and protected paths", async () => {
    checkout = await ledgerCheckout();
    mkdirSync(join(checkout.dir, ".github"), { recursive: true });
    writeFileSync(
      join(checkout.dir, ".github", "backend-go-agent.yml"),
      'verify:\n  commands:\n    - ["go", "build", "./..."]\nprotected_paths: [migrations/**]\n',
    );
    git(checkout.dir, "add", "-A");
    git(checkout.dir, "commit", "-q", "-m", "configure the bot");
    server = await startScriptedModel({
      script: [
        // Builds, but is not gofmt-clean: the default checks would fail it, the repository's pass it.
        tool("write_file", {
          path: "ledger/version.go",
          content: 'package ledger\n\nconst Version   = "1"\n',
        }),
        tool("write_file", { path: "migrations/002_drop.sql", content: "drop table accounts;\n" }),
        say(FULL_REPORT),
      ],
    });
    const result = await spawnCli(checkout.dir, server.url, ["--task", "Add a Version constant."]);
    expect(result.code).toBe(0);
    const [refused] = toolResults(server.requests[2]!);
    expect(refused?.is_error).toBe(true);
    expect(refused?.content).toMatch(/protected/);
    expect(result.stderr).toMatch(/verification: pass \(/);
    expect(git(checkout.dir, "show", "--name-only", "--format=", "HEAD")).toBe("ledger/version.go");
  });

  it("exits 1 with the file's own words when the checkout's configuration is invalid", async () => {
    checkout = await ledgerCheckout();
    mkdirSync(join(checkout.dir, ".github"), { recursive: true });
    writeFileSync(join(checkout.dir, ".github", "backend-go-agent.yml"), "budgets:\n  max_usd: -3\n");
    git(checkout.dir, "add", "-A");
    git(checkout.dir, "commit", "-q", "-m", "configure the bot");
    server = await startScriptedModel({ script: [say(FULL_REPORT)] });
    const result = await spawnCli(checkout.dir, server.url, ["--task", "x"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'failed: local/ledger-service:.github/backend-go-agent.yml: key "budgets.max_usd": must be above 0',
    );
    expect(server.requests).toHaveLength(0);
  });

  it("exits 64 with the usage on bad arguments", async () => {
    const result = await cli([], ["--task", "x", "--max-turns", "many"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain("--max-turns must be a positive whole number");
    expect(result.stderr).toContain("usage: backend-go-agent run");
  });
});
