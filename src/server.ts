// The composition root: builds the queue, the Go toolchain, the model client and the
// GitHub job from the configuration, then serves webhooks and the operational routes and
// runs a worker. `worker` mode runs only the worker, for scaling out on one Redis.
import { Probot, Server } from "probot";
import { createModelClient, describeModelProvider } from "./agent/model/create-model-client.js";
import { modelAliasesFor } from "./agent/model/models.js";
import { createApp } from "./app.js";
import type { AppConfig } from "./config/env.js";
import { type BotIdentity, fetchBotIdentity } from "./github/auth/app-identity.js";
import type { GitHubClient } from "./github/auth/client.js";
import { createGitHubJobHandler } from "./github/github-job.js";
import { createStopHandler } from "./github/webhook/stop-handler.js";
import { createTriggerAdmission } from "./github/webhook/trigger-admission.js";
import { repoTriggerLookup } from "./github/webhook/trigger-settings.js";
import { createGoToolchain } from "./golang/go-toolchain.js";
import { goToolsSettings, installMissingGoTools } from "./golang/install-go-tools.js";
import { GO_TOOLS } from "./golang/tool-versions.js";
import { limitWebhookBodies } from "./http/body-limit.js";
import { opsHandlers } from "./http/index.js";
import { jobsRouteNotice } from "./http/jobs-route.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { createJobQueue } from "./queue/create-queue.js";
import type { JobQueue, QueueLogger } from "./queue/job-queue.js";
import { installGracefulShutdown } from "./queue/shutdown.js";
import { sqliteQueueFile } from "./queue/sqlite-queue.js";
import { SqliteTriggerLimiter } from "./queue/sqlite-trigger-limiter.js";
import { sharedServices } from "./services/index.js";
import { MemoryTriggerLimiter, type TriggerLimiter } from "./triggers/rate-limit.js";
import { prepareEvidenceHelper } from "./verify/evidence/evidence-helper.js";
import { sessionPages } from "./web/index.js";

export type RunMode = "all" | "worker";

/** Probot's webhook route. */
const WEBHOOK_PATH = "/api/github/webhooks";

export interface RunningApp {
  queue: JobQueue;
  /** Where the HTTP server listens; undefined in worker mode. */
  url?: string;
  log: Logger;
  /** Stops taking jobs, waits up to graceMs for running ones, closes everything. */
  stop(graceMs?: number): Promise<void>;
}

export function githubApiUrl(config: AppConfig): string {
  return config.gheHost ? `${config.gheProtocol}://${config.gheHost}/api/v3` : "https://api.github.com";
}

/** Where people sign in and read issues: github.com or the Enterprise host. */
export function githubWebUrl(config: AppConfig): string {
  return config.gheHost ? `${config.gheProtocol}://${config.gheHost}` : "https://github.com";
}

