// The two server processes the benchmarks compare: the real app (node dist/main.js, started
// as `npm start` and test/e2e/harness.ts start it) and a bare Probot app with one no-op
// handler (bare-probot.js). Both get the same kind of environment, listen on loopback and
// are ready when they answer HTTP; their output is kept in memory, never parsed for timing.
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./stand-in.js";

export const WEBHOOK_SECRET = "bench-webhook-secret-7c1e";
export const API_KEY = "sk-ant-bench-not-a-real-key";

export function appKeyPair() {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
}

export async function freePort() {
  const srv = createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  await new Promise((r) => srv.close(() => r()));
  return port;
}

/** VmRSS and VmHWM (peak) of a process, in MiB, from /proc/<pid>/status. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib("VmRSS") / 1024, hwmMiB: kib("VmHWM") / 1024 };
}

async function startProcess(script, args, env, healthPath) {
  const port = await freePort();
  const cwd = await mkdtemp(join(tmpdir(), "bga-bench-cwd-"));
  // BENCH_CPU_PROF_DIR=<dir> writes a V8 CPU profile of every server process on exit.
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    : [];
  const child = spawn(process.execPath, [...profile, script, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: cwd,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Only the tail is kept: enough to explain a failure, bounded for thousands of deliveries.
  let text = "";
  const keep = (d) => {
    text = (text + d.toString()).slice(-64 * 1024);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = once(child, "exit");
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited during startup:\n${text}`);
    try {
      const res = await fetch(`${url}${healthPath}`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${script} did not start in 60 s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    pid: child.pid,
    output: () => text,
    memory: () => memoryOf(child.pid),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/** The real app. `env` adds to (or overrides) the deployment-like defaults below. */
export function startApp({ appId, privateKey, gheHost, modelUrl, dataDir, env = {} }) {
  return startProcess(
    join(REPO_ROOT, "dist", "main.js"),
    [],
    {
      APP_ID: String(appId),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET,
      GHE_HOST: gheHost,
      GHE_PROTOCOL: "http",
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: modelUrl,
      DATA_DIR: dataDir,
      // Pre-installed pinned tools (bin/install-go-tools.sh): a bench start never builds them.
      GO_TOOLS_DIR: process.env.GO_TOOLS_DIR || join(tmpdir(), "backend-go-agent-go-tools"),
      LOG_FORMAT: "json",
      ...env,
    },
    "/health",
  );
}

/** Probot itself, one no-op handler on the same events, same secret and API base. */
export function startBareProbot({ appId, privateKey, gheHost, env = {} }) {
  return startProcess(
    join(REPO_ROOT, "bench", "bare-probot.js"),
    [],
    {
      APP_ID: String(appId),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET,
      GHE_HOST: gheHost,
      LOG_FORMAT: "json",
      ...env,
    },
    "/ping",
  );
}
