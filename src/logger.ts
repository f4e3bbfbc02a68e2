// The app's logger: Probot's pino output (pretty by default, LOG_FORMAT=json for machines)
// with secrets taken out before a line is written. Two layers: pino's redaction of the
// fields that carry credentials (HTTP authorization headers, webhook signatures, option
// objects), and redactSecrets on each serialized line: the secret values this process holds
// (registered once, see agent/redact.ts) and anything shaped like a token, whatever a
// library put into its message.
import { getTransformStream } from "@probot/pino";
import { type Logger, pino } from "pino";
import { redactSecrets, registerSecret } from "./secrets.js";

export type { Logger };

export interface LoggerOptions {
  level: string;
  format?: "pretty" | "json";
  /** Values that must never be written (registered with redact.ts for every output, not only logs). */
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

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  for (const secret of options.secrets ?? []) registerSecret(secret);
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
      hooks: { streamWrite: redactSecrets },
    },
    destination,
  );
}
