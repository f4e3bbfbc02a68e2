// The end-to-end world, one per test file: a key pair, the GitHub stand-in that trusts it, the
// scripted model, and the real app process (node dist/main.js) against both, each with its own
// DATA_DIR; Redis too when asked. Tests add repositories and script the model, then talk to
// the app as GitHub does (signed webhooks) and read its job records over GET /jobs.
import { expect } from "@jest/globals";
import type { JobRecord } from "../../src/queue/job-record.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import { issuesLabeled, sendWebhook } from "../support/github-webhooks.js";
import { type RedisServer, startRedis } from "../support/redis-server.js";
import { type ScriptedModelServer, type ScriptStep, startScriptedModel } from "../support/scripted-model.js";
import {
  type AppEnv,
  type AppProcess,
  appKeyPair,
  startAppProcess,
  tempDataDir,
  WEBHOOK_SECRET,
  waitFor,
} from "./harness.js";

/** A job record as GET /jobs shows it: times are ISO 8601 strings there. */
export type JobView = Omit<
  JobRecord,
  "createdAt" | "startedAt" | "finishedAt" | "updatedAt" | "nextRunAt"
> & {
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  updatedAt: string;
  nextRunAt?: string;
};

export interface WorldOptions {
  /** Environment every app of this world gets on top of the harness's (JOBS_TOKEN, limits …). */
  extra?: Record<string, string>;
  /** A private redis-server, for apps on BullMQ (`REDIS_URL: world.redis.url`). */
  redis?: boolean;
}

export interface E2EWorld {
  keys: { privateKey: string; publicKey: string };
  gh: GitHubStandIn;
  model: ScriptedModelServer;
  redis?: RedisServer;
  /** The webhook secret the apps verify: the harness's, or `extra.WEBHOOK_SECRET`. */
  webhookSecret: string;
  /** The first app startApp() started: the default of the methods below. */
  readonly app: AppProcess;
  /**
   * Starts an app (stopped by close()) on a fresh DATA_DIR (removed by close()), or on
   * `dataDir`, as a restarted machine would.
   */
  startApp(extra?: Record<string, string>, opts?: { dataDir?: string }): Promise<AppProcess>;
  /** What startApp() gives an app: for runAppToExit, or an app a test manages itself. */
  appEnv(dataDir: string, extra?: Record<string, string>): AppEnv;
  /** Delivers a signed webhook; the app must accept it. Resolves to the delivery id. */
  deliver(event: string, payload: unknown, opts?: { app?: AppProcess; deliveryId?: string }): Promise<string>;
  /** The app's job records, newest first. */
  jobs(app?: AppProcess): Promise<JobView[]>;
  /** The record of a delivery's job, if there is one yet. */
  job(deliveryId: string, app?: AppProcess): Promise<JobView | undefined>;
  /** Waits until the job of a delivery has succeeded or failed. */
  finishedJob(deliveryId: string, timeoutMs?: number, app?: AppProcess): Promise<JobView>;
  /**
   * Waits until the app's queue is idle (GET /health: depth 0, nothing queued, running or
   * retrying): after the webhooks were answered, the signal that no job is left to act.
   */
  idle(app?: AppProcess): Promise<void>;
  /** Stops every app, the model, the stand-in and Redis; removes the data directories. */
  close(): Promise<void>;
}

/** GET /jobs of an app, with its JOBS_TOKEN when it has one. */
export async function jobRecords(app: AppProcess, jobsToken?: string): Promise<JobView[]> {
  const headers: Record<string, string> = jobsToken ? { authorization: `Bearer ${jobsToken}` } : {};
  const res = await fetch(`${app.url}/jobs?limit=500`, { headers });
  if (res.status !== 200) throw new Error(`GET /jobs answered ${res.status}`);
  return ((await res.json()) as { jobs: JobView[] }).jobs;
}

const isFinished = (j: JobView) => j.status === "succeeded" || j.status === "failed";

/** Waits until the job of a delivery has succeeded or failed. */
export function finishedJob(
  app: AppProcess,
  jobsToken: string | undefined,
  deliveryId: string,
  timeoutMs = 240_000,
): Promise<JobView> {
  return waitFor(
    `the job of delivery ${deliveryId} to finish`,
    async () => {
      const job = (await jobRecords(app, jobsToken)).find((j) => j.deliveryId === deliveryId);
      return job && isFinished(job) ? job : undefined;
    },
    timeoutMs,
  );
}

