// How a failed job attempt is classified. Transient failures (network, GitHub 5xx, model
// overload after the SDK's own retries) are retried with backoff; everything else is
// permanent, because retrying a bug or a refused request only spends tokens again.
import { redactSecrets } from "../secrets.js";

/** Throw (or wrap) to ask the queue to retry the job later. */
export class TransientError extends Error {
  override name = "TransientError";
}

/** Throw (or wrap) to fail the job at once, without retries. */
export class PermanentError extends Error {
  override name = "PermanentError";
}

/**
 * The job cannot go on for a reason the person who triggered it can fix (an invalid
 * configuration file, an unknown agent, a closed pull request). `markdown` says what was wrong
 * and what to do, where they acted.
 */
export class JobRefusal extends PermanentError {
  override name = "JobRefusal";
  constructor(
    message: string,
    readonly markdown: string = `**${message}**`,
  ) {
    super(message);
  }
}

/** The abort reason when someone stopped the job (`/agent stop`): nothing is pushed. */
export class JobCancelled extends Error {
  override name = "JobCancelled";
}

export type FailureKind = "transient" | "permanent";

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

// Names used by the Anthropic SDK for failures its own retries could not get past.
const TRANSIENT_NAMES = new Set([
  "APIConnectionError",
  "APIConnectionTimeoutError",
  "InternalServerError",
  "RateLimitError",
]);

function field(err: object, key: string): unknown {
  return (err as Record<string, unknown>)[key];
}

/** Transient for network errors, 408/429/5xx (529 overloaded included); permanent otherwise. */
export function classifyError(err: unknown): FailureKind {
  if (err instanceof TransientError) return "transient";
  if (err instanceof PermanentError) return "permanent";
  if (typeof err !== "object" || err === null) return "permanent";
  const status = field(err, "status");
  if (typeof status === "number") {
    return status === 408 || status === 429 || status >= 500 ? "transient" : "permanent";
  }
  const code = field(err, "code");
  if (typeof code === "string" && TRANSIENT_CODES.has(code)) return "transient";
  const name = field(err, "name");
  if (typeof name === "string" && TRANSIENT_NAMES.has(name)) return "transient";
  // fetch() wraps socket failures as TypeError("fetch failed") with the real error as cause.
  const cause = field(err, "cause");
  if (cause && cause !== err) return classifyError(cause);
  return "permanent";
}

/** A short, single-line message for job records (never a stack, which may carry paths; never a secret). */
export function errorSummary(err: unknown): string {
  const text = redactSecrets(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
