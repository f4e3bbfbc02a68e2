// The operational routes, for Probot's addHandler:
//   for (const h of opsHandlers({ queue, registry: metrics.registry, sandbox })) addHandler(h);
import type { Registry } from "prom-client";
import type { JobQueue } from "../queue/job-queue.js";
import { type HealthDeps, healthHandler } from "./health.js";
import { jobsHandler } from "./jobs-route.js";
import { metricsHandler } from "./metrics-route.js";
import type { HttpHandler } from "./respond.js";

export type { HttpHandler } from "./respond.js";
export { healthHandler, jobsHandler, metricsHandler };

export interface OpsDeps {
  queue: JobQueue;
  registry: Registry;
  sandbox?: HealthDeps["sandbox"];
  /** Bearer token required by /jobs; without it /jobs answers only when the server is bound to loopback. */
  jobsToken?: string;
  /** The address the server listens on (HOST). */
  host?: string;
  startedAt?: number;
}

export function opsHandlers(deps: OpsDeps): HttpHandler[] {
  return [
    healthHandler({ queue: deps.queue, sandbox: deps.sandbox, startedAt: deps.startedAt }),
    metricsHandler(deps.registry),
    jobsHandler({ queue: deps.queue, token: deps.jobsToken, host: deps.host ?? "localhost" }),
  ];
}