export async function startWorld(options: WorldOptions = {}): Promise<E2EWorld> {
  const keys = appKeyPair();
  const extra = options.extra ?? {};
  const jobsToken = extra.JOBS_TOKEN;
  const gh = await startGitHubServer({ appPublicKey: keys.publicKey });
  const model = await startScriptedModel({ script: [] });
  const redis = options.redis ? await startRedis() : undefined;
  const started: { app: AppProcess; cleanup: () => Promise<void> }[] = [];
  const webhookSecret = extra.WEBHOOK_SECRET ?? WEBHOOK_SECRET;
  const appEnv = (dataDir: string, more: Record<string, string> = {}): AppEnv => ({
    appId: gh.app.id,
    privateKey: keys.privateKey,
    gheHost: gh.host,
    modelUrl: model.url,
    dataDir,
    extra: { ...extra, ...more },
  });
  const first = () => {
    const app = started[0]?.app;
    if (!app) throw new Error("no app started in this world yet: call startApp() first");
    return app;
  };
  return {
    keys,
    gh,
    model,
    ...(redis ? { redis } : {}),
    webhookSecret,
    get app() {
      return first();
    },
    async startApp(more = {}, opts = {}) {
      const data = opts.dataDir ? { dir: opts.dataDir, cleanup: async () => {} } : await tempDataDir();
      try {
        const app = await startAppProcess(appEnv(data.dir, more));
        started.push({ app, cleanup: data.cleanup });
        return app;
      } catch (err) {
        await data.cleanup();
        throw err;
      }
    },
    appEnv,
    async deliver(event, payload, { app = first(), deliveryId } = {}) {
      const res = await sendWebhook(`${app.url}/api/github/webhooks`, {
        secret: webhookSecret,
        event,
        payload,
        ...(deliveryId ? { deliveryId } : {}),
      });
      expect(res.status).toBeLessThan(300);
      return res.deliveryId;
    },
    jobs: (app = first()) => jobRecords(app, jobsToken),
    job: async (deliveryId, app = first()) =>
      (await jobRecords(app, jobsToken)).find((j) => j.deliveryId === deliveryId),
    finishedJob: (deliveryId, timeoutMs, app = first()) => finishedJob(app, jobsToken, deliveryId, timeoutMs),
    async idle(app = first()) {
      await waitFor("the app's queue to be idle", async () => {
        const res = await fetch(`${app.url}/health`);
        return res.ok && ((await res.json()) as { queue: { depth: number } }).queue.depth === 0;
      });
    },
    async close() {
      // An app stopped by its test already answers stop() at once.
      await Promise.all(started.map(({ app }) => app.stop().catch(() => undefined)));
      await Promise.all(started.map(({ cleanup }) => cleanup()));
      await model.close();
      await gh.close();
      await redis?.stop();
    },
  };
}

/**
 * A new issue on `owner/repo`, labelled for the bot by alice (who may write), with the model's
 * script for the job queued first: the pull request the job opens, and the model requests the
 * job made (its repair rounds among them).
 */
export async function labelledIssuePr(
  world: E2EWorld,
  owner: string,
  repo: string,
  issue: { title: string; body: string },
  script: ScriptStep[],
  timeoutMs = 400_000,
) {
  const { gh, model } = world;
  const created = gh.createIssue(owner, repo, { ...issue, user: "alice" });
  model.add(...script);
  const before = model.requests.length;
  await world.deliver(
    "issues",
    issuesLabeled(gh, { owner, repo, number: created.number, label: "backend-go", sender: "alice" }),
  );
  const pr = await waitFor(
    `the pull request on ${repo}`,
    () => gh.state.pulls(owner, repo).find((p) => p.pull?.head === `backend-go/issue-${created.number}`),
    timeoutMs,
  );
  return { pr, requests: model.requests.slice(before) };
}

/** The last message of a model request, as JSON text: what the job told the model then. */
export const lastMessage = (r: { messages?: unknown[] }) => JSON.stringify(r.messages?.at(-1) ?? "");
