// The app's logger: Probot's pino output (pretty by default, LOG_FORMAT=json for machines)
// with secrets taken out before a line is written. Two layers: pino's redaction of the
// fields that carry credentials (HTTP authorization headers, webhook signatures, option
// objects), and a scrub of every string for the secret values this process holds and for
// anything shaped like a token, whatever a library put into its message.
import { getTransformStream } from "@probot/pino";
import { type Logger, pino } from "pino";
import { redactSecrets } from "./agent/redact.js";

export type { Logger };

export interface LoggerOptions {
  level: string;
  format?: "pretty" | "json";
  /** Values that must never be written: the API key, the webhook secret, the private key. */
  secrets?: readonly (string | undefined)[];
  /** Where lines go; default stdout through Probot's formatter. */
  destination?: NodeJS.WritableStream;
}

const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "request.headers.authorization",
  "err.request.headers.authorization",
  "*.token",
  "*.privateKey",
  "*.apiKey",
  "*.webhookSecret",
  "*.secret",
];

/** Replaces every occurrence of the given values (and token-shaped strings) in text. */
export function scrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  // The private key is also matched line by line: a library may log part of it.
  const values = secrets
    .flatMap((s) => (s ? [s, ...s.split("\n").filter((l) => l.length >= 24)] : []))
    .filter((s) => s.length >= 8)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of values) if (out.includes(v)) out = out.split(v).join("[redacted]");
    return redactSecrets(out);
  };
}

function deepScrub(value: unknown, scrub: (s: string) => string, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrub(value.message),
      stack: value.stack ? scrub(value.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((v) => deepScrub(v, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = deepScrub(v, scrub, depth + 1);
  return out;
}

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const scrub = scrubber(options.secrets ?? []);
  const destination =
    options.destination ??
    (await (async () => {
      const transform = await getTransformStream({ logFormat: options.format ?? "pretty" });
      transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
      return transform;
    })());
  return pino(
    {
      level: options.level,
      name: "probot",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { log: (obj) => deepScrub(obj, scrub) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === "string" ? scrub(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    destination,
  );
}
