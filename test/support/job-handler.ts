// The GitHub job handler in process, for tests that drive single jobs: a real Probot against
// the GitHub stand-in (retries and throttling off, so each request is seen once), the
// scripted model through the real SDK, and the real Go toolchain. startInProcessJobs() is the
// whole world of such a test file; each test adds repositories and runs tasks.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Probot, ProbotOctokit } from "probot";
import { createAnthropicModelClient } from "../../src/agent/model/anthropic-client.js";
import { createGitHubJobHandler } from "../../src/github/github-job.js";
import type { TaskRequest } from "../../src/pipeline/task.js";
import type { HandledJob, JobHandler } from "../../src/queue/job-queue.js";
import {
  DEFAULT_TRIGGER_SETTINGS,
  parseTriggerEvent,
  type TriggerSettings,
} from "../../src/triggers/parse-event.js";
import { appKeyPair } from "../e2e/harness.js";
import { testToolchain } from "../golang/support.js";
import { type GitHubStandIn, startGitHubServer } from "./github-server.js";
import { type ScriptedModelServer, startScriptedModel } from "./scripted-model.js";

/** A Probot for the stand-in's App, retries and throttling off. */
export function standInProbot(gh: GitHubStandIn, privateKey: string): Probot {
  return new Probot({
    appId: gh.app.id,
    privateKey,
    baseUrl: gh.apiUrl,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
}

export async function inProcessJobHandler(opts: {
  gh: GitHubStandIn;
  privateKey: string;
  modelUrl: string;
  dataDir: string;
}): Promise<JobHandler> {
  const { gh } = opts;
  const probot = standInProbot(gh, opts.privateKey);
  return createGitHubJobHandler({
    probot,
    dataDir: opts.dataDir,
    modelClient: createAnthropicModelClient({ apiKey: "sk-ant-test", baseURL: opts.modelUrl, maxRetries: 0 }),
    toolchain: await testToolchain(),
    identity: async () => ({
      slug: gh.app.slug,
      name: `${gh.app.slug}[bot]`,
      email: `${gh.bot.id}+${gh.app.slug}[bot]@users.noreply.github.com`,
    }),
    logger: { info() {}, warn() {}, error() {} },
    trackingIntervalMs: 10,
    finalRetryDelaysMs: [10, 20, 40],
  });
}

/** The in-process job world of one test file: the stand-in, the model, a DATA_DIR, the handler. */
export interface InProcessJobs {
  keys: { privateKey: string; publicKey: string };
  gh: GitHubStandIn;
  model: ScriptedModelServer;
  dataDir: string;
  handler: JobHandler;
  /** A webhook's task, as the app would enqueue it; each call is a new delivery. */
  task(event: string, payload: unknown, settings?: Partial<TriggerSettings>): TaskRequest;
  /** Runs a task as the worker would, on a fresh job id (or the one given). */
  run(task: TaskRequest, opts?: { jobId?: string; attempt?: number }): Promise<HandledJob>;
  close(): Promise<void>;
}

export async function startInProcessJobs(): Promise<InProcessJobs> {
  const keys = appKeyPair();
  const gh = await startGitHubServer({ appPublicKey: keys.publicKey });
  const model = await startScriptedModel({ script: [] });
  const dataDir = await mkdtemp(join(tmpdir(), "bga-jobs-"));
  const handler = await inProcessJobHandler({
    gh,
    privateKey: keys.privateKey,
    modelUrl: model.url,
    dataDir,
  });
  let deliveries = 0;
  return {
    keys,
    gh,
    model,
    dataDir,
    handler,
    task(event, payload, settings) {
      const parsed = parseTriggerEvent(event, `delivery-${++deliveries}`, payload, {
        ...DEFAULT_TRIGGER_SETTINGS,
        ...settings,
      });
      if (parsed.kind !== "task") throw new Error(`not a task: ${parsed.reason}`);
      return parsed.task;
    },
    run(task, opts = {}) {
      const attempt = opts.attempt ?? 1;
      return handler(task, {
        jobId: opts.jobId ?? `job-${task.deliveryId}`,
        attempt,
        restarted: attempt > 1,
        signal: new AbortController().signal,
      }) as Promise<HandledJob>;
    },
    async close() {
      await model.close();
      await gh.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
