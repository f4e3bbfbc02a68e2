// GET /metrics: the Prometheus exposition of the app's registry.
import type { Registry } from "prom-client";
import { errorSummary } from "../pipeline/job-errors.js";
import { type HttpHandler, refuseMethod, requestUrl, sendJson } from "./respond.js";

export function metricsHandler(registry: Registry): HttpHandler {
  return async (req, res) => {
    if (requestUrl(req).pathname !== "/metrics") return false;
    if (refuseMethod(req, res)) return true;
    try {
      const text = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
      res.end(text);
    } catch (err) {
      sendJson(res, 500, { error: `collecting metrics failed: ${errorSummary(err)}` });
    }
    return true;
  };
}
