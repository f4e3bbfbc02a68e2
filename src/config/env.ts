// The app's configuration, read from the environment in one place. Every other module
// receives an AppConfig; none reads process.env itself, so a child process never
// inherits secrets by accident.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { OperatorLimits } from "../agent/operator-limits.js";
import { ExtendsAllowError, type ExtendsRule, parseExtendsAllow } from "../repo/extends-policy.js";
import { ConfigError } from "./config-error.js";
import { type ModelProviderConfig, readModelProvider } from "./model-provider.js";

export { ConfigError };

export interface AppConfig {
  appId?: string;
  /** PEM text of the App's private key (from PRIVATE_KEY or the file at PRIVATE_KEY_PATH). */
  privateKey?: string;
  webhookSecret?: string;
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  /** GitHub Enterprise (or the local stand-in in tests): host[:port], and http or https. */
  gheHost?: string;
  gheProtocol: "http" | "https";
  dataDir: string;
  redisUrl?: string;
  port: number;
  host: string;
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  /** LOG_FORMAT: Probot's readable lines, or one JSON object per line for log collectors. */
  logFormat: "pretty" | "json";
  /** JOB_CONCURRENCY: jobs one worker process runs at a time. */
  concurrency: number;
  /** SHUTDOWN_GRACE_SECONDS: how long running jobs may finish after SIGTERM, in ms. */
  shutdownGraceMs: number;
  /** JOBS_TOKEN: bearer token GET /jobs requires; unset leaves /jobs open. */
  jobsToken?: string;
  /** Queue tuning: JOB_MAX_ATTEMPTS, JOB_RETRY_BACKOFF_SECONDS, JOB_LEASE_SECONDS, JOB_RETENTION_DAYS. */
  jobs: { maxAttempts: number; backoffMs: number; leaseMs: number; retentionDays: number };
  /** Model alias overrides, e.g. MODEL_ALIASES="opus=claude-opus-4-5,sonnet=claude-sonnet-4-5". */
  modelAliases: Record<string, string>;
  /** Settings for Go runs; spread into createGoToolchain's options. */
  go?: GoSettings;
  /** MODEL_PROVIDER and its settings: the Anthropic API (default), Amazon Bedrock or Google Vertex AI. */
  modelProvider: ModelProviderConfig;
  /** COMMIT_SIGNING: how commits reach a branch unless a repository sets commits.signing. */
  commitSigning?: "git" | "github";
  /**
   * CONFIG_EXTENDS_ALLOW: repositories a configuration's `_extends` may name beyond its own
   * repository and the owner's `.github` (`owner/repo` or `owner/*`, comma-separated).
   */
  configExtendsAllow: ExtendsRule[];
  /** MAX_JOB_COST_USD, MAX_JOB_MINUTES, MAX_TURNS, ALLOWED_MODELS: ceilings over any repository's config. */
  limits: OperatorLimits;
  /** TRIGGER_RATE_LIMIT, TRIGGER_RATE_LIMIT_REPOSITORY: jobs per hour; 0 turns a limit off. */
  triggerRateLimit: TriggerRateLimit;
  /** The session pages: sign-in with the App's OAuth client, and where people reach them. */
  web: WebConfig;
}

export interface WebConfig {
  /** GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET: the App's OAuth client (the manifest flow writes both). */
  clientId?: string;
  clientSecret?: string;
  /** PUBLIC_URL: where people reach this server (https://bot.example.com); the pages' links and the OAuth callback. */
  publicUrl?: string;
  /** SESSION_SECRET: the key of the session cookie; default derived from the client secret and the App's key. */
  sessionSecret?: string;
}

export interface TriggerRateLimit {
  /** Jobs one person may start in one repository per hour (0: no limit). */
  perPerson: number;
  /** Jobs one repository may start per hour, from everyone together (0: no limit). */
  perRepository: number;
}

export interface GoSettings {
  /** GOPROXY for module downloads (the only Go step with network). */
  goproxy?: string;
  goflags?: string;
  goprivate?: string;
  gonosumdb?: string;
  /** GO_SANDBOX: "auto" (bubblewrap where it works), "required" (refuse to start without it) or "off". */
  sandbox: "auto" | "off" | "required";
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 3000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${raw}".`);
  }
  return n;
}

function parseWhole(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return n;
}

