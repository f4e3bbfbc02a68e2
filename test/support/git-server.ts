// Real git over smart HTTP for tests: `git http-backend` (CGI) behind node:http on
// 127.0.0.1, Basic auth with username `x-access-token` required on every request, and a
// log of every request and every Authorization value seen, so tests can prove the token
// travelled only as a header. Mount it standalone (`startGitServer`) or inside another
// server (`GitBackend.handle`, as the GitHub stand-in does under /git).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  commitFiles,
  diffFiles,
  diffText,
  type FileChange,
  initBareRepo,
  readFixture,
  readPath,
  revParse,
} from "./git-repos.js";

export const HTTP_BACKEND = "/usr/lib/git-core/git-http-backend";

export interface GitRequestRecord {
  method: string;
  /** The request URL below the mount point, query included. */
  url: string;
  hadAuth: boolean;
  authorized: boolean;
  status: number;
  /** Request body bytes as received (compressed when git gzipped them). */
  requestBytes: number;
  responseBytes: number;
  /** The protocol v2 command of an upload-pack POST ("ls-refs", "fetch"), when there is one. */
  command?: string;
}

export class GitBackend {
  readonly requests: GitRequestRecord[] = [];
  /** Every Authorization header value received, valid or not. */
  readonly authHeaders: string[] = [];
  /** Accepted tokens, each with what it opens ("owner/repo", and whether the request pushes). */
  readonly #tokens = new Map<string, (repo: string, write: boolean) => boolean>();
  /**
   * Asked before an authorised request is served: a promise holds it (a slow network, a
   * large clone) until it settles. Unset serves at once.
   */
  hold: ((request: GitRequestRecord) => Promise<void> | undefined) | undefined;

  constructor(readonly root: string) {}

  /** `opens`: the repositories the token reaches (all when absent); a refused one reads as absent (404). */
  acceptToken(token: string, opens: (repo: string, write: boolean) => boolean = () => true): void {
    this.#tokens.set(token, opens);
  }

  revokeToken(token: string): void {
    this.#tokens.delete(token);
  }

  /** "owner/repo" → its bare repository directory. */
  gitDir(name: string): string {
    return join(this.root, `${name}.git`);
  }

  /** A bare repository seeded from a fixture directory (or a README) as one commit on `main`. */
  async createBareRepo(name: string, fromDir?: string): Promise<string> {
    const dir = this.gitDir(name);
    await initBareRepo(dir);
    const files = fromDir ? await readFixture(fromDir) : { "README.md": `# ${name}\n` };
    return commitFiles(dir, "main", files, { message: "Initial commit" });
  }

  commitFiles(
    name: string,
    branch: string,
    files: Record<string, FileChange>,
    opts?: { message?: string; from?: string },
  ) {
    return commitFiles(this.gitDir(name), branch, files, opts);
  }

  revParse(name: string, ref: string): Promise<string | undefined> {
    return revParse(this.gitDir(name), ref);
  }

  diffFiles(name: string, base: string, head: string) {
    return diffFiles(this.gitDir(name), base, head);
  }

  diffText(name: string, base: string, head: string) {
    return diffText(this.gitDir(name), base, head);
  }

  readPath(name: string, ref: string, path: string) {
    return readPath(this.gitDir(name), ref, path);
  }

