// `node bench/eval-scripted.js [--concurrency n]` (after `npm run build`): the whole bundled eval
// suite through `backend-go-agent eval` against the scripted Messages API, where the "model"
// writes each task's reference solution (solution/) in one turn and then reports; the asking
// task asks with options. Measures what the harness itself costs in time: checkouts, the job
// pipeline with its verification, and the hidden-test judging. Every run should pass.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { startScriptedModel } from "../test/support/model-server.mjs";
import { REPO_ROOT } from "./stand-in.js";

const SUITE = join(REPO_ROOT, "evals", "go-backend");
const SECTIONS = ["Summary", "Implementation", "Files Changed", "Testing", "Next Steps"];
const concurrency = process.argv.includes("--concurrency")
  ? process.argv[process.argv.indexOf("--concurrency") + 1]
  : "1";

function files(root, dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory()
      ? files(root, p)
      : [{ path: relative(root, p), content: readFileSync(p, "utf8") }];
  });
}

const tasks = readdirSync(SUITE)
  .filter((id) => statSync(join(SUITE, id)).isDirectory())
  .map((id) => ({ id, meta: JSON.parse(readFileSync(join(SUITE, id, "task.json"), "utf8")) }));
const turns = new Map();

function step(request) {
  const first = JSON.stringify(request.messages?.[0] ?? "");
  const task = tasks.find((t) => first.includes(t.meta.title));
  if (!task) return { content: [{ type: "text", text: "unknown task" }] };
  const n = turns.get(task.id) ?? 0;
  turns.set(task.id, n + 1);
  if (task.meta.expect === "ask") {
    const questions = [
      "Which format should the export use: CSV or JSON lines?",
      "Which orders: by creation or payment date?",
    ];
    return { content: [{ type: "tool_use", name: "ask_clarification", input: { questions } }] };
  }
  if (n === 0) {
    const writes = files(join(SUITE, task.id, "solution")).map((f) => ({
      type: "tool_use",
      name: "write_file",
      input: f,
    }));
    return { content: writes };
  }
  return {
    content: [{ type: "text", text: SECTIONS.map((s) => `## ${s}\nThe reference solution.\n`).join("\n") }],
  };
}

const server = await startScriptedModel({ script: Array.from({ length: 200 }, () => step) });
const out = mkdtempSync(join(tmpdir(), "bga-eval-bench-"));
const started = Date.now();
const child = spawn(
  process.execPath,
  [join(REPO_ROOT, "dist", "cli.js"), "eval", "--out", out, "--concurrency", concurrency],
  {
    env: {
      PATH: process.env.PATH,
      HOME: tmpdir(),
      DATA_DIR: process.env.DATA_DIR ?? join(tmpdir(), "backend-go-agent-test-go"),
      ANTHROPIC_API_KEY: "sk-ant-scripted",
      ANTHROPIC_BASE_URL: server.url,
    },
    stdio: ["ignore", "inherit", "inherit"],
  },
);
const code = await new Promise((resolve) => child.on("close", resolve));
const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
process.stdout.write(
  `\nscripted eval: ${results.totals.passed}/${results.totals.runs} passed in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `(concurrency ${concurrency}, median ${(results.totals.medianWallMs / 1000).toFixed(1)} s per run), exit ${code}\n`,
);
await server.close();
rmSync(out, { recursive: true, force: true });
