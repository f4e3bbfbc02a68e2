// The session pages' public face: built from the configuration by the composition root.
//   server.addHandler(sessionPages({ queue, web: config.web, ... }))
import type { WebConfig } from "../config/env.js";
import type { HttpHandler } from "../http/respond.js";
import type { JobQueue } from "../queue/job-queue.js";
import { AccessCache, fetchRepoAccess, type GitHubEndpoints } from "./github-oauth.js";
import { messagePage } from "./pages/layout.js";
import { SealedCookies } from "./sealed-cookie.js";
import { webHandler } from "./web-routes.js";

export { renderEvent } from "./pages/journal-view.js";
export type { WebDeps } from "./web-routes.js";
export { webHandler };

export interface SessionPagesOptions {
  queue: Pick<JobQueue, "get" | "list" | "stats" | "journal" | "cancel">;
  web: WebConfig;
  github: GitHubEndpoints;
  /** The App's private key: with the client secret, the default session key. */
  privateKey?: string;
  /** Where the server listens, when PUBLIC_URL is not set (local use). */
  fallbackUrl: string;
}

/** The pages' base URL: PUBLIC_URL, else where the server listens. */
export function pagesUrl(web: WebConfig, fallbackUrl: string): string {
  return web.publicUrl ?? fallbackUrl;
}

export function sessionPages(o: SessionPagesOptions): HttpHandler {
  const { clientId, clientSecret } = o.web;
  if (!clientId || !clientSecret) {
    const page = String(
      messagePage(
        "Sign-in is not set up",
        "The job pages need the App's OAuth client: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (see docs/configuration.md).",
      ),
    );
    return (req, res) => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (path !== "/ui" && !path.startsWith("/ui/")) return false;
      res.writeHead(503, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(page);
      return true;
    };
  }
  const base = pagesUrl(o.web, o.fallbackUrl);
  return webHandler({
    queue: o.queue,
    cookies: new SealedCookies(o.web.sessionSecret ?? `${clientSecret}\n${o.privateKey ?? ""}`),
    github: o.github,
    clientId,
    clientSecret,
    redirectUri: `${base}/ui/callback`,
    secure: base.startsWith("https:"),
    access: new AccessCache((token, repo) => fetchRepoAccess(o.github, token, repo)),
  });
}
