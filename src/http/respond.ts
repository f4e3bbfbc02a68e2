// Small helpers shared by the operational HTTP routes.
import type { IncomingMessage, ServerResponse } from "node:http";

/** Probot's addHandler signature: true when the request was answered. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? "/", "http://localhost");
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Answers 405 for anything but GET and HEAD; true when it did. */
export function refuseMethod(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === "GET" || req.method === "HEAD") return false;
  res.setHeader("allow", "GET, HEAD");
  sendJson(res, 405, { error: `${req.method} is not allowed here; use GET.` });
  return true;
}
