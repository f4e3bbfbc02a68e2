// Untrusted text and the app's secrets, at the places they meet: the sanitizer and the
// redactor on hostile input (a body crafted to make regular expressions take minutes),
// the logger on every shape a secret can take, and the last gate before GitHub.
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import type { GitHubClient } from "../../src/github/auth/client.js";
import { redactOutgoing } from "../../src/github/auth/redact-requests.js";
import { createLogger } from "../../src/logger.js";
import { errorSummary } from "../../src/pipeline/job-errors.js";
import { redactSecrets, registerSecret } from "../../src/secrets.js";
import { parseTriggerEvent } from "../../src/triggers/parse-event.js";
import { sanitizeUntrusted } from "../../src/triggers/sanitize.js";
import { appKeyPair } from "../e2e/harness.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import { commentPayload } from "../support/webhook-payloads.js";

const MB = 1024 * 1024;
/** Bodies that cost the old regular expressions time quadratic in their length. */
const CRAFTED: Record<string, string> = {
  "![![![…": "![".repeat(MB / 2),
  "[[[…": "[".repeat(MB),
  "[x]([x](…": "[x](".repeat(MB / 4),
  '![x](y "![x](y "…': '![x](y "'.repeat(MB / 8),
  "one long word": "x".repeat(MB),
  "a://a://…": "a://".repeat(MB / 4),
  "https://u:https://u:…": "https://u:".repeat(MB / 10),
};

function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = fn();
  return { value, ms: performance.now() - started };
}

describe("hostile text", () => {
  // Not a benchmark: the bound is ~100 times what linear code needs here, and the quadratic
  // expressions these bodies were made for took minutes (and stalled every webhook).
  it.each(Object.entries(CRAFTED))(
    "a 1 MB body of %s is sanitized and redacted in linear time",
    (_name, body) => {
      expect(timed(() => sanitizeUntrusted(body)).ms).toBeLessThan(2000);
      expect(timed(() => redactSecrets(body)).ms).toBeLessThan(2000);
    },
  );

  it("an /agent comment on an issue with such a body is parsed at once", () => {
    const payload = commentPayload("/agent please", { sender: "mallory", association: "NONE" });
    payload.issue.body = `${CRAFTED["![![![…"]}${CRAFTED["[x]([x](…"]}`;
    const { value, ms } = timed(() => parseTriggerEvent("issue_comment", "d-redos", payload));
    expect(ms).toBeLessThan(2000);
    expect(value.kind).toBe("task");
    if (value.kind === "task")
      expect(value.task.context.body).toMatch(/more characters cut by backend-go-agent\]$/);
  });

  it("still strips what it is for: hidden alt text, titles and link definitions", () => {
    expect(sanitizeUntrusted('a ![do evil](http://x/y.png "and more") [ok](http://z "hidden") b')).toBe(
      "a ![](http://x/y.png) [ok](http://z) b",
    );
    expect(redactSecrets("clone https://x-access-token:ghs_abcdef@github.com/o/r failed")).toBe(
      "clone https://[redacted]@github.com/o/r failed",
    );
  });
});

describe("secret values the process holds", () => {
  const apiKey = "proxy-key-without-a-known-prefix-4c1d";
  const { privateKey } = appKeyPair();
  beforeAll(() => {
    registerSecret(apiKey);
    registerSecret(privateKey);
  });

  it("are redacted by value, whatever their shape, in error text and job records", () => {
    const line = privateKey.split("\n")[3]!;
    expect(redactSecrets(`401 invalid x-api-key: ${apiKey}`)).toBe("401 invalid x-api-key: [redacted]");
    expect(redactSecrets(`key material: ${line}`)).toBe("key material: [redacted]");
    expect(redactSecrets(privateKey)).toBe("[redacted]");
    expect(errorSummary(new Error(`the model API failed: ${apiKey}`))).toBe(
      "Error: the model API failed: [redacted]",
    );
  });

  it("never reach a log line: fields, headers, errors, messages and request bodies", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (c: Buffer) => {
      text += c.toString();
    });
    const webhookSecret = "webhook-secret-sentinel-81f2";
    const token = "ghs_sentineltoken0123456789abcdef";
    const log = await createLogger({
      level: "debug",
      format: "json",
      secrets: [apiKey, webhookSecret, privateKey],
      destination: out,
    });
    log.info({ token, privateKey, apiKey, webhookSecret, secret: webhookSecret }, "fields");
    log.info(
      { req: { headers: { authorization: `token ${token}`, "x-hub-signature-256": "sha256=abc" } } },
      "req",
    );
    log.info({ headers: { authorization: `Bearer ${apiKey}` } }, "headers");
    log.error({ err: new Error(`push failed for https://x-access-token:${token}@github.com/o/r`) }, "err");
    log.warn(`a library said ${apiKey} and ${webhookSecret} and ${token}`);
    log.info({ body: `{"hook":"${webhookSecret}","key":"${privateKey.split("\n")[2]}"}` }, "request body");
    log.debug({ nested: { deeper: { deepest: [`x ${apiKey} y`] } } }, "nested");
    await new Promise((r) => setImmediate(r));
    expect(text.split("\n").filter(Boolean)).toHaveLength(7);
    for (const value of [
      apiKey,
      webhookSecret,
      token,
      ...privateKey.split("\n").filter((l) => l.length > 24),
    ]) {
      expect(text).not.toContain(value);
    }
    expect(text).toContain("[redacted]");
  });
});

describe("the last gate before GitHub", () => {
  let gh: GitHubStandIn;
  const token = "ghs_gate0123456789abcdefghijklmnopq";
  beforeAll(async () => {
    gh = await startGitHubServer();
    await gh.createRepo("acme", "gate");
    gh.createIssue("acme", "gate", { title: "Gate" });
    gh.acceptToken(token);
  });
  afterAll(() => gh.close());

  it("posts a comment with every secret redacted, and the request still authenticates", async () => {
    const secret = "registered-secret-sentinel-66b0";
    registerSecret(secret);
    const octokit = redactOutgoing(
      new Octokit({ auth: token, baseUrl: gh.apiUrl }) as unknown as GitHubClient,
    );
    const body = `**Why:** the run failed: ${secret}, a token ${token}, and https://u:${secret}@x.example`;
    const { data } = await octokit.rest.issues.createComment({
      owner: "acme",
      repo: "gate",
      issue_number: 1,
      body,
    });
    expect(data.body).toBe(
      "**Why:** the run failed: [redacted], a token ghs_[redacted], and https://[redacted]@x.example",
    );
    const stored = gh.state.commentsOn("acme", "gate", 1).at(-1)!;
    expect(stored.body).not.toContain(secret);
    expect(stored.body).not.toContain(token);
    expect(gh.state.requests.at(-1)).toMatchObject({ method: "POST", auth: "token", status: 201 });
  });
});
