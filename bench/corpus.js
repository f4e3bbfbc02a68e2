// `npm run corpus`: the verdict on real Go projects (the git bundles of ../shared/corpus, or
// CORPUS_DIR). For each project, (1) the unchanged tree is verified (go vet and go build of
// every module: what the project already fails on its own), then (2) a whole job runs through
// the real app (dist/main.js) against the GitHub stand-in, with a scripted model that makes a
// small correct change: a new leaf package with one function and its table test, written to
// the strict linters' taste (t.Parallel, a blank line before return). The job runs twice: cold
// (the project's modules and packages not yet in the app's caches) and warm (a second issue).
// Expected: every verdict green or only pre-existing, every PR ready (not a draft).
// Results go to bench/corpus.md (CORPUS_OUT). CORPUS_ONLY=name,name picks projects;
// CORPUS_UNCHANGED=0 skips step (1); CORPUS_GO_DIR holds step (1)'s Go caches;
// `--smallest 2` the two smallest bundles (what CI runs). Exit 1 when a PR is a draft.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { changeFor, corpusBundles } from "./corpus-change.js";
import { appKeyPair, startApp, WEBHOOK_SECRET } from "./processes.js";
import { loadStandIn, REPO_ROOT } from "./stand-in.js";
import { cleanGitEnv, finishedJob, run } from "./world.js";

const CORPUS_DIR = resolve(REPO_ROOT, process.env.CORPUS_DIR ?? "../shared/corpus");
const OUT = resolve(REPO_ROOT, process.env.CORPUS_OUT ?? "bench/corpus.md");
const OWNER = "corpus";
const JOB_TIMEOUT_MS = Number(process.env.CORPUS_JOB_TIMEOUT_MS ?? 30 * 60_000);
const GO_TOOLS_DIR = process.env.GO_TOOLS_DIR || join(tmpdir(), "backend-go-agent-go-tools");

const { createGoToolchain } = await import(
  pathToFileURL(join(REPO_ROOT, "dist/golang/go-toolchain.js")).href
);
const { verify } = await import(pathToFileURL(join(REPO_ROOT, "dist/verify/verify.js")).href);
const { findModuleDirs } = await import(pathToFileURL(join(REPO_ROOT, "dist/verify/go-modules.js")).href);

function bundles() {
  const at = process.argv.indexOf("--smallest");
  return corpusBundles(CORPUS_DIR, {
    ...(at >= 0 ? { smallest: Number(process.argv[at + 1] ?? 2) } : {}),
    only: process.env.CORPUS_ONLY,
  });
}

const seconds = (ms) => (ms / 1000).toFixed(0);

const REPORT = [
  "## Summary\nAdded clamp.Int with a table test.\n",
  "## Implementation\nA new leaf package.\n",
  "## Files Changed\n- clamp.go\n- clamp_test.go\n",
  "## Testing\nThe table test.\n",
  "## Next Steps\nNone.\n",
].join("\n");

/** (1) The unchanged tree: go vet and go build of every module, as the verdict runs them. */
async function verifyUnchanged(toolchain, source) {
  const rows = [];
  const started = Date.now();
  for (const dir of findModuleDirs(source).slice(0, 12)) {
    const v = await verify(toolchain, { dir, root: source, checks: ["vet", "build"] });
    const mod = relative(source, dir) || ".";
    for (const c of v.checks) rows.push(`${mod}: ${c.name} ${c.status} — ${c.summary}`);
  }
  return { rows, ms: Date.now() - started };
}

/** The verdict rows of a PR body's table: "| go vet | ✅ pass | no findings |". */
function verdictRows(body) {
  return body
    .split("\n")
    .filter((l) => /^\|[^|]+\|\s*(✅|❌|⚠️|⏭️)/u.test(l))
    .map((l) =>
      l
        .split("|")
        .map((c) => c.trim())
        .filter(Boolean)
        .slice(0, 3)
        .join(" "),
    );
}

function preexisting(body) {
  const at = body.indexOf("#### Pre-existing on");
  if (at < 0) return [];
  return body
    .slice(at)
    .split("\n")
    .slice(1)
    .filter((l) => l.startsWith("- "))
    .map((l) => l.slice(2));
}

