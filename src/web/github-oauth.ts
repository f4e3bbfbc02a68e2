// The GitHub side of sign-in: the App's OAuth web flow (authorization code with state and
// PKCE), who the token belongs to, and what that person may do on a repository. GitHub
// Enterprise Server answers the same paths on its own host (GHE_HOST).
import { createHash, randomBytes } from "node:crypto";

export interface GitHubEndpoints {
  /** Where people sign in: https://github.com or the GHE host. */
  webUrl: string;
  /** The REST API: https://api.github.com or <GHE>/api/v3. */
  apiUrl: string;
}

/** GitHub refused or did not answer: the sign-in or access check cannot go on. */
export class GitHubSignInError extends Error {
  override name = "GitHubSignInError";
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

export function newPkce(): PkcePair {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function newState(): string {
  return randomBytes(24).toString("base64url");
}

export function authorizeUrl(
  gh: GitHubEndpoints,
  p: { clientId: string; redirectUri: string; state: string; challenge: string },
): string {
  const url = new URL("/login/oauth/authorize", gh.webUrl);
  url.searchParams.set("client_id", p.clientId);
  url.searchParams.set("redirect_uri", p.redirectUri);
  url.searchParams.set("state", p.state);
  url.searchParams.set("code_challenge", p.challenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("allow_signup", "false");
  return url.href;
}

const TIMEOUT_MS = 10_000;

/** Trades the callback's code (with the PKCE verifier) for the person's token. */
export async function exchangeCode(
  gh: GitHubEndpoints,
  p: { clientId: string; clientSecret: string; code: string; redirectUri: string; verifier: string },
): Promise<string> {
  const res = await fetch(new URL("/login/oauth/access_token", gh.webUrl), {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({
      client_id: p.clientId,
      client_secret: p.clientSecret,
      code: p.code,
      redirect_uri: p.redirectUri,
      code_verifier: p.verifier,
    }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown };
  if (!res.ok || typeof body.access_token !== "string" || !body.access_token) {
    // GitHub's own error code only (bad_verification_code, …): never the request's values.
    const code = typeof body.error === "string" ? body.error.replace(/[^\w-]/g, "").slice(0, 60) : res.status;
    throw new GitHubSignInError(`GitHub did not accept the sign-in (${code})`);
  }
  return body.access_token;
}

async function api(gh: GitHubEndpoints, token: string, path: string): Promise<Response> {
  return fetch(`${gh.apiUrl}${path}`, {
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${token}`,
      "x-github-api-version": "2022-11-28",
    },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
}

export async function fetchLogin(gh: GitHubEndpoints, token: string): Promise<string> {
  const res = await api(gh, token, "/user");
  const body = (await res.json().catch(() => ({}))) as { login?: unknown };
  if (!res.ok || typeof body.login !== "string") {
    throw new GitHubSignInError(`GitHub did not say who signed in (${res.status})`);
  }
  return body.login;
}

export interface RepoAccess {
  read: boolean;
  /** push, maintain or admin: may stop the repository's jobs. */
  write: boolean;
}

const NONE: RepoAccess = { read: false, write: false };

/** What the token's owner may do on `owner/repo`, as GitHub says; 404 and 403 mean nothing. */
export async function fetchRepoAccess(
  gh: GitHubEndpoints,
  token: string,
  fullName: string,
): Promise<RepoAccess> {
  const [owner, repo] = fullName.split("/");
  if (!owner || !repo) return NONE;
  const res = await api(gh, token, `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`);
  if (res.status === 404 || res.status === 403 || res.status === 401) return NONE;
  if (!res.ok) throw new GitHubSignInError(`GitHub did not answer for a repository (${res.status})`);
  const body = (await res.json()) as { permissions?: Record<string, boolean> };
  const p = body.permissions ?? {};
  return { read: true, write: Boolean(p.push || p.maintain || p.admin) };
}

/**
 * Access answers kept for minutes, not forever: a person who loses access loses the pages
 * within the TTL. Keyed by a hash of the token, never the token.
 */
export class AccessCache {
  readonly #entries = new Map<string, { access: Promise<RepoAccess>; until: number }>();

  constructor(
    private readonly lookup: (token: string, repo: string) => Promise<RepoAccess>,
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(token: string, repo: string, now = Date.now()): Promise<RepoAccess> {
    const key = `${createHash("sha256").update(token).digest("base64url")}:${repo.toLowerCase()}`;
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) return hit.access;
    const access = this.lookup(token, repo);
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { access, until: now + this.ttlMs });
    // A failed check is not remembered: the next page asks again.
    access.catch(() => this.#entries.delete(key));
    return access;
  }
}
