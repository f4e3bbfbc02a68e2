// The real app, started the way `npm start` starts it (node dist/main.js), against the
// GitHub stand-in and the scripted model, each on a free loopback port. The app process
// gets only the environment a deployment would give it, so whatever it leaks shows up in
// its own output, which the harness keeps.
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_GO_TOOLS_DIR } from "../golang/go-tools-support.js";
import { freePort } from "../support/free-port.js";
import { REPO_ROOT } from "../support/model-checkout.js";

export const WEBHOOK_SECRET = "e2e-webhook-secret-5b1f0c9d";
/** Sentinel: must never appear in anything the app writes or sends to GitHub. */
export const API_KEY = "sk-ant-e2e-sentinel-key-3f8a2b7c9d";

export function appKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
}

export { freePort };

export interface AppProcess {
  url: string;
  /** Its DATA_DIR: start another app on it to play a restarted machine. */
  dataDir: string;
  /** Everything the process wrote to stdout and stderr, as it arrived. */
  output(): string;
  /** SIGKILL: no shutdown hooks run, as when a machine dies. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | null>;
}

export interface AppEnv {
  appId: number;
  privateKey: string;
  gheHost: string;
  modelUrl: string;
  dataDir: string;
  extra?: Record<string, string>;
  /** Listen here (e.g. to set PUBLIC_URL beforehand); default a free port. */
  port?: number;
}

/** Runs the app (as `npm start` does) on a given port until it exits: for starts that must fail. */
export async function runAppToExit(
  env: AppEnv,
  port: number,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const cwd = await mkdtemp(join(tmpdir(), "bga-e2e-cwd-"));
  const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "main.js")], {
    cwd,
    env: appEnvironment(env, port, cwd),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  await rm(cwd, { recursive: true, force: true });
  return { code, output };
}

function appEnvironment(env: AppEnv, port: number, cwd: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: cwd,
    APP_ID: String(env.appId),
    PRIVATE_KEY: env.privateKey,
    WEBHOOK_SECRET,
    GHE_HOST: env.gheHost,
    GHE_PROTOCOL: "http",
    ANTHROPIC_API_KEY: API_KEY,
    ANTHROPIC_BASE_URL: env.modelUrl,
    DATA_DIR: env.dataDir,
    // The suite's shared, pre-installed Go tools: no app start builds them again.
    GO_TOOLS_DIR: TEST_GO_TOOLS_DIR,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    JOB_LEASE_SECONDS: "3",
    JOB_RETRY_BACKOFF_SECONDS: "1",
    SHUTDOWN_GRACE_SECONDS: "5",
    ...env.extra,
  };
}

/** The app's listen error when another process took its port between freePort() and its bind. */
const PORT_TAKEN = /EADDRINUSE|already in use/;

export async function startAppProcess(env: AppEnv): Promise<AppProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAppOnce(env, env.port ?? (await freePort()));
    } catch (err) {
      // A fixed port (env.port) is the caller's to keep free: no second try on another.
      if (!(err instanceof PortTakenError) || env.port !== undefined || attempt === 3) throw err;
    }
  }
}

class PortTakenError extends Error {
  override name = "PortTakenError";
}

async function startAppOnce(env: AppEnv, port: number): Promise<AppProcess> {
  const cwd = await mkdtemp(join(tmpdir(), "bga-e2e-cwd-"));
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, "dist", "main.js")], {
    cwd,
    env: appEnvironment(env, port, cwd),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (d: Buffer) => {
    text += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    text += d.toString();
  });
  const exited = once(child, "exit");
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await rm(cwd, { recursive: true, force: true });
      const Failure = PORT_TAKEN.test(text) ? PortTakenError : Error;
      throw new Failure(`the app exited during startup:\n${text}`);
    }
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the app did not become healthy in 60 s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const cleanup = () => rm(cwd, { recursive: true, force: true });
  return {
    url,
    dataDir: env.dataDir,
    output: () => text,
    async kill() {
      child.kill("SIGKILL");
      await exited;
      await cleanup();
    },
    async stop() {
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      await cleanup();
      return code;
    },
  };
}

/** Polls until `check` returns a value (not undefined/false), or fails naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A DATA_DIR for one app. Its Go caches (`go/`) are the run's shared directory when the
 * run made one (test/setup/go-cache.js), so only the run's first job builds cold.
 */
export async function tempDataDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "bga-e2e-data-"));
  await mkdir(dir, { recursive: true });
  const shared = process.env.BGA_E2E_GO_DIR;
  if (shared) await symlink(shared, join(dir, "go"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 }) };
}
