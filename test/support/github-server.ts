// A stateful stand-in for GitHub (Enterprise) on 127.0.0.1: the REST API under /api/v3 that
// a Probot app with GHE_HOST=127.0.0.1:<port> and GHE_PROTOCOL=http calls, and real git
// over smart HTTP under /git/<owner>/<repo>.git on the same port, accepting exactly the
// installation tokens the API issued. Every request is logged; state is plain objects.
//
// Typical end-to-end use:
//   const gh = await startGitHubServer({ appPublicKey });
//   await gh.createRepo("acme", "ledger", { fromDir: "test/fixtures/ledger" });
//   gh.setPermission("acme", "ledger", "alice", "write");
//   const issue = gh.createIssue("acme", "ledger", { title: "Add a balance endpoint" });
//   start the app with APP_ID=gh.app.id, GHE_HOST=gh.host, GHE_PROTOCOL=http, then
//   await sendWebhook(appUrl, { secret, event: "issues",
//     payload: issuesLabeled(gh, { owner: "acme", repo: "ledger", number: issue.number, label: "backend-go", sender: "alice" }) });
//   inspect gh.state.comments / .issues (pulls) / .checkRuns / .reactions / .requests, and gh.git.requests.
import { randomBytes, verify } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitBackend } from "./git-server.js";
import { checkRoutes } from "./github-api-checks.js";
import { gitRoutes } from "./github-api-git.js";
import { graphqlRoutes } from "./github-api-graphql.js";
import { issueRoutes } from "./github-api-issues.js";
import { pullRoutes } from "./github-api-pulls.js";
import { repoRoutes } from "./github-api-repos.js";
import { reviewRoutes } from "./github-api-reviews.js";
import { cloneUrl, type Urls } from "./github-json.js";
import { OAuthStandIn } from "./github-oauth.js";
import { HttpError, match, type Reply, readBody, type StandInEnv, sendReply } from "./github-routes.js";
import {
  type CommentState,
  GitHubState,
  type InstallationToken,
  type IssueState,
  type Permission,
  type RepoState,
  type RequestLogEntry,
  type UserRef,
} from "./github-state.js";
import { scopeRefusal, tokenOpens } from "./github-token-scope.js";

const ROUTES = [
  ...issueRoutes,
  ...pullRoutes,
  ...repoRoutes,
  ...gitRoutes,
  ...reviewRoutes,
  ...checkRoutes,
  ...graphqlRoutes,
];

export interface GitHubStandInOptions {
  app?: { id: number; slug: string; name: string };
  /** When given, App JWTs must be signed by this key (RS256) and name the App as `iss`. */
  appPublicKey?: string;
  /** Lifetime of issued installation tokens; GitHub's is one hour. */
  tokenTtlMs?: number;
}

export interface InjectedFailure {
  method: string;
  path: RegExp;
  status: number;
  /** How many matching requests fail before the route answers normally again. */
  times: number;
  /** Failures that start once this one has fired (a storm that spreads, in order). */
  followedBy?: InjectedFailure[];
}

export interface GitHubStandIn {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/api/v3 — Octokit's baseUrl. */
  apiUrl: string;
  /** 127.0.0.1:<port> — the app's GHE_HOST (with GHE_PROTOCOL=http). */
  host: string;
  state: GitHubState;
  git: GitBackend;
  app: { id: number; slug: string; name: string };
  /** The user the installation acts as: `<slug>[bot]`. */
  bot: UserRef;
  failures: InjectedFailure[];
  /** The App's OAuth client and the web flow: set `oauth.signedIn` to who signs in next. */
  oauth: OAuthStandIn;
  createRepo(owner: string, repo: string, opts?: CreateRepoOptions): Promise<RepoState>;
  cloneUrl(owner: string, repo: string): string;
  setPermission(owner: string, repo: string, login: string, permission: Permission): void;
  createIssue(
    owner: string,
    repo: string,
    issue: { title: string; body?: string; user?: string; labels?: string[] },
  ): IssueState;
  /** A comment written by a person (not through the API), e.g. before a webhook about it. */
  addComment(owner: string, repo: string, number: number, body: string, user: string): CommentState;
  /** Accepts a fixed token as an installation token (for apps given `githubToken`). */
  acceptToken(token: string, installationId?: number): void;
  /** Expires every installation token issued so far, on the API and on git (as an hour passing would). */
  expireTokens(): void;
  /** Requests that matched no route. */
  unknownRequests(): RequestLogEntry[];
  close(): Promise<void>;
}

