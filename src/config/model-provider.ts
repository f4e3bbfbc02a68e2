// Which cloud serves the model, read from the environment once at startup. Each provider's
// required settings are checked here, so a missing region or half a key pair stops the
// process with the variable's name instead of failing the first job. Credentials that come
// from a chain (an AWS profile or instance role, Google's application-default credentials)
// are resolved when the client is built (src/agent/model/create-model-client.ts), still at startup.
import { ConfigError } from "./config-error.js";

export const MODEL_PROVIDERS = ["anthropic", "bedrock", "vertex"] as const;
export type ModelProviderKind = (typeof MODEL_PROVIDERS)[number];

export interface AnthropicProviderConfig {
  kind: "anthropic";
  apiKey?: string;
  baseURL?: string;
}

export interface BedrockProviderConfig {
  kind: "bedrock";
  /** AWS_REGION (or AWS_DEFAULT_REGION). */
  region: string;
  /** ANTHROPIC_BEDROCK_BASE_URL: a proxy or VPC endpoint instead of bedrock-runtime.<region>.amazonaws.com. */
  baseURL?: string;
  /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, when given as variables. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** AWS_PROFILE, only to say where credentials were looked for. */
  profile?: string;
  /** AWS_BEARER_TOKEN_BEDROCK: a Bedrock API key, used instead of SigV4 when set. */
  bearerToken?: string;
}

export interface VertexProviderConfig {
  kind: "vertex";
  /** CLOUD_ML_REGION, e.g. us-east5, europe-west1 or global. */
  region: string;
  /** ANTHROPIC_VERTEX_PROJECT_ID. */
  projectId: string;
  /** ANTHROPIC_VERTEX_BASE_URL: a proxy or private endpoint instead of <region>-aiplatform.googleapis.com. */
  baseURL?: string;
  /** GOOGLE_APPLICATION_CREDENTIALS: a credentials file; unset uses gcloud's ADC file or the metadata server. */
  credentialsFile?: string;
}

export type ModelProviderConfig = AnthropicProviderConfig | BedrockProviderConfig | VertexProviderConfig;

/** A provider setting that is missing or wrong; `variable` is the one to set. */
export class ModelProviderConfigError extends ConfigError {
  override name = "ModelProviderConfigError";
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
  }
}

type Env = Record<string, string | undefined>;

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function required(env: Env, provider: ModelProviderKind, name: string, what: string): string {
  const value = nonEmpty(env[name]);
  if (!value) throw new ModelProviderConfigError(`MODEL_PROVIDER=${provider} needs ${name}: ${what}.`, name);
  return value;
}

function readBedrock(env: Env): BedrockProviderConfig {
  const region =
    nonEmpty(env.AWS_REGION) ??
    nonEmpty(env.AWS_DEFAULT_REGION) ??
    required(
      env,
      "bedrock",
      "AWS_REGION",
      "the AWS region whose Bedrock endpoint serves Claude, e.g. us-east-1",
    );
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  // Half a key pair is a mistake, not a hint to try the rest of the chain.
  if (accessKeyId && !secretAccessKey)
    required(env, "bedrock", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID is set without its secret");
  if (secretAccessKey && !accessKeyId)
    required(env, "bedrock", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY is set without its key id");
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  const out: BedrockProviderConfig = { kind: "bedrock", region };
  const baseURL = nonEmpty(env.ANTHROPIC_BEDROCK_BASE_URL);
  if (baseURL) out.baseURL = baseURL;
  if (accessKeyId && secretAccessKey) Object.assign(out, { accessKeyId, secretAccessKey });
  if (sessionToken && accessKeyId) out.sessionToken = sessionToken;
  const profile = nonEmpty(env.AWS_PROFILE);
  if (profile) out.profile = profile;
  const bearerToken = nonEmpty(env.AWS_BEARER_TOKEN_BEDROCK);
  if (bearerToken) out.bearerToken = bearerToken;
  return out;
}

function readVertex(env: Env): VertexProviderConfig {
  const region = required(
    env,
    "vertex",
    "CLOUD_ML_REGION",
    "the Vertex AI region serving Claude, e.g. us-east5",
  );
  const projectId = required(
    env,
    "vertex",
    "ANTHROPIC_VERTEX_PROJECT_ID",
    "the Google Cloud project that has the Claude models enabled",
  );
  const out: VertexProviderConfig = { kind: "vertex", region, projectId };
  const baseURL = nonEmpty(env.ANTHROPIC_VERTEX_BASE_URL);
  if (baseURL) out.baseURL = baseURL;
  const credentialsFile = nonEmpty(env.GOOGLE_APPLICATION_CREDENTIALS);
  if (credentialsFile) out.credentialsFile = credentialsFile;
  return out;
}

export function readModelProvider(env: Env): ModelProviderConfig {
  const kind = (nonEmpty(env.MODEL_PROVIDER) ?? "anthropic").toLowerCase();
  switch (kind) {
    case "anthropic": {
      const out: AnthropicProviderConfig = { kind: "anthropic" };
      const apiKey = nonEmpty(env.ANTHROPIC_API_KEY);
      const baseURL = nonEmpty(env.ANTHROPIC_BASE_URL);
      if (apiKey) out.apiKey = apiKey;
      if (baseURL) out.baseURL = baseURL;
      return out;
    }
    case "bedrock":
      return readBedrock(env);
    case "vertex":
      return readVertex(env);
    default:
      throw new ModelProviderConfigError(
        `MODEL_PROVIDER must be one of ${MODEL_PROVIDERS.join(", ")}, got "${env.MODEL_PROVIDER}".`,
        "MODEL_PROVIDER",
      );
  }
}

/** The values of a provider's settings that must never be written anywhere. */
export function modelProviderSecrets(config: ModelProviderConfig): string[] {
  switch (config.kind) {
    case "anthropic":
      return config.apiKey ? [config.apiKey] : [];
    case "bedrock":
      return [config.secretAccessKey, config.sessionToken, config.bearerToken].filter(
        (v): v is string => v !== undefined,
      );
    case "vertex":
      return [];
  }
}

/** For the startup log line: "bedrock (us-east-1)". */
export function describeModelProvider(config: ModelProviderConfig): string {
  switch (config.kind) {
    case "anthropic":
      return config.baseURL ? `anthropic (${config.baseURL})` : "anthropic";
    case "bedrock":
      return `bedrock (${config.region})`;
    case "vertex":
      return `vertex (${config.region}, project ${config.projectId})`;
  }
}
