// The session pages under /ui/: sign-in with GitHub, the job list, a job's page with its
// live event stream, and the stop button. Every page but sign-in needs a session; a job is
// shown only to people GitHub says can read its repository (anyone else gets the same 404
// as for a job that does not exist), and stopping needs write access.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpHandler } from "../http/respond.js";
import type { JobQueue } from "../queue/job-queue.js";
import { isFinished, type JobRecord, queueDepth } from "../queue/job-record.js";
import type { AccessCache, RepoAccess } from "./github-oauth.js";
import type { SafeHtml } from "./html.js";
import { dailyTotals, jobListPage, type ListFilter } from "./pages/job-list-page.js";
import { jobPage } from "./pages/job-page.js";
import { renderEvent } from "./pages/journal-view.js";
import { messagePage, signInPage, type Viewer } from "./pages/layout.js";
import {
  csrfToken,
  csrfValid,
  finishSignIn,
  readSession,
  type Session,
  type SignInDeps,
  safeReturnTo,
  signOut,
  startSignIn,
} from "./sign-in.js";
import { LIVE_SCRIPT } from "./static/live-script.js";
import { STYLE_SHEET } from "./static/style-sheet.js";

export interface WebDeps extends SignInDeps {
  queue: Pick<JobQueue, "get" | "list" | "stats" | "journal" | "cancel">;
  access: AccessCache;
  /** How often a live page's stream looks for new events. Default 1 s. */
  pollMs?: number;
  /** How long one stream stays open before the browser reconnects. Default 30 min. */
  streamMs?: number;
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

function send(
  res: ServerResponse,
  status: number,
  page: SafeHtml | string,
  type = "text/html; charset=utf-8",
): void {
  const body = String(page);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": type,
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

const STATIC: Record<string, { body: string; type: string }> = {
  "/ui/static/live.js": { body: LIVE_SCRIPT, type: "text/javascript; charset=utf-8" },
  "/ui/static/style.css": { body: STYLE_SHEET, type: "text/css; charset=utf-8" },
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 4096) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

const repoOf = (job: JobRecord) => job.target.split("#")[0] ?? "";

export function webHandler(deps: WebDeps): HttpHandler {
  const pollMs = deps.pollMs ?? 1000;
  const streamMs = deps.streamMs ?? 30 * 60_000;
  const viewerOf = (s: Session): Viewer => ({ login: s.login, csrf: csrfToken(deps, s) });
  const accessTo = (s: Session, job: JobRecord): Promise<RepoAccess> => deps.access.get(s.token, repoOf(job));

  /** The job if this person may read it; undefined (a 404) for a missing job and a hidden one alike. */
  async function visibleJob(
    s: Session,
    id: string,
  ): Promise<{ job: JobRecord; access: RepoAccess } | undefined> {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) return undefined;
    const job = await deps.queue.get(id);
    if (!job) return undefined;
    const access = await accessTo(s, job);
    return access.read ? { job, access } : undefined;
  }

  const notFound = (res: ServerResponse, s: Session) =>
    send(res, 404, messagePage("Not found", "There is no job here that you can see.", viewerOf(s)));

  async function listPage(s: Session, url: URL, res: ServerResponse): Promise<void> {
    const all = await deps.queue.list({ limit: 500 });
    const repos = [...new Set(all.map(repoOf))];
    const allowed = new Set<string>();
    // A few at a time: each is one GitHub call per repository, cached for minutes.
    for (let i = 0; i < repos.length; i += 8) {
      const batch = repos.slice(i, i + 8);
      const answers = await Promise.all(batch.map((r) => deps.access.get(s.token, r).catch(() => undefined)));
      batch.forEach((r, k) => {
        if (answers[k]?.read) allowed.add(r);
      });
    }
    const visible = all.filter((j) => allowed.has(repoOf(j)));
    const filter: ListFilter = {
      repo: url.searchParams.get("repo") || undefined,
      status: url.searchParams.get("status") || undefined,
      trigger: url.searchParams.get("trigger") || undefined,
    };
    const jobs = visible.filter(
      (j) =>
        (!filter.repo || repoOf(j) === filter.repo) &&
        (!filter.status || j.status === filter.status) &&
        (!filter.trigger || j.trigger.kind === filter.trigger),
    );
    const now = Date.now();
    const dayStart = now - (now % 86_400_000);
    send(
      res,
      200,
      jobListPage({
        jobs: jobs.slice(0, 200),
        repos: [...allowed].sort(),
        triggers: [...new Set(visible.map((j) => j.trigger.kind))].sort(),
        filter,
        queueDepth: queueDepth(await deps.queue.stats()),
        todaySpend: visible.filter((j) => j.createdAt >= dayStart).reduce((n, j) => n + (j.costUsd ?? 0), 0),
        days: dailyTotals(visible, now),
        viewer: viewerOf(s),
        now,
      }),
    );
  }

  async function stream(s: Session, id: string, req: IncomingMessage, res: ServerResponse, url: URL) {
    const seen = await visibleJob(s, id);
    if (!seen) return notFound(res, s);
    const fromHeader = Number(req.headers["last-event-id"]);
    let after =
      Number.isInteger(fromHeader) && fromHeader >= 0
        ? fromHeader
        : Number(url.searchParams.get("after") ?? 0);
    if (!Number.isInteger(after) || after < 0) after = 0;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    let open = true;
    req.on("close", () => {
      open = false;
    });
    const until = Date.now() + streamMs;
    let status = "";
    let quiet = 0;
    while (open && Date.now() < until) {
      const events = await deps.queue.journal(id, after, 200);
      for (const ev of events) {
        res.write(`id: ${ev.seq}\nevent: entry\ndata: ${JSON.stringify(String(renderEvent(ev)))}\n\n`);
        after = ev.seq;
      }
      const job = await deps.queue.get(id);
      if (!job) break;
      if (job.status !== status) {
        status = job.status;
        res.write(`event: status\ndata: ${JSON.stringify({ status })}\n\n`);
      }
      if (isFinished(job.status) && events.length === 0) {
        res.write("event: end\ndata: {}\n\n");
        break;
      }
      if (events.length === 0 && ++quiet * pollMs >= 15_000) {
        quiet = 0;
        res.write(": still here\n\n");
      }
      if (events.length < 200) await new Promise((r) => setTimeout(r, pollMs));
    }
    res.end();
  }

  async function stop(s: Session, id: string, req: IncomingMessage, res: ServerResponse) {
    const form = await readForm(req);
    if (!csrfValid(deps, s, form.get("csrf"))) {
      return send(
        res,
        403,
        messagePage(
          "Refused",
          "This stop did not come from this job's page. Open the page and try again.",
          viewerOf(s),
        ),
      );
    }
    const seen = await visibleJob(s, id);
    if (!seen) return notFound(res, s);
    if (!seen.access.write) {
      return send(
        res,
        403,
        messagePage("Refused", "Stopping a job needs write access to its repository.", viewerOf(s)),
      );
    }
    // The same path as `/agent stop`: the queue stops the target's jobs on this person's behalf.
    await deps.queue.cancel(seen.job.target, s.login);
    res.writeHead(303, { location: `/ui/jobs/${id}`, "cache-control": "no-store" });
    res.end();
  }

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (path !== "/ui" && !path.startsWith("/ui/")) return false;
    const method = req.method ?? "GET";
    const asset = STATIC[path];
    if (asset) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        "content-type": asset.type,
        "cache-control": "public, max-age=300",
      });
      res.end(asset.body);
      return true;
    }
    if (path === "/ui/login" && method === "GET") {
      startSignIn(deps, res, url.searchParams.get("return_to"));
      return true;
    }
    if (path === "/ui/callback" && method === "GET") {
      const done = await finishSignIn(deps, req, res, url);
      if (!done.ok) send(res, done.status, signInPage("/ui/jobs", done.message));
      return true;
    }
    if (path === "/ui/signed-out") {
      send(res, 200, signInPage("/ui/jobs", "You are signed out."));
      return true;
    }
    const session = readSession(deps, req);
    if (!session) {
      send(res, 401, signInPage(safeReturnTo(path + url.search)));
      return true;
    }
    try {
      if (path === "/ui/logout" && method === "POST") {
        const form = await readForm(req);
        if (csrfValid(deps, session, form.get("csrf"))) signOut(deps, res);
        else
          send(res, 403, messagePage("Refused", "Sign out from the page's own button.", viewerOf(session)));
        return true;
      }
      if ((path === "/ui" || path === "/ui/" || path === "/ui/jobs") && method === "GET") {
        if (path !== "/ui/jobs") {
          res.writeHead(303, { location: "/ui/jobs" });
          res.end();
        } else await listPage(session, url, res);
        return true;
      }
      const m = /^\/ui\/jobs\/([^/]+)(\/events|\/stop)?$/.exec(path);
      if (m) {
        const id = decodeURIComponent(m[1]!);
        if (m[2] === "/events" && method === "GET") await stream(session, id, req, res, url);
        else if (m[2] === "/stop" && method === "POST") await stop(session, id, req, res);
        else if (!m[2] && method === "GET") {
          const seen = await visibleJob(session, id);
          if (!seen) notFound(res, session);
          else {
            const events = await deps.queue.journal(id, 0, 2000);
            send(
              res,
              200,
              jobPage({
                job: seen.job,
                events,
                viewer: viewerOf(session),
                canStop: seen.access.write,
                webUrl: deps.github.webUrl,
                now: Date.now(),
              }),
            );
          }
        } else
          send(res, 405, messagePage("Not allowed", `${method} is not allowed here.`, viewerOf(session)));
        return true;
      }
      notFound(res, session);
    } catch {
      // GitHub or the store failed: say so plainly, nothing of the cause (it may name a repository).
      if (!res.headersSent)
        send(
          res,
          503,
          messagePage(
            "Unavailable",
            "GitHub or the job store did not answer. Try again in a moment.",
            viewerOf(session),
          ),
        );
      else res.end();
    }
    return true;
  };
}