async function main() {
  if (!existsSync(CORPUS_DIR)) {
    console.log(`no corpus at ${CORPUS_DIR} (set CORPUS_DIR): skipped`);
    return;
  }
  const list = bundles();
  if (list.length === 0) throw new Error(`no .bundle files in ${CORPUS_DIR} (set CORPUS_DIR)`);
  const tmp = await mkdtemp(join(tmpdir(), "bga-corpus-"));
  const standIn = await loadStandIn();
  const keys = appKeyPair();
  const gh = await standIn.startGitHubServer({ appPublicKey: keys.publicKey });
  const { startScriptedModel } = await import(
    pathToFileURL(join(REPO_ROOT, "test/support/model-server.mjs")).href
  );
  const scenarios = new Map();
  const responder = async (body) => {
    const text = body.messages?.[0]?.content?.[0]?.text ?? "";
    const key = /on issue ([\w.-]+\/[\w.-]+#\d+)/.exec(text)?.[1] ?? "?";
    const turn = body.messages.filter((m) => m.role === "assistant").length;
    const files = scenarios.get(key);
    if (!files) return { error: { status: 400, message: `corpus: no scenario for ${key}` } };
    if (turn === 0) {
      return {
        content: Object.entries(files).map(([path, content], i) => ({
          type: "tool_use",
          id: `toolu_corpus_${i}`,
          name: "write_file",
          input: { path, content },
        })),
      };
    }
    return { content: [{ type: "text", text: REPORT }] };
  };
  const model = await startScriptedModel({ script: Array.from({ length: 10_000 }, () => responder) });
  const dataDir = join(tmp, "data");
  const app = await startApp({
    appId: gh.app.id,
    privateKey: keys.privateKey,
    gheHost: gh.host,
    modelUrl: model.url,
    dataDir,
    env: {
      GO_TOOLS_DIR,
      SHUTDOWN_GRACE_SECONDS: "1",
      ...(process.env.GOPROXY ? { GOPROXY: process.env.GOPROXY } : {}),
    },
  });
  // (1) keeps its Go caches between runs (CORPUS_GO_DIR): it is the reference, not what is timed cold.
  const toolchain = await createGoToolchain({
    dataDir: process.env.CORPUS_GO_DIR || join(tmpdir(), "backend-go-agent-corpus-go"),
    goflags: "-modcacherw",
  });
  const home = join(tmp, "git-home");
  await mkdir(home, { recursive: true });
  const gitEnv = cleanGitEnv(home);
  const results = [];
  let failed = false;
  try {
    for (const b of list) {
      const source = join(tmp, b.name);
      await run("git", ["clone", "-q", "--branch", "main", b.path, source], { env: gitEnv });
      // CORPUS_UNCHANGED=0 leaves out step (1) (CI: the jobs are what must stay green).
      let unchanged = { rows: ["(not run: CORPUS_UNCHANGED=0)"], ms: 0 };
      if (process.env.CORPUS_UNCHANGED !== "0") {
        console.log(`${b.name}: verifying the unchanged tree`);
        unchanged = await verifyUnchanged(toolchain, source);
      }
      await gh.createRepo(OWNER, b.name);
      await run("git", ["push", "--quiet", "--force", gh.git.gitDir(`${OWNER}/${b.name}`), "main"], {
        cwd: source,
        env: gitEnv,
      });
      gh.setPermission(OWNER, b.name, "alice", "write");
      const change = await changeFor(source);
      const jobs = [];
      for (const phase of ["cold", "warm"]) {
        const issue = gh.createIssue(OWNER, b.name, {
          title: `Add clamp.Int (${phase})`,
          body: "Add a function that limits an int to a range, with a table test.",
          user: "alice",
        });
        scenarios.set(`${OWNER}/${b.name}#${issue.number}`, change.files);
        const payload = standIn.issuesLabeled(gh, {
          owner: OWNER,
          repo: b.name,
          number: issue.number,
          label: "backend-go",
          sender: "alice",
        });
        const body = JSON.stringify(payload);
        const deliveryId = `corpus-${b.name}-${issue.number}`;
        const started = Date.now();
        console.log(`${b.name}: job ${phase}`);
        const res = await fetch(`${app.url}/api/github/webhooks`, {
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
        const job = await finishedJob(app.url, deliveryId, JOB_TIMEOUT_MS);
        const ms = Date.now() - started;
        const pr = gh.state
          .pulls(OWNER, b.name)
          .find((p) => (p.body ?? "").includes(`Closes #${issue.number}`) || p.title.includes(`(${phase})`));
        const prBody = pr?.body ?? "";
        jobs.push({
          phase,
          ms,
          status: job.status,
          pr: pr ? (pr.pull.draft ? "draft" : "ready") : "none",
          rows: verdictRows(prBody),
          pre: preexisting(prBody),
        });
        if (!pr || pr.pull.draft) {
          failed = true;
          console.log(`${b.name}: ${phase} job ${job.status}; the PR body:\n${prBody || "(no PR)"}`);
        }
        console.log(`${b.name}: ${phase} ${seconds(ms)} s, PR ${jobs.at(-1).pr}`);
      }
      results.push({ name: b.name, size: b.size, unchanged, jobs });
      await rm(source, { recursive: true, force: true });
    }
  } finally {
    await app.stop().catch(() => undefined);
    await model.close();
    await gh.close();
    await standIn.cleanup();
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
  await writeFile(OUT, render(results));
  console.log(`wrote ${relative(REPO_ROOT, OUT)}`);
  if (failed) process.exitCode = 1;
}

function render(results) {
  const lines = [
    "# The corpus: the verdict on real Go projects",
    "",
    `\`npm run corpus\` on ${new Date().toISOString().slice(0, 10)} (${process.env.CORPUS_NOTE ?? "2 shared cores"}).`,
    "Per project: (1) go vet and go build of every module of the unchanged tree; (2) a whole job through",
    "the real app and the GitHub stand-in, a scripted model adding a leaf package (clamp.Int and its table",
    "test), cold (first job on the project: its modules downloaded, its packages built) and warm (a second job).",
    "",
    "| project | PR cold / warm | verdict rows (cold) | pre-existing | job s cold / warm | unchanged tree s |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of results) {
    const [cold, warm] = r.jobs;
    const cell = (xs) => (xs.length ? xs.join("<br>") : "—").replace(/\|/g, "\\|");
    lines.push(
      `| ${r.name} | ${cold?.pr ?? "?"} / ${warm?.pr ?? "?"} | ${cell(cold?.rows ?? [])} | ${cell(cold?.pre ?? [])} | ${seconds(cold?.ms ?? 0)} / ${seconds(warm?.ms ?? 0)} | ${seconds(r.unchanged.ms)} |`,
    );
  }
  lines.push("", "## The unchanged trees (what each project fails on its own)", "");
  for (const r of results) {
    lines.push(`### ${r.name}`, "", ...r.unchanged.rows.map((row) => `- ${row}`), "");
  }
  return `${lines.join("\n")}\n`;
}

await main();
