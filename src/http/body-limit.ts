// Webhook bodies have a size limit. @octokit/webhooks reads a body whole into memory before
// it checks the signature, so without a limit anyone who can reach the port could make the
// process buffer gigabytes. GitHub caps webhook payloads at 25 MB: a larger body is not from
// GitHub, and is refused with 413 as it streams in, before it is held in memory. A body
// within the limit is read here and handed on as `req.body` (a string), which
// @octokit/webhooks takes as the raw payload it verifies.
import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** GitHub's own cap on a webhook payload. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? "/", "http://localhost").pathname.replace(/\/+$/, "");
  } catch {
    return "";
  }
}

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  if (!res.headersSent) {
    res.writeHead(413, { "content-type": "application/json", connection: "close" });
    res.end(
      JSON.stringify({ error: `Payload too large: webhook bodies may have at most ${maxBytes} bytes` }),
    );
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
  options: { maxBytes?: number; onRefused?: (bytes: number) => void } = {},
): void {
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BYTES;
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
      options.onRefused?.(declared);
      return refuse(req, res, maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      refused = true;
      chunks.length = 0;
      req.off("data", onData);
      options.onRefused?.(size);
      refuse(req, res, maxBytes);
    };
    req.on("data", onData);
    req.on("end", () => {
      if (refused) return;
      (req as IncomingMessage & { body?: string }).body = Buffer.concat(chunks).toString("utf8");
      forward(req, res);
    });
    req.on("error", () => {
      if (!res.headersSent) res.writeHead(400, { connection: "close" }).end();
    });
  });
}
