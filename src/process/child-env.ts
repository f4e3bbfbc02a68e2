// The one place a child process's environment starts from: a PATH and a locale, and nothing
// else of the app's own environment (the model key, the App's private key and the webhook
// secret live there). Each caller adds exactly what its command needs.

const FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin";

/** PATH (the app's, unless `extra` names one), LANG=C.UTF-8, then `extra`; undefined values are left out. */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? FALLBACK_PATH, LANG: "C.UTF-8" };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}
