// GET /health: liveness for load balancers and Docker, with the queue's depth and the
// sandbox status. 503 when the queue cannot answer (its database or Redis is unreachable).
import { errorSummary } from "../pipeline/job-errors.js";
import type { JobQueue } from "../queue/job-queue.js";
import { queueDepth } from "../queue/job-record.js";
import { type HttpHandler, refuseMethod, requestUrl, sendJson } from "./respond.js";

export interface HealthDeps {
  queue: Pick<JobQueue, "kind" | "stats">;
  /** The Go sandbox's state as the toolchain reports it (e.g. { kind: "bubblewrap" }). */
  sandbox?: () => unknown | Promise<unknown>;
  /** Process start, for uptime. Default: when the handler was made. */
  startedAt?: number;
}

export function healthHandler(deps: HealthDeps): HttpHandler {
  const startedAt = deps.startedAt ?? Date.now();
  return async (req, res) => {
    if (requestUrl(req).pathname !== "/health") return false;
    if (refuseMethod(req, res)) return true;
    const uptimeSeconds = Math.round((Date.now() - startedAt) / 1000);
    let sandbox: unknown;
    try {
      sandbox = deps.sandbox ? await deps.sandbox() : undefined;
    } catch (err) {
      sandbox = { error: errorSummary(err) };
    }
    try {
      const stats = await deps.queue.stats();
      sendJson(res, 200, {
        status: "ok",
        uptimeSeconds,
        queue: { kind: deps.queue.kind, depth: queueDepth(stats), ...stats },
        sandbox,
      });
    } catch (err) {
      sendJson(res, 503, {
        status: "unavailable",
        uptimeSeconds,
        queue: { kind: deps.queue.kind, error: errorSummary(err) },
        sandbox,
      });
    }
    return true;
  };
}
