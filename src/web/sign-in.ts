// Sign in with GitHub: /ui/login sends the person to GitHub with a fresh state and PKCE
// challenge (kept in a sealed, short-lived cookie); /ui/callback checks the state, trades
// the code for the person's token, and sets the sealed session cookie; /ui/logout clears it.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { registerSecret } from "../secrets.js";
import {
  authorizeUrl,
  exchangeCode,
  fetchLogin,
  type GitHubEndpoints,
  GitHubSignInError,
  newPkce,
  newState,
} from "./github-oauth.js";
import { readCookie, type SealedCookies, setCookieHeader } from "./sealed-cookie.js";

export const SESSION_COOKIE = "bga_session";
const FLOW_COOKIE = "bga_oauth";
const SESSION_TTL_MS = 8 * 3600_000;
const FLOW_TTL_MS = 10 * 60_000;

export interface Session {
  login: string;
  /** The person's GitHub token: read with it, never shown, never logged. */
  token: string;
  /** This session's id, for its CSRF token. */
  sid: string;
}

interface Flow {
  state: string;
  verifier: string;
  returnTo: string;
}

export interface SignInDeps {
  cookies: SealedCookies;
  github: GitHubEndpoints;
  clientId: string;
  clientSecret: string;
  /** Where GitHub sends the person back: <PUBLIC_URL>/ui/callback. */
  redirectUri: string;
  secure: boolean;
}

/** Only this server's own pages: never an open redirect. */
export function safeReturnTo(value: string | null | undefined): string {
  return value && /^\/ui\/[\w\-./?=&%]*$/.test(value) && !value.includes("//") ? value : "/ui/jobs";
}

export function readSession(deps: Pick<SignInDeps, "cookies">, req: IncomingMessage): Session | undefined {
  const s = deps.cookies.open<Session>(SESSION_COOKIE, readCookie(req, SESSION_COOKIE));
  return s && typeof s.login === "string" && typeof s.token === "string" && typeof s.sid === "string"
    ? s
    : undefined;
}

/** The form token that proves a POST came from this server's own page for this session. */
export function csrfToken(deps: Pick<SignInDeps, "clientSecret">, session: Session): string {
  return createHmac("sha256", deps.clientSecret).update(`csrf:${session.sid}`).digest("base64url");
}

export function csrfValid(
  deps: Pick<SignInDeps, "clientSecret">,
  session: Session,
  given: string | null,
): boolean {
  const want = Buffer.from(csrfToken(deps, session));
  const got = Buffer.from(given ?? "");
  return got.length === want.length && timingSafeEqual(got, want);
}

function redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  res.writeHead(303, {
    location,
    "cache-control": "no-store",
    ...(cookies.length ? { "set-cookie": cookies } : {}),
  });
  res.end();
}

export function startSignIn(deps: SignInDeps, res: ServerResponse, returnTo: string | null): void {
  const state = newState();
  const pkce = newPkce();
  const flow: Flow = { state, verifier: pkce.verifier, returnTo: safeReturnTo(returnTo) };
  const cookie = setCookieHeader(FLOW_COOKIE, deps.cookies.seal(FLOW_COOKIE, flow, FLOW_TTL_MS), {
    maxAgeSeconds: FLOW_TTL_MS / 1000,
    secure: deps.secure,
    path: "/ui/callback",
  });
  redirect(
    res,
    authorizeUrl(deps.github, {
      clientId: deps.clientId,
      redirectUri: deps.redirectUri,
      state,
      challenge: pkce.challenge,
    }),
    [cookie],
  );
}

export type CallbackResult = { ok: true } | { ok: false; status: number; message: string };

/**
 * The callback: a missing or expired flow cookie, a state that differs from the one this
 * browser was given (a forged or replayed callback), or a code GitHub refuses end here.
 */
export async function finishSignIn(
  deps: SignInDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<CallbackResult> {
  const flow = deps.cookies.open<Flow>(FLOW_COOKIE, readCookie(req, FLOW_COOKIE));
  const state = url.searchParams.get("state") ?? "";
  const code = url.searchParams.get("code") ?? "";
  if (!flow)
    return {
      ok: false,
      status: 400,
      message: "This sign-in link has expired or was not started here. Sign in again.",
    };
  const want = Buffer.from(flow.state);
  const got = Buffer.from(state);
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    return {
      ok: false,
      status: 400,
      message: "The sign-in did not match the one this browser started. Sign in again.",
    };
  }
  if (url.searchParams.get("error"))
    return { ok: false, status: 403, message: "GitHub did not sign you in." };
  if (!code) return { ok: false, status: 400, message: "GitHub sent no code back. Sign in again." };
  let token: string;
  let login: string;
  try {
    token = await exchangeCode(deps.github, {
      clientId: deps.clientId,
      clientSecret: deps.clientSecret,
      code,
      redirectUri: deps.redirectUri,
      verifier: flow.verifier,
    });
    registerSecret(token, SESSION_TTL_MS);
    login = await fetchLogin(deps.github, token);
  } catch (err) {
    const message = err instanceof GitHubSignInError ? err.message : "GitHub could not be reached";
    return { ok: false, status: 502, message: `${message}. Sign in again.` };
  }
  const session: Session = { login, token, sid: randomBytes(16).toString("base64url") };
  redirect(res, flow.returnTo, [
    setCookieHeader(SESSION_COOKIE, deps.cookies.seal(SESSION_COOKIE, session, SESSION_TTL_MS), {
      maxAgeSeconds: SESSION_TTL_MS / 1000,
      secure: deps.secure,
    }),
    // The flow is spent: the same callback cannot be replayed in this browser.
    setCookieHeader(FLOW_COOKIE, "", { maxAgeSeconds: 0, secure: deps.secure, path: "/ui/callback" }),
  ]);
  return { ok: true };
}

export function signOut(deps: Pick<SignInDeps, "secure">, res: ServerResponse): void {
  redirect(res, "/ui/signed-out", [
    setCookieHeader(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: deps.secure }),
  ]);
}
