// A tiny router for the stand-in: "/repos/:owner/:repo/issues/:number" patterns, a typed
// context, and GitHub-style error replies.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GitBackend } from "./git-server.js";
import type { Urls } from "./github-json.js";
import type { GitHubState, InstallationToken, IssueState, RepoState, UserRef } from "./github-state.js";

export interface StandInEnv {
  urls: Urls;
  state: GitHubState;
  git: GitBackend;
  app: { id: number; slug: string; name: string };
  /** The bot user the installation token acts as. */
  bot: UserRef;
  issueToken(installationId: number, scope?: Partial<InstallationToken>): InstallationToken;
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever the client sent
  body: any;
  accept: string;
  env: StandInEnv;
  /** The installation token the request carried, when it carried one. */
  token?: InstallationToken;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Sent as-is (e.g. raw file contents) instead of JSON. */
  raw?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  /** App routes need the App's JWT; every other route an installation token. */
  appAuth: boolean;
  handler(ctx: RouteContext): Reply | Promise<Reply>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

export function route(
  method: string,
  pattern: string,
  handler: Route["handler"],
  opts: { appAuth?: boolean } = {},
): Route {
  const keys: string[] = [];
  const source = pattern
    .split("/")
    .map((part) => {
      if (part.startsWith(":")) {
        const wildcard = part.endsWith("*");
        keys.push(part.slice(1).replace(/\*$/, ""));
        return wildcard ? "(.*)" : "([^/]+)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { method, regex: new RegExp(`^${source}$`), keys, appAuth: opts.appAuth ?? false, handler };
}

export function match(routes: Route[], method: string, path: string) {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(m[i + 1] ?? "");
    });
    return { route: r, params };
  }
  return undefined;
}

export function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

export function needRepo(ctx: RouteContext): RepoState {
  const repo = ctx.env.state.repo(ctx.params.owner!, ctx.params.repo!);
  if (!repo) throw new HttpError(404, "Not Found");
  return repo;
}

export function needIssue(ctx: RouteContext, key = "number"): IssueState {
  const repo = needRepo(ctx);
  const issue = ctx.env.state.issue(repo.owner, repo.name, Number(ctx.params[key]));
  if (!issue) throw new HttpError(404, "Not Found");
  return issue;
}

export function needString(body: Record<string, unknown> | undefined, field: string): string {
  const value = body?.[field];
  if (typeof value !== "string" || value.length === 0) {
    throw new HttpError(422, "Validation Failed", [{ resource: "Body", field, code: "missing_field" }]);
  }
  return value;
}

export function now(): string {
  return new Date().toISOString();
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (reply.raw) {
    res.writeHead(reply.status, { "Content-Type": reply.contentType ?? "application/octet-stream" });
    res.end(reply.raw);
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  res.writeHead(reply.status, {
    ...reply.headers,
    "Content-Type": "application/json; charset=utf-8",
    "X-GitHub-Media-Type": "github.v3; format=json",
    "X-RateLimit-Limit": "5000",
    "X-RateLimit-Remaining": "4999",
  });
  res.end(JSON.stringify(reply.body));
}
