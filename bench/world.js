// Everything the app talks to in the benchmarks, in this process: the GitHub stand-in with
// the generated repository (and cold copies of it), a scripted model that answers at once,
// and a warm local clone for the plain-git baselines. Plus the small helpers every
// measurement shares: signed webhooks, waiting for a job, timing a command.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeRepository } from "./generate-repo.js";
import { appKeyPair, WEBHOOK_SECRET } from "./processes.js";
import { loadStandIn, REPO_ROOT } from "./stand-in.js";

export const OWNER = "acme";
export const REPO = "fleet";
export const BASELINE_TOKEN = "ghs_bench_baseline_token_0001";
const REPORT = [
  "## Summary\nAdded a benchmark marker.\n",
  "## Implementation\nOne new file.\n",
  "## Files Changed\n- one file\n",
  "## Testing\n`go test ./...` passes.\n",
  "## Next Steps\nNone.\n",
].join("\n");

export const ms = (start) => performance.now() - start;

/** Runs a program; resolves with stdout, rejects with its stderr. */
export function run(command, args, opts = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 256 << 20, ...opts }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(" ")} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Times one command, in milliseconds. */
export async function timed(command, args, opts) {
  const start = performance.now();
  await run(command, args, opts);
  return ms(start);
}

export function cleanGitEnv(home) {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Bench",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "Bench",
    GIT_COMMITTER_EMAIL: "bench@example.com",
    GIT_AUTHOR_DATE: "2026-11-23T10:00:00Z",
    GIT_COMMITTER_DATE: "2026-11-23T10:00:00Z",
  };
}

