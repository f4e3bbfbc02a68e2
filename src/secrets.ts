// Error text goes to people, logs and job pages: credentials in URLs and API keys or tokens
// never do, whatever a library put into its message. Two layers: the values this process
// holds (registered at startup, and each installation token as it is minted), so a key of
// any shape is caught, and the shapes of credentials, for values it never saw.

/** Registered values, each with the time after which it no longer needs watching. */
const known = new Map<string, number>();
let ordered: string[] = [];

function refresh(now: number): void {
  for (const [value, until] of known) if (until <= now) known.delete(value);
  // Longest first, so a private key is replaced whole before any of its lines.
  ordered = [...known.keys()].sort((a, b) => b.length - a.length);
}

/**
 * Adds a value that must never be written anywhere: the API key, the webhook secret, the
 * private key (and each of its lines, should a library print part of it), a token.
 * `ttlMs` is for values that expire (installation tokens); default forever.
 */
export function registerSecret(value: string | undefined, ttlMs = Number.POSITIVE_INFINITY): void {
  if (!value) return;
  const now = Date.now();
  const until = now + ttlMs;
  const parts = [value, ...value.split("\n").map((l) => l.trim())].filter(
    (part) => part.length >= (part === value ? 8 : 24),
  );
  // Each also as it appears inside a JSON string (a serialized log line, a request body).
  for (const part of parts.flatMap((p) => [p, JSON.stringify(p).slice(1, -1)])) {
    known.set(part, Math.max(until, known.get(part) ?? 0));
  }
  refresh(now);
}

/** What every redaction writes in place of a secret, wherever it happens. */
export const REDACTED = "[redacted]";

/** The forms a token takes on the wire: as is, and inside git's basic-auth header (base64). */
export function tokenForms(token: string): string[] {
  return [
    token,
    Buffer.from(`x-access-token:${token}`).toString("base64"),
    Buffer.from(token).toString("base64"),
  ];
}

/** Replaces the given values (and their wire forms) — those a caller holds but never registered. */
export function redactValues(text: string, tokens: readonly string[]): string {
  let out = text;
  for (const token of tokens) {
    if (!token) continue;
    for (const form of tokenForms(token)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const value of ordered) if (out.includes(value)) out = out.split(value).join(REDACTED);
  // The scheme starts a word and the credentials are bounded: a long run of word
  // characters costs one pass, not one per character (this runs on every log line).
  return out
    .replace(/(?<![\w+.-])([A-Za-z][\w+.-]{0,31}:\/\/)[^/\s:@]{1,256}:[^/\s@]{1,1024}@/g, `$1${REDACTED}@`)
    .replace(/\b(sk-ant-|ghs_|ghp_|github_pat_|gho_|ghu_|ghr_)[\w-]+/g, `$1${REDACTED}`);
}