export function parseModelAliases(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw?.trim()) return out;
  for (const pair of raw.split(",")) {
    const [alias, id, ...rest] = pair.split("=").map((s) => s.trim());
    if (!alias || !id || rest.length > 0) {
      throw new ConfigError(
        `MODEL_ALIASES must look like "opus=<model id>,sonnet=<model id>", got "${pair}".`,
      );
    }
    out[alias] = id;
  }
  return out;
}

function readPrivateKey(env: Env): string | undefined {
  const inline = nonEmpty(env.PRIVATE_KEY);
  if (inline) return inline.replace(/\\n/g, "\n");
  const path = nonEmpty(env.PRIVATE_KEY_PATH);
  if (!path) return undefined;
  try {
    return readFileSync(resolve(path), "utf8");
  } catch (err) {
    throw new ConfigError(
      `PRIVATE_KEY_PATH points at "${path}", which cannot be read: ${(err as Error).message}`,
    );
  }
}

function parsePositive(name: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    throw new ConfigError(`${name} must be a number above 0 and at most ${max}, got "${raw}".`);
  }
  return n;
}

function parseAllowedModels(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const models = raw.split(",").map((m) => m.trim());
  if (models.some((m) => !/^[\w.:@/-]+$/.test(m))) {
    throw new ConfigError(
      `ALLOWED_MODELS must be model ids or aliases separated by commas (e.g. "sonnet,claude-opus-4-5"), got "${raw}".`,
    );
  }
  return [...new Set(models)];
}

function readOperatorLimits(env: Env): OperatorLimits {
  const limits: OperatorLimits = {
    maxCostUsd: parsePositive("MAX_JOB_COST_USD", env.MAX_JOB_COST_USD, 100_000),
    maxMinutes: parseWhole("MAX_JOB_MINUTES", env.MAX_JOB_MINUTES, 0, 1, 7 * 24 * 60) || undefined,
    maxTurns: parseWhole("MAX_TURNS", env.MAX_TURNS, 0, 1, 10_000) || undefined,
    allowedModels: parseAllowedModels(env.ALLOWED_MODELS),
  };
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as OperatorLimits;
}

/** Default: 20 jobs an hour per person and repository, 100 per repository. */
export const DEFAULT_TRIGGER_RATE_LIMIT: TriggerRateLimit = { perPerson: 20, perRepository: 100 };

function readTriggerRateLimit(env: Env): TriggerRateLimit {
  return {
    perPerson: parseWhole(
      "TRIGGER_RATE_LIMIT",
      env.TRIGGER_RATE_LIMIT,
      DEFAULT_TRIGGER_RATE_LIMIT.perPerson,
      0,
      100_000,
    ),
    perRepository: parseWhole(
      "TRIGGER_RATE_LIMIT_REPOSITORY",
      env.TRIGGER_RATE_LIMIT_REPOSITORY,
      DEFAULT_TRIGGER_RATE_LIMIT.perRepository,
      0,
      100_000,
    ),
  };
}

