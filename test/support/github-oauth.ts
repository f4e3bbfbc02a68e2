// The GitHub stand-in's OAuth web flow, as a GitHub App's user authorization works:
// /login/oauth/authorize sends the browser straight back (the person is "already signed in
// to GitHub" as `signedIn`) with a one-time code bound to the client, the redirect URI and
// the PKCE challenge; /login/oauth/access_token trades it for a user token; with that
// token, GET /user says who it is and GET /repos/{o}/{r} answers with that person's
// permissions, or 404 where they have none.
import { createHash, randomBytes } from "node:crypto";
import type { Reply } from "./github-routes.js";
import type { GitHubState, Permission } from "./github-state.js";

interface PendingCode {
  login: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
}

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export class OAuthStandIn {
  /** The OAuth client the App has; the app must present exactly these. */
  readonly clientId = `Iv1.${randomBytes(8).toString("hex")}`;
  readonly clientSecret = randomBytes(20).toString("hex");
  /** Who is signed in to GitHub in the browser that comes to authorize; undefined: nobody (access denied). */
  signedIn: string | undefined;
  readonly codes = new Map<string, PendingCode>();
  /** user token → login */
  readonly tokens = new Map<string, string>();
  /** Each token exchange, as asked, for tests to check (PKCE present, secret sent). */
  readonly exchanges: Record<string, string>[] = [];

  constructor(private readonly state: GitHubState) {}

  isUserToken(token: string | undefined): boolean {
    return token !== undefined && this.tokens.has(token);
  }

  /** GET /login/oauth/authorize: a redirect back with code and state, or an error. */
  authorize(query: URLSearchParams): Reply {
    const redirectUri = query.get("redirect_uri") ?? "";
    const state = query.get("state") ?? "";
    if (query.get("client_id") !== this.clientId) return { status: 404, body: { message: "unknown client" } };
    if (query.get("code_challenge_method") !== "S256" || !query.get("code_challenge")) {
      return { status: 400, body: { message: "PKCE S256 challenge required" } };
    }
    const back = new URL(redirectUri);
    back.searchParams.set("state", state);
    if (!this.signedIn) back.searchParams.set("error", "access_denied");
    else {
      const code = randomBytes(10).toString("hex");
      this.codes.set(code, {
        login: this.signedIn,
        clientId: this.clientId,
        redirectUri,
        challenge: query.get("code_challenge")!,
      });
      back.searchParams.set("code", code);
    }
    return { status: 302, headers: { location: back.href }, body: "" };
  }

  /** POST /login/oauth/access_token (JSON or form). GitHub answers errors with 200 and `error`. */
  exchange(body: unknown): Reply {
    const p: Record<string, string> =
      typeof body === "string"
        ? Object.fromEntries(new URLSearchParams(body))
        : ((body ?? {}) as Record<string, string>);
    this.exchanges.push(p);
    const pending = this.codes.get(p.code ?? "");
    // A code is good once, whatever happens.
    if (p.code) this.codes.delete(p.code);
    if (p.client_id !== this.clientId || p.client_secret !== this.clientSecret) {
      return { status: 200, body: { error: "incorrect_client_credentials" } };
    }
    if (!pending || pending.redirectUri !== p.redirect_uri) {
      return { status: 200, body: { error: "bad_verification_code" } };
    }
    const challenge = createHash("sha256")
      .update(p.code_verifier ?? "")
      .digest("base64url");
    if (challenge !== pending.challenge) return { status: 200, body: { error: "invalid_grant" } };
    const token = `ghu_${randomBytes(18).toString("hex")}`;
    this.tokens.set(token, pending.login);
    return { status: 200, body: { access_token: token, token_type: "bearer", scope: "" } };
  }

  /** GET /user and GET /repos/{o}/{r} with a user token; undefined for any other path. */
  api(method: string, path: string, token: string): Reply | undefined {
    const login = this.tokens.get(token)!;
    if (method === "GET" && path === "/user") {
      const u = this.state.user(login);
      return { status: 200, body: { login: u.login, id: u.id, type: u.type } };
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path);
    if (method === "GET" && m) {
      const repo = this.state.repo(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
      const perm = repo?.permissions.get(login.toLowerCase()) ?? repo?.defaultPermission ?? "none";
      if (!repo || (perm === "none" && repo.private)) return { status: 404, body: { message: "Not Found" } };
      const r = RANK[perm];
      return {
        status: 200,
        body: {
          id: repo.id,
          name: repo.name,
          full_name: `${repo.owner}/${repo.name}`,
          private: repo.private,
          permissions: { pull: r >= 1, triage: r >= 2, push: r >= 3, maintain: r >= 4, admin: r >= 5 },
        },
      };
    }
    return { status: 403, body: { message: "Resource not accessible by integration" } };
  }
}