/** Where the server listens, as a URL (local use, when PUBLIC_URL is not set). */
function listenUrl(config: AppConfig): string {
  return `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
}

/**
 * The trigger rate limit's window: in the SQLite job file when the queue is there (every
 * process sharing it counts the same hour), in this process's memory on Redis.
 */
function triggerLimiter(config: AppConfig, queue: JobQueue): TriggerLimiter | undefined {
  const limits = config.triggerRateLimit;
  if (limits.perPerson === 0 && limits.perRepository === 0) return undefined;
  return queue.kind === "sqlite"
    ? new SqliteTriggerLimiter(sqliteQueueFile(config.dataDir), limits)
    : new MemoryTriggerLimiter(limits);
}

/** Asks GitHub once who the App is; a failure is retried on the next job, not cached. */
function cachedIdentity(probot: Probot): () => Promise<BotIdentity> {
  let identity: Promise<BotIdentity> | undefined;
  return () => {
    identity ??= probot.auth().then((app) => fetchBotIdentity(app as GitHubClient));
    identity.catch(() => {
      identity = undefined;
    });
    return identity;
  };
}

export async function startApp(config: AppConfig, mode: RunMode = "all"): Promise<RunningApp> {
  // Whatever message might quote one of these, it is written nowhere: not in a log line, a
  // job record or a comment (the logger registers them with redact.ts).
  const log = await createLogger({
    level: config.logLevel,
    format: config.logFormat,
    secrets: [
      config.anthropicApiKey,
      config.webhookSecret,
      config.privateKey,
      config.jobsToken,
      config.web.clientSecret,
      config.web.sessionSecret,
    ],
  });
  // A promise nobody handled is a bug; it is logged with what it carried (the secret-scrubbing
  // logger) and the process keeps serving: the queue's own leases recover any job it touched.
  process.on("unhandledRejection", (reason) => {
    log.error(
      { err: reason instanceof Error ? reason : new Error(String(reason)), mode },
      "unhandled promise rejection (a bug; the process keeps running)",
    );
  });
  // A cloud provider's credentials resolve now: a missing one stops the start, naming the variable.
  const modelClient = await createModelClient(config.modelProvider);
  log.info(`model provider: ${describeModelProvider(config.modelProvider)}`);
  const queueLog: QueueLogger = log.child({ name: "jobs" });
  const metrics = createMetrics();
  const queue = createJobQueue(config, { ...config.jobs, observer: metrics, logger: queueLog });
  metrics.trackQueue(() => queue.stats());
  const toolchain = await createGoToolchain({
    dataDir: config.dataDir,
    ...config.go,
    log: (msg, level) => log[level]({ name: "go" }, msg),
  });
  // In the background: the first job on each new repository builds less (build-cache-seed.ts).
  const seedStarted = Date.now();
  toolchain.prepareBuildCacheSeed().then(
    (ok) =>
      ok
        ? log.info({ name: "go", ms: Date.now() - seedStarted }, "build cache seed ready")
        : log.warn(
            { name: "go" },
            "no build cache seed: each repository's first job builds the standard library",
          ),
    (err: unknown) => log.warn({ name: "go", err }, "build cache seed failed"),
  );
  // Servers and data a dead worker's jobs left under DATA_DIR/services (src/services/sweep.ts).
  sharedServices(config.dataDir)
    .sweep()
    .then(
      (removed) => {
        if (removed.length) log.info({ name: "services" }, `removed ${removed.length} dead job(s)' services`);
      },
      (err: unknown) => log.warn({ name: "services", err }, "services sweep failed"),
    );
  // The bridge a job's NATS is reached through (src/services/bridge), where this worker runs NATS.
  sharedServices(config.dataDir)
    .prepare()
    .catch((err: unknown) => log.warn({ name: "services", err }, "the NATS bridge did not build"));
  // The evidence rows' source reader (verify/evidence/helper), once per data directory.
  prepareEvidenceHelper(toolchain).then(
    (built) =>
      built ?? log.warn({ name: "go" }, "the evidence helper did not build; evidence rows will say why"),
    (err: unknown) => log.warn({ name: "go", err }, "the evidence helper did not build"),
  );
  // The pinned Go tools a job may need (golangci-lint, gopls) build in the background now, not
  // while the first job that lints waits minutes for them.
  const installing = installMissingGoTools(goToolsSettings(process.env, config.dataDir), GO_TOOLS, (msg) =>
    log.info({ name: "go-tools" }, msg),
  );
  if (installing.length)
    log.info({ name: "go-tools" }, `installing ${installing.join(", ")} in the background (first start)`);
  const probotOptions = {
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    baseUrl: githubApiUrl(config),
    log: log.child({ name: "probot" }),
  };

  let server: Server | undefined;
  let limiter: TriggerLimiter | undefined;
  let probot: Probot;
  let identityOf: (() => Promise<BotIdentity>) | undefined;
  // Made at the first call: Probot is loaded (below) by then.
  const botIdentity = () => {
    identityOf ??= cachedIdentity(probot);
    return identityOf();
  };
  if (mode === "all") {
    server = new Server({
      host: config.host,
      port: config.port,
      log,
      Probot: Probot.defaults(probotOptions),
    });
    for (const handler of opsHandlers({
      queue,
      registry: metrics.registry,
      sandbox: () => ({ kind: toolchain.isolation, go: toolchain.goVersion }),
      jobsToken: config.jobsToken,
      host: config.host,
    })) {
      server.addHandler(handler);
    }
    server.addHandler(
      sessionPages({
        queue,
        web: config.web,
        github: { webUrl: githubWebUrl(config), apiUrl: githubApiUrl(config) },
        privateKey: config.privateKey,
        fallbackUrl: listenUrl(config),
      }),
    );
    let loaded: Probot | undefined;
    limiter = triggerLimiter(config, queue);
    const app = createApp(queue, {
      // So the app's own check runs are never taken for the repository's CI.
      settings: config.appId ? { appId: Number(config.appId) } : {},
      repoTriggers: repoTriggerLookup({
        onError: (repo, err) =>
          log.warn({ repo, err: (err as Error).message }, "could not read trigger settings"),
        extendsAllow: config.configExtendsAllow,
      }),
      onHandled: (event, seconds) => metrics.observeWebhook(event, seconds),
      onStop: createStopHandler({ queue, logger: queueLog, extendsAllow: config.configExtendsAllow }),
      admission: createTriggerAdmission({ limiter, log: log.child({ name: "triggers" }) }),
      // Asked at the first push event, once Probot is loaded.
      botLogin: () => botIdentity().then((i) => i.name),
    });
    await server.load((instance, options) => {
      loaded = instance;
      return app(instance, options);
    });
    probot = loaded!;
  } else {
    probot = new Probot(probotOptions);
  }

  if (config.modelProvider.kind === "anthropic" && !config.anthropicApiKey)
    log.warn("ANTHROPIC_API_KEY is not set: every job will fail at its first model call.");

  // Listen first, then claim jobs: a start that cannot listen (a taken port) ends before it
  // holds any job's lease, so no job pays a restart for it.
  let url: string | undefined;
  if (server) {
    let http: Awaited<ReturnType<Server["start"]>>;
    try {
      http = await server.start();
    } catch (err) {
      await queue.close();
      throw err;
    }
    limitWebhookBodies(http, WEBHOOK_PATH, {
      onRefused: (bytes, scope) =>
        log.warn(
          { bytes, scope },
          scope === "request"
            ? "refused a webhook body over GitHub's 25 MB cap"
            : "refused a webhook body: the bodies in flight would pass the server's budget",
        ),
    });
    const address = http.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
    log.info(jobsRouteNotice(config.host, config.jobsToken));
  }
  queue.start(
    createGitHubJobHandler({
      probot,
      dataDir: config.dataDir,
      modelClient,
      toolchain,
      identity: botIdentity,
      modelAliases: modelAliasesFor(config.modelProvider.kind, config.modelAliases),
      commitSigning: config.commitSigning,
      extendsAllow: config.configExtendsAllow,
      limits: config.limits,
      logger: queueLog,
      // Linked only where people can reach the pages and sign in.
      ...(config.web.publicUrl && config.web.clientId ? { pagesUrl: config.web.publicUrl } : {}),
    }),
    { concurrency: config.concurrency },
  );
  log.info({ mode, queue: queue.kind, concurrency: config.concurrency }, "backend-go-agent is running");

  const stop = async (graceMs = config.shutdownGraceMs) => {
    await queue.stop(graceMs);
    await queue.close();
    await server?.stop();
    limiter?.close();
  };
  installGracefulShutdown(queue, {
    graceMs: config.shutdownGraceMs,
    logger: queueLog,
    beforeExit: () => server?.stop(),
  });
  return { queue, url, log, stop };
}
