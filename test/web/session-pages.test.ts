// The session pages on a real HTTP server over a real SQLite job queue, signing in through
// the GitHub stand-in's OAuth web flow: who sees what, the cookie's properties, and the bad
// inputs (wrong state, forged or replayed callback, tampered cookie, another repository's
// job, a stop without write access, hostile tool output).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { SqliteJobQueue, sqliteQueueFile } from "../../src/queue/sqlite-queue.js";
import { sessionPages } from "../../src/web/index.js";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import { makeTask } from "../support/queue-task.js";

let gh: GitHubStandIn;
let queue: SqliteJobQueue;
let server: Server;
let base: string;
const root = mkdtempSync(join(tmpdir(), "web-pages-"));
let ledgerJob: string;
let secretJob: string;

beforeAll(async () => {
  gh = await startGitHubServer();
  await gh.createRepo("acme", "ledger");
  await gh.createRepo("acme", "secret-plans");
  gh.setPermission("acme", "ledger", "alice", "write");
  gh.setPermission("acme", "ledger", "bob", "read");
  gh.setPermission("acme", "secret-plans", "carol", "admin");
  queue = new SqliteJobQueue(sqliteQueueFile(root));
  ledgerJob = (await queue.enqueue(makeTask("web-ledger", { repo: "ledger", number: 3 }))).jobId;
  secretJob = (await queue.enqueue(makeTask("web-secret", { repo: "secret-plans", number: 9 }))).jobId;
  await queue.appendJournal(ledgerJob, { kind: "step", step: "gate", detail: "issue_label by @octocat" });
  await queue.appendJournal(ledgerJob, {
    kind: "tool_call",
    turn: 1,
    id: "t1",
    name: "run_go",
    input: { args: ["test", "./..."] },
    output: '<script>document.title="pwned"</script>\u001b[31mFAIL\u001b[0m <img src=x onerror=alert(1)>',
    isError: true,
    durationMs: 1200,
  });
  server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
  base = `http://127.0.0.1:${port}`;
  const handler = sessionPages({
    queue,
    web: { clientId: gh.oauth.clientId, clientSecret: gh.oauth.clientSecret, publicUrl: base },
    github: { webUrl: gh.url, apiUrl: gh.apiUrl },
    fallbackUrl: base,
  });
  server.on("request", async (req, res) => {
    if (!(await handler(req, res))) {
      res.writeHead(404);
      res.end();
    }
  });
}, 30_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await queue?.close();
  await gh?.close();
  rmSync(root, { recursive: true, force: true });
});

/** name=value pairs from a response's set-cookie headers. */
function cookiesOf(res: Response): Record<string, { value: string; attrs: string }> {
  const out: Record<string, { value: string; attrs: string }> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair = "", ...attrs] = line.split("; ");
    const eq = pair.indexOf("=");
    out[pair.slice(0, eq)] = { value: pair.slice(eq + 1), attrs: attrs.join("; ") };
  }
  return out;
}

const get = (path: string, cookie = "", init: RequestInit = {}) =>
  fetch(`${base}${path}`, { redirect: "manual", ...init, headers: { cookie, ...(init.headers ?? {}) } });

/** Starts a sign-in and follows GitHub's redirect: the callback URL and the flow cookie. */
async function authorize(
  login: string | undefined,
): Promise<{ callback: string; flow: string; login: Response }> {
  gh.oauth.signedIn = login;
  const start = await get("/ui/login?return_to=/ui/jobs");
  expect(start.status).toBe(303);
  const flow = cookiesOf(start).bga_oauth!;
  const toGitHub = await fetch(start.headers.get("location")!, { redirect: "manual" });
  expect(toGitHub.status).toBe(302);
  return { callback: toGitHub.headers.get("location")!, flow: `bga_oauth=${flow.value}`, login: start };
}

async function signIn(login: string): Promise<string> {
  const { callback, flow } = await authorize(login);
  const res = await fetch(callback, { redirect: "manual", headers: { cookie: flow } });
  expect(res.status).toBe(303);
  return `bga_session=${cookiesOf(res).bga_session!.value}`;
}