export interface CreateRepoOptions {
  fromDir?: string;
  installationId?: number;
  defaultPermission?: Permission;
  private?: boolean;
}

export async function startGitHubServer(opts: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const root = await mkdtemp(join(tmpdir(), "github-standin-"));
  const git = new GitBackend(root);
  const state = new GitHubState();
  const app = opts.app ?? { id: 4242, slug: "backend-go-agent", name: "backend-go-agent" };
  const bot = state.user(`${app.slug}[bot]`, "Bot");
  const failures: InjectedFailure[] = [];
  const urls: Urls = { web: "", api: "" };

  function issueToken(installationId: number, scope: Partial<InstallationToken> = {}): InstallationToken {
    const t: InstallationToken = {
      ...scope,
      token: `ghs_${randomBytes(18).toString("hex")}`,
      installationId,
      expiresAt: new Date(Date.now() + (opts.tokenTtlMs ?? 3600_000)).toISOString(),
    };
    state.tokens.push(t);
    git.acceptToken(t.token, (name, write) => {
      const repo = state.repo(...(name.split("/") as [string, string]));
      // A bare repository the API does not know (seeded through git only) is open to unscoped tokens.
      if (!repo) return !t.repositoryIds;
      if (!tokenOpens(t, repo, write)) return false;
      return !write || !t.permissions || t.permissions.contents === "write";
    });
    return t;
  }
  const env: StandInEnv = { urls, state, git, app, bot, issueToken };
  const oauth = new OAuthStandIn(state);

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ message: String(err) }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith("/git/")) {
      git.handle(req, res, decodeURIComponent(url.pathname.slice("/git".length)), url.search.slice(1));
      return;
    }
    const raw = await readBody(req);
    const contentType = req.headers["content-type"] ?? "";
    let body: unknown = raw.length ? raw.toString("utf8") : undefined;
    if (raw.length && contentType.includes("json")) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        body = raw.toString("utf8");
      }
    }
    const method = req.method ?? "GET";
    // REST lives under /api/v3; GitHub Enterprise's GraphQL endpoint is /api/graphql.
    const path =
      url.pathname
        .replace(/^\/api\/v3(?=\/)/, "")
        .replace(/^\/api\/graphql$/, "/graphql")
        .replace(/\/+$/, "") || "/";
    const bearer = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const web: Reply | undefined =
      method === "GET" && url.pathname === "/login/oauth/authorize"
        ? oauth.authorize(url.searchParams)
        : method === "POST" && url.pathname === "/login/oauth/access_token"
          ? oauth.exchange(body)
          : oauth.isUserToken(bearer)
            ? oauth.api(method, path, bearer!)
            : undefined;
    if (web) {
      state.requests.push({
        method,
        path,
        query: url.search.slice(1),
        body,
        status: web.status,
        auth: "none",
      });
      sendReply(res, web);
      return;
    }
    const auth = authKind(req.headers.authorization);
    const entry: RequestLogEntry = { method, path, query: url.search.slice(1), body, status: 0, auth };
    if (auth === "token") {
      const value = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
      entry.tokenIndex = state.tokens.findIndex((t) => t.token === value);
    }
    state.requests.push(entry);

    let reply: Reply;
    const found = match(ROUTES, method, path);
    const failure = failures.find((f) => f.times > 0 && f.method === method && f.path.test(path));
    if (failure) {
      failure.times--;
      failures.push(...(failure.followedBy ?? []));
      failure.followedBy = undefined;
      reply = { status: failure.status, body: { message: "Injected failure" } };
    } else if (!found) {
      reply = {
        status: 404,
        body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" },
      };
    } else if (found.route.appAuth ? auth !== "jwt" : auth !== "token") {
      reply = {
        status: 401,
        body: {
          message: found.route.appAuth
            ? "A JSON web token could not be decoded"
            : "Bad credentials: an installation token is required",
        },
      };
    } else if (!found.route.appAuth && scoped(req.headers.authorization, method, path)) {
      reply = scoped(req.headers.authorization, method, path)!;
    } else {
      try {
        reply = await found.route.handler({
          params: found.params,
          query: url.searchParams,
          body,
          accept: req.headers.accept ?? "",
          env,
          ...(entry.tokenIndex !== undefined && entry.tokenIndex >= 0
            ? { token: state.tokens[entry.tokenIndex] }
            : {}),
        });
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        reply = {
          status: err.status,
          body: { message: err.message, ...(err.errors ? { errors: err.errors } : {}) },
        };
      }
    }
    entry.status = reply.status;
    sendReply(res, reply);
  }

  /** A token minted for other repositories or fewer permissions is refused as GitHub would. */
  function scoped(header: string | undefined, method: string, path: string): Reply | undefined {
    const value = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? "")?.[1];
    const t = state.tokens.find((x) => x.token === value);
    return t ? scopeRefusal(state, t, method, path) : undefined;
  }

  function authKind(header: string | undefined): RequestLogEntry["auth"] {
    if (!header) return "none";
    const m = /^(token|bearer)\s+(\S+)$/i.exec(header);
    if (!m) return "invalid";
    const value = m[2]!;
    if (state.tokens.some((t) => t.token === value && Date.parse(t.expiresAt) > Date.now())) return "token";
    return isAppJwt(value, app.id, opts.appPublicKey) ? "jwt" : "invalid";
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  urls.web = `http://127.0.0.1:${port}`;
  urls.api = `${urls.web}/api/v3`;

  return {
    url: urls.web,
    apiUrl: urls.api,
    host: `127.0.0.1:${port}`,
    state,
    git,
    app,
    bot,
    failures,
    oauth,
    async createRepo(owner, repo, o = {}) {
      await git.createBareRepo(`${owner}/${repo}`, o.fromDir);
      state.user(owner, "Organization");
      const r: RepoState = {
        id: state.nextId(),
        owner,
        name: repo,
        defaultBranch: "main",
        private: o.private ?? true,
        installationId: o.installationId ?? 7,
        permissions: new Map(),
        defaultPermission: o.defaultPermission ?? "none",
        labels: new Map(),
        nextNumber: 1,
      };
      state.repos.set(`${owner}/${repo}`.toLowerCase(), r);
      return r;
    },
    cloneUrl: (owner, repo) => cloneUrl(urls, owner, repo),
    setPermission(owner, repo, login, permission) {
      const r = state.repo(owner, repo);
      if (!r) throw new Error(`no repository ${owner}/${repo}`);
      r.permissions.set(login.toLowerCase(), permission);
    },
    createIssue(owner, repo, issue) {
      const r = state.repo(owner, repo);
      if (!r) throw new Error(`no repository ${owner}/${repo}`);
      const at = new Date().toISOString();
      const created: IssueState = {
        id: state.nextId(),
        number: r.nextNumber++,
        owner,
        repo,
        title: issue.title,
        body: issue.body ?? null,
        state: "open",
        user: state.user(issue.user ?? "alice"),
        labels: [...(issue.labels ?? [])],
        createdAt: at,
        updatedAt: at,
      };
      state.issues.push(created);
      return created;
    },
    addComment(owner, repo, number, body, user) {
      const at = new Date().toISOString();
      const c: CommentState = {
        id: state.nextId(),
        owner,
        repo,
        issueNumber: number,
        body,
        user: state.user(user),
        history: [body],
        createdAt: at,
        updatedAt: at,
      };
      state.comments.push(c);
      return c;
    },
    acceptToken(token, installationId = 7) {
      state.tokens.push({
        token,
        installationId,
        expiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      });
      git.acceptToken(token);
    },
    expireTokens() {
      for (const t of state.tokens) {
        t.expiresAt = new Date(0).toISOString();
        git.revokeToken(t.token);
      }
    },
    unknownRequests: () => state.requests.filter((r) => r.status === 404 && !match(ROUTES, r.method, r.path)),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** An App JWT: RS256, `iss` the App id, not expired; signed by `publicKey` when one is given. */
function isAppJwt(value: string, appId: number, publicKey: string | undefined): boolean {
  const parts = value.split(".");
  if (parts.length !== 3) return false;
  try {
    const head = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8"));
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
    if (head.alg !== "RS256" || String(claims.iss) !== String(appId)) return false;
    if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return false;
    if (!publicKey) return true;
    return verify(
      "RSA-SHA256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      publicKey,
      Buffer.from(parts[2]!, "base64url"),
    );
  } catch {
    return false;
  }
}
