// The last gate before GitHub: every request the app writes (comments, pull request bodies,
// check run output, labels) passes its content through redactSecrets. Whatever path a
// secret took into a message — an error text, a report the model wrote — it is not posted.
import { redactSecrets } from "../../secrets.js";
import type { GitHubClient } from "./client.js";

/** Request options that are not content (the Authorization header must stay as it is). */
const NOT_CONTENT = new Set(["headers", "request", "url", "method", "baseUrl", "mediaType"]);

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

export function redactOutgoing<T extends GitHubClient>(octokit: T): T {
  octokit.hook.before("request", (options) => {
    if (options.method === "GET" || options.method === "HEAD") return;
    const fields = options as unknown as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!NOT_CONTENT.has(key)) fields[key] = scrub(fields[key], 0);
    }
  });
  return octokit;
}
