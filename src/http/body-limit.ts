// Webhook bodies have a size limit. @octokit/webhooks reads a body whole into memory before
// it checks the signature, so without a limit anyone who can reach the port could make the
// process buffer gigabytes. GitHub caps webhook payloads at 25 MB: a larger body is not from
// GitHub, and is refused with 413 as it streams in, before it is held in memory. A body
// within the limit is read here and handed on as `req.body` (a string), which
// @octokit/webhooks takes as the raw payload it verifies.
// One limit per request is not enough: forty requests of 24 MB each are each within it. So
// the bytes every request in flight holds count against one budget too (from the first
// byte buffered until its answer is sent), and a request that would take the total past it
// is refused with 413 the same way. GitHub sends a handful of deliveries at once, nearly
// all a few KB, so the budget only bites on a flood.
import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** GitHub's own cap on a webhook payload. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
/** Bytes all webhook requests in flight may hold together: four of GitHub's largest. */
export const MAX_BUFFERED_WEBHOOK_BYTES = 4 * MAX_WEBHOOK_BYTES;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? "/", "http://localhost").pathname.replace(/\/+$/, "");
  } catch {
    return "";
  }
}

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number, why: string): void {
  if (!res.headersSent) {
    res.writeHead(413, { "content-type": "application/json", connection: "close" });
    res.end(JSON.stringify({ error: `Payload too large: ${why}` }));
  }
  // Read on without keeping anything, so the client sees the answer; then hang up.
  let drained = 0;
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > maxBytes) req.socket.destroy();
  });
  req.resume();
}

/**
 * Puts the limit in front of the server's own request handling (Probot's webhook middleware
 * runs first among its handlers, so it cannot be done with one of them). Call it after the
 * server has its listeners.
 */
export function limitWebhookBodies(
  server: Server,
  webhookPath: string,
  options: {
    maxBytes?: number;
    /** Bytes every request in flight may hold together. Default MAX_BUFFERED_WEBHOOK_BYTES. */
    maxTotalBytes?: number;
    onRefused?: (bytes: number, scope: "request" | "total") => void;
  } = {},
): void {
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  const maxTotalBytes = options.maxTotalBytes ?? MAX_BUFFERED_WEBHOOK_BYTES;
  const perRequest = `webhook bodies may have at most ${maxBytes} bytes`;
  const overall = "the server holds too many webhook bodies at once; send it again later";
  /** Bytes held by every request in flight. */
  let buffered = 0;
  const listeners = server.listeners("request") as Listener[];
  server.removeAllListeners("request");
  const forward: Listener = (req, res) => {
    for (const listener of listeners) listener.call(server, req, res);
  };
  const path = pathOf(webhookPath);
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || pathOf(req.url) !== path) return forward(req, res);
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      options.onRefused?.(declared, "request");
      return refuse(req, res, maxBytes, perRequest);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    // This request's share of the budget, given back once, when it is refused or answered.
    let held = 0;
    const release = () => {
      buffered -= held;
      held = 0;
    };
    res.on("close", release);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      const whole = size <= maxBytes;
      if (whole && buffered + chunk.length <= maxTotalBytes) {
        chunks.push(chunk);
        held += chunk.length;
        buffered += chunk.length;
        return;
      }
      refused = true;
      chunks.length = 0;
      release();
      req.off("data", onData);
      options.onRefused?.(whole ? buffered + chunk.length : size, whole ? "total" : "request");
      refuse(req, res, maxBytes, whole ? overall : perRequest);
    };
    req.on("data", onData);
    req.on("end", () => {
      if (refused) return;
      (req as IncomingMessage & { body?: string }).body = Buffer.concat(chunks).toString("utf8");
      chunks.length = 0;
      forward(req, res);
    });
    req.on("error", () => {
      release();
      if (!res.headersSent) res.writeHead(400, { connection: "close" }).end();
    });
  });
}
