// The app's logger: Probot's pino output (pretty by default, LOG_FORMAT=json for machines)
// with secrets taken out before a line is written. Two layers: pino's redaction of the
// fields that carry credentials (HTTP authorization headers, webhook signatures, option
// objects), and a scrub of each serialized line for the secret values this process holds
// and for anything shaped like a token, whatever a library put into its message.
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
  // The private key is also matched line by line: a library may log part of it. Each value is
  // also matched as it appears inside a JSON string (quotes and backslashes escaped).
  const values = [
    ...new Set(
      secrets
        .flatMap((s) => (s ? [s, ...s.split("\n").filter((l) => l.length >= 24)] : []))
        .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
        .filter((s) => s.length >= 8),
    ),
  ].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of values) if (out.includes(v)) out = out.split(v).join("[redacted]");
    return redactSecrets(out);
  };
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
      // The finished line, once: cheaper than copying every logged object (pino-http logs
      // whole requests), and it sees what serializers and messages put there too.
      hooks: { streamWrite: scrub },
    },
    destination,
  );
}