function readGoSettings(env: Env): GoSettings {
  const sandbox = nonEmpty(env.GO_SANDBOX) ?? "auto";
  if (sandbox !== "auto" && sandbox !== "off" && sandbox !== "required") {
    throw new ConfigError(`GO_SANDBOX must be "auto", "required" or "off", got "${sandbox}".`);
  }
  return {
    goproxy: nonEmpty(env.GOPROXY),
    goflags: nonEmpty(env.GOFLAGS),
    goprivate: nonEmpty(env.GOPRIVATE),
    gonosumdb: nonEmpty(env.GONOSUMDB),
    sandbox,
  };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const appId = nonEmpty(env.APP_ID);
  const webhookSecret = nonEmpty(env.WEBHOOK_SECRET);
  // Probot silently falls back to the secret "development" when none is set; a
  // configured App must never accept webhooks signed with a guessable secret.
  if (appId && !webhookSecret) {
    throw new ConfigError(
      "APP_ID is set but WEBHOOK_SECRET is empty. Set WEBHOOK_SECRET to the secret configured on the GitHub App; " +
        'without it Probot would accept webhooks signed with "development".',
    );
  }
  const protocol = nonEmpty(env.GHE_PROTOCOL) ?? "https";
  if (protocol !== "http" && protocol !== "https") {
    throw new ConfigError(`GHE_PROTOCOL must be "http" or "https", got "${protocol}".`);
  }
  const logLevel = (nonEmpty(env.LOG_LEVEL) ?? "info") as AppConfig["logLevel"];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}".`);
  }
  const commitSigning = nonEmpty(env.COMMIT_SIGNING) ?? "git";
  if (commitSigning !== "git" && commitSigning !== "github") {
    throw new ConfigError(`COMMIT_SIGNING must be "git" or "github", got "${commitSigning}".`);
  }
  const logFormat = nonEmpty(env.LOG_FORMAT) ?? "pretty";
  if (logFormat !== "pretty" && logFormat !== "json") {
    throw new ConfigError(`LOG_FORMAT must be "pretty" or "json", got "${logFormat}".`);
  }
  return {
    appId,
    privateKey: readPrivateKey(env),
    webhookSecret,
    anthropicApiKey: nonEmpty(env.ANTHROPIC_API_KEY),
    anthropicBaseUrl: nonEmpty(env.ANTHROPIC_BASE_URL),
    gheHost: nonEmpty(env.GHE_HOST),
    gheProtocol: protocol,
    dataDir: resolve(nonEmpty(env.DATA_DIR) ?? ".data"),
    redisUrl: nonEmpty(env.REDIS_URL),
    port: parsePort(env.PORT),
    host: nonEmpty(env.HOST) ?? "localhost",
    logLevel,
    logFormat,
    concurrency: parseWhole("JOB_CONCURRENCY", env.JOB_CONCURRENCY, 2, 1, 64),
    shutdownGraceMs: parseWhole("SHUTDOWN_GRACE_SECONDS", env.SHUTDOWN_GRACE_SECONDS, 300, 0, 86_400) * 1000,
    jobsToken: nonEmpty(env.JOBS_TOKEN),
    jobs: {
      maxAttempts: parseWhole("JOB_MAX_ATTEMPTS", env.JOB_MAX_ATTEMPTS, 3, 1, 20),
      backoffMs: parseWhole("JOB_RETRY_BACKOFF_SECONDS", env.JOB_RETRY_BACKOFF_SECONDS, 30, 1, 3600) * 1000,
      leaseMs: parseWhole("JOB_LEASE_SECONDS", env.JOB_LEASE_SECONDS, 60, 2, 3600) * 1000,
      retentionDays: parseWhole("JOB_RETENTION_DAYS", env.JOB_RETENTION_DAYS, 30, 1, 3650),
    },
    modelAliases: parseModelAliases(env.MODEL_ALIASES),
    go: readGoSettings(env),
    modelProvider: readModelProvider(env),
    commitSigning,
    configExtendsAllow: readExtendsAllow(env),
    limits: readOperatorLimits(env),
    triggerRateLimit: readTriggerRateLimit(env),
    web: readWebConfig(env),
  };
}

function readWebConfig(env: Env): WebConfig {
  const clientId = nonEmpty(env.GITHUB_CLIENT_ID);
  const clientSecret = nonEmpty(env.GITHUB_CLIENT_SECRET);
  if (Boolean(clientId) !== Boolean(clientSecret)) {
    throw new ConfigError(
      "GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together (the App's OAuth client, from its settings page); set both or neither.",
    );
  }
  const rawUrl = nonEmpty(env.PUBLIC_URL);
  let publicUrl: string | undefined;
  if (rawUrl) {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new ConfigError(
        `PUBLIC_URL must be an http(s) URL such as https://bot.example.com, got "${rawUrl}".`,
      );
    }
    if (
      (url.protocol !== "https:" && url.protocol !== "http:") ||
      url.username ||
      url.password ||
      url.search
    ) {
      throw new ConfigError(
        `PUBLIC_URL must be an http(s) URL without credentials or query, such as https://bot.example.com, got "${rawUrl}".`,
      );
    }
    publicUrl = url.href.replace(/\/+$/, "");
  }
  const sessionSecret = nonEmpty(env.SESSION_SECRET);
  if (sessionSecret && sessionSecret.length < 32) {
    throw new ConfigError("SESSION_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`).");
  }
  return { clientId, clientSecret, publicUrl, sessionSecret };
}

function readExtendsAllow(env: Env): ExtendsRule[] {
  try {
    return parseExtendsAllow(env.CONFIG_EXTENDS_ALLOW);
  } catch (err) {
    if (err instanceof ExtendsAllowError) throw new ConfigError(err.message);
    throw err;
  }
}