describe("sign-in with GitHub", () => {
  it("sends the browser to GitHub with state and an S256 PKCE challenge, in a short-lived HttpOnly cookie", async () => {
    const { login } = await authorize("alice");
    const to = new URL(login.headers.get("location")!);
    expect(`${to.origin}${to.pathname}`).toBe(`${gh.url}/login/oauth/authorize`);
    expect(to.searchParams.get("client_id")).toBe(gh.oauth.clientId);
    expect(to.searchParams.get("redirect_uri")).toBe(`${base}/ui/callback`);
    expect(to.searchParams.get("state")).toMatch(/^[\w-]{32}$/);
    expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    expect(to.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    const flow = cookiesOf(login).bga_oauth!;
    expect(flow.attrs).toMatch(/HttpOnly/);
    expect(flow.attrs).toMatch(/SameSite=Lax/);
    expect(flow.attrs).toMatch(/Path=\/ui\/callback/);
    // Over plain http (no TLS), Secure would make the browser drop the cookie.
    expect(flow.attrs).not.toMatch(/Secure/);
    // The verifier never leaves the server except sealed: it is not readable in the cookie.
    expect(Buffer.from(flow.value.replace(/\./g, ""), "base64url").toString()).not.toMatch(/verifier/);
  });

  it("signs in with the code, sends the PKCE verifier and the client secret, and sets the session cookie", async () => {
    const { callback, flow } = await authorize("alice");
    const res = await fetch(callback, { redirect: "manual", headers: { cookie: flow } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/jobs");
    const session = cookiesOf(res).bga_session!;
    expect(session.attrs).toMatch(/HttpOnly/);
    expect(session.attrs).toMatch(/SameSite=Lax/);
    expect(cookiesOf(res).bga_oauth!.attrs).toMatch(/Max-Age=0/);
    const exchange = gh.oauth.exchanges.at(-1)!;
    expect(exchange.code_verifier).toMatch(/^[\w-]{43}$/);
    expect(exchange.client_secret).toBe(gh.oauth.clientSecret);
    // The person's token is sealed in the cookie, not readable from it.
    const [token] = [...gh.oauth.tokens.keys()].slice(-1);
    expect(session.value).not.toContain(token!);
    const page = await get("/ui/jobs", `bga_session=${session.value}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Signed in as <strong>@alice</strong>");
  });

  it("refuses a callback whose state differs from the one this browser was given", async () => {
    const { callback, flow } = await authorize("alice");
    const forged = new URL(callback);
    forged.searchParams.set("state", "x".repeat(32));
    const res = await fetch(forged, { redirect: "manual", headers: { cookie: flow } });
    expect(res.status).toBe(400);
    expect(cookiesOf(res).bga_session).toBeUndefined();
    expect(await res.text()).toContain("did not match the one this browser started");
  });

  it("refuses a forged callback with no sign-in started in this browser", async () => {
    const { callback } = await authorize("alice");
    const res = await fetch(callback, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(cookiesOf(res).bga_session).toBeUndefined();
  });

  it("refuses a replayed callback: the code is good once", async () => {
    const { callback, flow } = await authorize("alice");
    expect((await fetch(callback, { redirect: "manual", headers: { cookie: flow } })).status).toBe(303);
    const again = await fetch(callback, { redirect: "manual", headers: { cookie: flow } });
    expect(again.status).toBe(502);
    expect(cookiesOf(again).bga_session).toBeUndefined();
    expect(await again.text()).toContain("GitHub did not accept the sign-in (bad_verification_code)");
  });

  it("says so when GitHub does not sign the person in", async () => {
    const { callback, flow } = await authorize(undefined);
    const res = await fetch(callback, { redirect: "manual", headers: { cookie: flow } });
    expect(res.status).toBe(403);
    expect(cookiesOf(res).bga_session).toBeUndefined();
  });

  it("shows nothing but the sign-in page without a session, or with a tampered cookie", async () => {
    const session = await signIn("alice");
    const value = session.split("=")[1]!;
    const flipped = `${value.slice(0, 20)}${value[20] === "A" ? "B" : "A"}${value.slice(21)}`;
    for (const cookie of ["", `bga_session=${flipped}`, `bga_oauth=${value}`, "bga_session=garbage"]) {
      for (const path of ["/ui/jobs", `/ui/jobs/${ledgerJob}`, `/ui/jobs/${ledgerJob}/events`]) {
        const res = await get(path, cookie);
        expect(res.status).toBe(401);
        const text = await res.text();
        expect(text).toContain("Sign in with GitHub");
        expect(text).not.toContain("acme/ledger");
      }
    }
  });

  it("signs out with the page's own form, and not from another site's", async () => {
    const session = await signIn("alice");
    const page = await (await get("/ui/jobs", session)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const forged = await get("/ui/logout", session, {
      method: "POST",
      body: "csrf=nope",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(forged.status).toBe(403);
    const out = await get("/ui/logout", session, {
      method: "POST",
      body: `csrf=${encodeURIComponent(csrf)}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(out.status).toBe(303);
    expect(cookiesOf(out).bga_session!.attrs).toMatch(/Max-Age=0/);
  });
});

describe("what a signed-in person sees", () => {
  it("lists the jobs of repositories they can read, and never names another", async () => {
    const alice = await signIn("alice");
    const text = await (await get("/ui/jobs", alice)).text();
    expect(text).toContain(`href="/ui/jobs/${ledgerJob}"`);
    expect(text).toContain("acme/ledger#3");
    expect(text).not.toContain("secret-plans");
    const carol = await signIn("carol");
    const theirs = await (await get("/ui/jobs", carol)).text();
    expect(theirs).toContain("acme/secret-plans#9");
    expect(theirs).not.toContain("acme/ledger");
    expect(theirs).toMatch(/Queue depth<\/span> <strong id="queue-depth">2</);
  });

  it("filters the list by repository, status and trigger", async () => {
    const carol = await signIn("carol");
    gh.setPermission("acme", "ledger", "carol", "read");
    try {
      const both = await (await get("/ui/jobs", carol)).text();
      expect(both).toContain("acme/ledger#3");
      const one = await (await get("/ui/jobs?repo=acme%2Fsecret-plans", carol)).text();
      expect(one).toContain("acme/secret-plans#9");
      expect(one).not.toContain("acme/ledger#3");
      expect(await (await get("/ui/jobs?status=succeeded", carol)).text()).toContain("No jobs here");
      expect(await (await get("/ui/jobs?trigger=issue_label", carol)).text()).toContain("acme/ledger#3");
    } finally {
      gh.setPermission("acme", "ledger", "carol", "none");
    }
  });

  it("answers another repository's job with the same 404 as a job that does not exist", async () => {
    const alice = await signIn("alice");
    const hidden = await get(`/ui/jobs/${secretJob}`, alice);
    const missing = await get("/ui/jobs/job-doesnotexist", alice);
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await hidden.text()).toBe(await missing.text());
    expect((await get(`/ui/jobs/${secretJob}/events`, alice)).status).toBe(404);
  });

  it("shows hostile tool output as inert text, without its ANSI escapes", async () => {
    const bob = await signIn("bob");
    const res = await get(`/ui/jobs/${ledgerJob}`, bob);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    const text = await res.text();
    expect(text).toContain("&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;FAIL");
    expect(text).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(text).not.toContain("<script>document");
    expect(text).not.toContain("\u001b");
    // The only script is the server's own file.
    expect(text.match(/<script/g)).toEqual(["<script"]);
    expect(text).toContain('<script src="/ui/static/live.js" defer></script>');
  });

  it("asks GitHub about a repository once per few minutes, not on every page", async () => {
    const bob = await signIn("bob");
    const repoCalls = () => gh.state.requests.filter((r) => r.path === "/repos/acme/ledger").length;
    const before = repoCalls();
    for (let i = 0; i < 3; i++) expect((await get(`/ui/jobs/${ledgerJob}`, bob)).status).toBe(200);
    expect(repoCalls() - before).toBe(1);
  });

  it("streams new journal entries to a page that is open", async () => {
    const bob = await signIn("bob");
    const res = await get(`/ui/jobs/${ledgerJob}/events?after=2`, bob);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let got = "";
    const read = async (until: RegExp) => {
      while (!until.test(got)) {
        const { value, done } = await reader.read();
        if (done) break;
        got += Buffer.from(value).toString("utf8");
      }
    };
    await read(/event: status/);
    expect(got).toContain('data: {"status":"queued"}');
    expect(got).not.toContain("event: entry");
    await queue.appendJournal(ledgerJob, { kind: "note", turn: 2, text: "a <b>new</b> line" });
    await read(/id: 3/);
    expect(got).toMatch(/id: 3\nevent: entry\ndata: ".*a &lt;b&gt;new&lt;\/b&gt; line/);
    await reader.cancel();
  });
});

describe("stopping from the page", () => {
  it("offers no stop to a reader and refuses their POST; a writer stops the job as /agent stop would", async () => {
    const bob = await signIn("bob");
    const bobPage = await (await get(`/ui/jobs/${ledgerJob}`, bob)).text();
    expect(bobPage).not.toContain("Stop this job");
    const bobCsrf = /name="csrf" value="([^"]+)"/.exec(bobPage)![1]!;
    const form = (csrf: string) => ({
      method: "POST",
      body: `csrf=${encodeURIComponent(csrf)}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const refused = await get(`/ui/jobs/${ledgerJob}/stop`, bob, form(bobCsrf));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("needs write access");
    expect((await queue.get(ledgerJob))?.status).toBe("queued");

    const alice = await signIn("alice");
    const alicePage = await (await get(`/ui/jobs/${ledgerJob}`, alice)).text();
    expect(alicePage).toContain("Stop this job");
    // Bob's form token is bound to bob's session: it does not work for alice's.
    expect((await get(`/ui/jobs/${ledgerJob}/stop`, alice, form(bobCsrf))).status).toBe(403);
    // alice cannot stop carol's repository's job: it does not exist for her.
    const aliceCsrf = /name="csrf" value="([^"]+)"/.exec(alicePage)![1]!;
    expect((await get(`/ui/jobs/${secretJob}/stop`, alice, form(aliceCsrf))).status).toBe(404);
    expect((await queue.get(secretJob))?.status).toBe("queued");
    const stopped = await get(`/ui/jobs/${ledgerJob}/stop`, alice, form(aliceCsrf));
    expect(stopped.status).toBe(303);
    expect(stopped.headers.get("location")).toBe(`/ui/jobs/${ledgerJob}`);
    expect(await queue.get(ledgerJob)).toMatchObject({
      status: "cancelled",
      error: "stopped by @alice before it started",
    });
  });
});

describe("behind TLS", () => {
  it("marks the cookies Secure when PUBLIC_URL is https", async () => {
    const handler = sessionPages({
      queue,
      web: { clientId: "c", clientSecret: "s".repeat(20), publicUrl: "https://bot.example.com" },
      github: { webUrl: gh.url, apiUrl: gh.apiUrl },
      fallbackUrl: base,
    });
    const tls = createServer(async (req, res) => void (await handler(req, res)));
    await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
    try {
      const res = await fetch(`http://127.0.0.1:${(tls.address() as AddressInfo).port}/ui/login`, {
        redirect: "manual",
      });
      expect(res.headers.getSetCookie()[0]).toMatch(/; Secure$/);
      expect(new URL(res.headers.get("location")!).searchParams.get("redirect_uri")).toBe(
        "https://bot.example.com/ui/callback",
      );
    } finally {
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
    }
  });
});