  /** Serves one request whose path below the mount point is `pathInfo` (e.g. `/o/r.git/info/refs`). */
  handle(req: IncomingMessage, res: ServerResponse, pathInfo: string, query: string): void {
    const auth = req.headers.authorization;
    if (auth !== undefined) this.authHeaders.push(auth);
    const record: GitRequestRecord = {
      method: req.method ?? "GET",
      url: query ? `${pathInfo}?${query}` : pathInfo,
      hadAuth: auth !== undefined,
      authorized: this.#authorized(auth),
      status: 0,
      requestBytes: 0,
      responseBytes: 0,
    };
    this.requests.push(record);
    if (record.authorized && !this.#opens(auth, pathInfo, query)) {
      // GitHub answers a repository the token does not open as one that does not exist.
      record.status = 404;
      req.resume();
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("Repository not found.\n");
      return;
    }
    if (!record.authorized) {
      record.status = 401;
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    const held = this.hold?.(record);
    if (held) {
      req.pause();
      held.then(() => this.#cgi(req, res, pathInfo, query, record)).catch(() => res.destroy());
      return;
    }
    this.#cgi(req, res, pathInfo, query, record);
  }

  #opens(header: string | undefined, pathInfo: string, query: string): boolean {
    const token = this.#token(header);
    const opens = token === undefined ? undefined : this.#tokens.get(token);
    if (!opens) return false;
    const name = /^\/([^/]+\/[^/]+?)(?:\.git)?(?:\/|$)/.exec(pathInfo)?.[1];
    const write = /git-receive-pack/.test(pathInfo) || /service=git-receive-pack/.test(query);
    return name !== undefined && opens(name, write);
  }

  #token(header: string | undefined): string | undefined {
    const match = /^basic\s+(\S+)$/i.exec(header ?? "");
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon > 0 && decoded.slice(0, colon) === "x-access-token" ? decoded.slice(colon + 1) : undefined;
  }

  #authorized(header: string | undefined): boolean {
    const match = /^basic\s+(\S+)$/i.exec(header ?? "");
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return (
      colon > 0 && decoded.slice(0, colon) === "x-access-token" && this.#tokens.has(decoded.slice(colon + 1))
    );
  }

  #cgi(req: IncomingMessage, res: ServerResponse, pathInfo: string, query: string, record: GitRequestRecord) {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: tmpdir(),
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_PROJECT_ROOT: this.root,
      GIT_HTTP_EXPORT_ALL: "1",
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_PROTOCOL: "HTTP/1.1",
      PATH_INFO: pathInfo,
      REQUEST_METHOD: req.method ?? "GET",
      QUERY_STRING: query,
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_USER: "x-access-token",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    };
    if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
    // http-backend inflates gzip'd bodies itself when told the encoding.
    if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
    const protocol = req.headers["git-protocol"];
    if (typeof protocol === "string") {
      env.GIT_PROTOCOL = protocol;
      env.HTTP_GIT_PROTOCOL = protocol;
    }
    const child = spawn(HTTP_BACKEND, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.on("error", () => undefined);
    const body: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      record.requestBytes += chunk.length;
      if (record.requestBytes <= 1 << 20) body.push(chunk);
    });
    req.on("end", () => {
      record.command = protocolCommand(Buffer.concat(body), req.headers["content-encoding"]);
    });
    req.pipe(child.stdin);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersSent) {
        record.responseBytes += chunk.length;
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const { status, headers } = parseCgiHeaders(head.subarray(0, end).toString("latin1"));
      record.status = status;
      res.writeHead(status, headers);
      headersSent = true;
      const body = head.subarray(end + 4);
      record.responseBytes += body.length;
      if (body.length > 0) res.write(body);
    });
    child.on("close", (code) => {
      if (!headersSent) {
        record.status = 500;
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`git http-backend exited with ${code}: ${stderr}`);
        return;
      }
      res.end();
    });
  }
}

function protocolCommand(body: Buffer, encoding: string | undefined): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const text = (encoding === "gzip" ? gunzipSync(body) : body).subarray(0, 256).toString("latin1");
    return /^[0-9a-f]{4}command=([a-z-]+)/.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
    else headers[key] = value;
  }
  return { status, headers };
}

export interface GitServer {
  backend: GitBackend;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The clone URL of "owner/repo". */
  repoUrl(name: string): string;
  close(): Promise<void>;
}

/** A standalone git server on 127.0.0.1 (port 0) over a fresh temp root, accepting `token`. */
export async function startGitServer(opts: { token?: string } = {}): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), "git-server-"));
  const backend = new GitBackend(root);
  if (opts.token) backend.acceptToken(opts.token);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    backend.handle(req, res, decodeURIComponent(url.pathname), url.search.slice(1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    backend,
    url,
    repoUrl: (name) => `${url}/${name}.git`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
