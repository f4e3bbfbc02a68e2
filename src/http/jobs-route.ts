// GET /jobs (newest first; ?limit=1..500, ?status=) and GET /jobs/<id>: job records as
// JSON. Records carry a summary of the task only (target, trigger kind, actor), never the
// instruction or thread text; timestamps are ISO 8601. Target names can reveal private
// repositories, so callers send "Authorization: Bearer <JOBS_TOKEN>"; without a token set,
// /jobs answers only when the server listens on loopback alone (secure by default: the
// Docker image listens on every interface).

import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { JobQueue } from "../queue/job-queue.js";
import { JOB_STATUSES, type JobRecord, type JobStatus } from "../queue/job-record.js";
import { type HttpHandler, refuseMethod, requestUrl, sendJson } from "./respond.js";

export interface JobsRouteDeps {
  queue: Pick<JobQueue, "list" | "get">;
  /** When set, required as a bearer token. */
  token?: string;
  /** The address the server is bound to (HOST): without a token, only loopback serves /jobs. */
  host: string;
}

/** Whether HOST binds only the loopback interface (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || h === "0:0:0:0:0:0:0:1";
  return false;
}

/** What the startup log says about /jobs. */
export function jobsRouteNotice(host: string, token: string | undefined): string {
  if (token) return "/jobs requires JOBS_TOKEN as a bearer token";
  if (isLoopbackHost(host))
    return `/jobs is open without a token: the server listens on loopback only (${host})`;
  return `/jobs is refused: the server listens on ${host}, beyond loopback, and JOBS_TOKEN is not set. Set JOBS_TOKEN to use /jobs.`;
}

const TIMES = ["createdAt", "startedAt", "finishedAt", "updatedAt", "nextRunAt"] as const;

/** A record as /jobs shows it: epoch milliseconds become ISO 8601. */
export function jobView(rec: JobRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rec };
  for (const k of TIMES) if (typeof rec[k] === "number") out[k] = new Date(rec[k] as number).toISOString();
  return out;
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(req.headers.authorization ?? "");
  const want = Buffer.from(`Bearer ${token}`);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function jobsHandler(deps: JobsRouteDeps): HttpHandler {
  return async (req, res) => {
    const url = requestUrl(req);
    const m = /^\/jobs(?:\/([A-Za-z0-9_-]{1,100}))?\/?$/.exec(url.pathname);
    if (!m) return false;
    if (refuseMethod(req, res)) return true;
    if (!deps.token && !isLoopbackHost(deps.host)) {
      sendJson(res, 403, {
        error: `The job list names repositories, so beyond loopback it needs JOBS_TOKEN: set it and send 'Authorization: Bearer <token>'.`,
      });
      return true;
    }
    if (!authorized(req, deps.token)) {
      res.setHeader("www-authenticate", "Bearer");
      sendJson(res, 401, { error: "Send the jobs token as 'Authorization: Bearer <token>'." });
      return true;
    }
    const id = m[1];
    if (id) {
      const rec = await deps.queue.get(id);
      if (rec) sendJson(res, 200, jobView(rec));
      else sendJson(res, 404, { error: `No job ${id}.` });
      return true;
    }
    const rawLimit = url.searchParams.get("limit");
    const limit = rawLimit === null ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      sendJson(res, 400, { error: `limit must be a whole number from 1 to 500, got "${rawLimit}".` });
      return true;
    }
    const status = url.searchParams.get("status") ?? undefined;
    if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
      sendJson(res, 400, { error: `status must be one of ${JOB_STATUSES.join(", ")}, got "${status}".` });
      return true;
    }
    const jobs = await deps.queue.list({ limit, status: status as JobStatus | undefined });
    sendJson(res, 200, { jobs: jobs.map(jobView) });
    return true;
  };
}