/** A scripted Anthropic-compatible server whose answer depends on which issue asks, and at which turn. */
async function startModel(recordFile) {
  const { startScriptedModel } = await import(
    pathToFileURL(join(REPO_ROOT, "test", "support", "model-server.mjs")).href
  );
  const scenarios = new Map();
  const firstSeen = new Map();
  const responder = async (body) => {
    const text = body.messages?.[0]?.content?.[0]?.text ?? "";
    const key = /on issue ([\w.-]+\/[\w.-]+#\d+)/.exec(text)?.[1] ?? "?";
    const turn = body.messages.filter((m) => m.role === "assistant").length;
    if (turn === 0) {
      const at = { perf: performance.now(), wall: Date.now() };
      firstSeen.set(key, at);
    }
    const scenario = scenarios.get(key);
    if (!scenario) return { error: { status: 400, message: `bench: no scenario for ${key}` } };
    const step = await scenario(turn, body);
    return step ?? { content: [{ type: "text", text: REPORT }] };
  };
  const model = await startScriptedModel({
    script: Array.from({ length: 100_000 }, () => responder),
    record: recordFile,
  });
  return {
    url: model.url,
    close: () => model.close(),
    /** `steps(turn, body)` answers each turn; undefined means "the report". */
    on(key, steps) {
      scenarios.set(key, steps);
    },
    firstRequestAt: (key) => firstSeen.get(key),
  };
}

export const REPORT_STEP = { content: [{ type: "text", text: REPORT }] };
export const toolStep = (name, input) => ({ content: [{ type: "tool_use", name, input }] });

/** The job most benchmarks run: write one file, `go test ./...`, report. */
export function writeAndTestScenario(path, content) {
  return (turn) =>
    turn === 0
      ? toolStep("write_file", { path, content })
      : turn === 1
        ? toolStep("go", { args: ["test", "./..."] })
        : REPORT_STEP;
}

export async function createWorld() {
  const tmp = await mkdtemp(join(tmpdir(), "bga-bench-"));
  const standIn = await loadStandIn();
  const keys = appKeyPair();
  const gh = await standIn.startGitHubServer({ appPublicKey: keys.publicKey });
  gh.acceptToken(BASELINE_TOKEN);
  // Every request the stand-in logs gets its arrival time, for the phase breakdowns.
  for (const log of [gh.state.requests, gh.git.requests]) {
    log.push = (...entries) => {
      for (const e of entries) e.at = performance.now();
      return Array.prototype.push.apply(log, entries);
    };
  }
  const recordFile = join(tmp, "model-requests.jsonl");
  const model = await startModel(recordFile);

  // The generated repository, committed once locally; stand-in repositories are pushed from it.
  const source = join(tmp, "source");
  const home = join(tmp, "git-home");
  await mkdir(home, { recursive: true });
  const repoStats = await writeRepository(source);
  const gitEnv = cleanGitEnv(home);
  await run("git", ["init", "--quiet", "--initial-branch=main", source], { env: gitEnv });
  await run("git", ["add", "--all"], { cwd: source, env: gitEnv });
  await run("git", ["commit", "--quiet", "-m", "Generated fleet module"], { cwd: source, env: gitEnv });

  async function createRepo(name) {
    await gh.createRepo(OWNER, name);
    await run("git", ["push", "--quiet", "--force", gh.git.gitDir(`${OWNER}/${name}`), "main"], {
      cwd: source,
      env: gitEnv,
    });
    gh.setPermission(OWNER, name, "alice", "write");
  }
  await createRepo(REPO);

  const authHeader = `http.extraHeader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${BASELINE_TOKEN}`).toString("base64")}`;
  /** git as a person at a terminal would run it: full clone, plain config, the token as a header. */
  const plainGit = (args, cwd) => timed("git", ["-c", authHeader, ...args], { cwd, env: gitEnv });

  let nextCommit = 0;
  return {
    tmp,
    gh,
    keys,
    model,
    repoStats,
    recordFile,
    gitEnv,
    plainGit,
    cloneUrl: (name = REPO) => gh.cloneUrl(OWNER, name),
    createRepo,
    /** A small new commit on main (a README line), so the next fetch has something to bring. */
    async pushCommit(name = REPO) {
      nextCommit++;
      await gh.git.commitFiles(`${OWNER}/${name}`, "main", {
        "CHANGES.md": `${Array.from({ length: nextCommit }, (_, i) => `- change ${i + 1}`).join("\n")}\n`,
      });
    },
    /** Labels a new issue: returns the scenario key and the time the webhook POST started. */
    async labelIssue(appUrl, { repo = REPO, title = "Benchmark task", scenario }) {
      const issue = gh.createIssue(OWNER, repo, { title, body: "Add a marker file.", user: "alice" });
      const key = `${OWNER}/${repo}#${issue.number}`;
      if (scenario) model.on(key, scenario);
      const payload = standIn.issuesLabeled(gh, {
        owner: OWNER,
        repo,
        number: issue.number,
        label: "backend-go",
        sender: "alice",
      });
      const body = JSON.stringify(payload);
      const deliveryId = `bench-${repo}-${issue.number}-${Date.now()}`;
      const started = { perf: performance.now(), wall: Date.now() };
      const res = await fetch(`${appUrl}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-GitHub-Event": "issues",
          "X-GitHub-Delivery": deliveryId,
          "X-Hub-Signature-256": standIn.signPayload(WEBHOOK_SECRET, body),
        },
        body,
      });
      await res.text();
      if (res.status >= 300) throw new Error(`webhook answered ${res.status}`);
      return { key, number: issue.number, deliveryId, started };
    },
    issuePayload(repo, number) {
      return standIn.issuesLabeled(gh, { owner: OWNER, repo, number, label: "backend-go", sender: "alice" });
    },
    signPayload: standIn.signPayload,
    async requestsOf(key) {
      const lines = (await readFile(recordFile, "utf8")).split("\n").filter(Boolean);
      return lines.filter((raw) => {
        const text = JSON.parse(raw).messages?.[0]?.content?.[0]?.text ?? "";
        return text.includes(`on issue ${key}:`);
      });
    },
    async close() {
      await model.close();
      await gh.close();
      await standIn.cleanup();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Probot spaces an installation's writes a second apart, and writes that notify people
 * (comments, pull requests) three seconds apart. Trials wait this long after the previous
 * one, so that none pays for the writes of the one before it.
 */
export const settleThrottle = () => new Promise((r) => setTimeout(r, 3_500));

/**
 * Polls the app's /jobs until the job of `deliveryId` has finished; returns its record. Its
 * finishedAt is the app's own clock, so the poll can be slow and small: every poll is work
 * for the app, which would otherwise slow down the job being measured.
 */
export async function finishedJob(appUrl, deliveryId, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const res = await fetch(`${appUrl}/jobs?limit=10`);
    const { jobs } = await res.json();
    const job = jobs.find((j) => j.deliveryId === deliveryId);
    if (job && (job.status === "succeeded" || job.status === "failed")) return job;
    if (Date.now() > deadline) throw new Error(`job of ${deliveryId} did not finish: ${JSON.stringify(job)}`);
  }
}

/** Waits until the scripted model has seen the first request of `key`. */
export async function firstRequest(model, key, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const at = model.firstRequestAt(key);
    if (at) return at;
    if (Date.now() > deadline) throw new Error(`no model request from ${key}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
