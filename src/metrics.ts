// The app's Prometheus metrics, on a registry of their own (tests create as many as they
// like). The queue reports job starts and ends through the JobObserver side; the webhook
// handler times itself with timeWebhook(); /metrics serves registry.metrics().
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { JobObserver } from "./queue/job-queue.js";
import { JOB_STATUSES, type JobRecord, type JobStats } from "./queue/job-record.js";

export interface AppMetrics extends JobObserver {
  readonly registry: Registry;
  /** Reports the queue's jobs by status on every scrape. */
  trackQueue(stats: () => Promise<JobStats>): void;
  /** How long the app took to answer one webhook delivery. */
  observeWebhook(event: string, seconds: number): void;
  /** Starts a webhook timer; call the returned function when the answer is ready. */
  timeWebhook(event: string): () => void;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop lag). Default true. */
  defaultMetrics?: boolean;
  /** Metric name prefix. Default "backend_go_agent_". */
  prefix?: string;
}

export function createMetrics(opts: MetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  const p = opts.prefix ?? "backend_go_agent_";
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: p });
  let stats: (() => Promise<JobStats>) | undefined;

  new Gauge({
    name: `${p}jobs`,
    help: "Jobs by status (finished ones until the retention purges them).",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      if (!stats) return;
      const s = await stats();
      for (const status of JOB_STATUSES) this.set({ status }, s[status]);
    },
  });
  const finished = new Counter({
    name: `${p}jobs_finished_total`,
    help: "Jobs that finished in this process, by outcome.",
    labelNames: ["status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${p}job_duration_seconds`,
    help: "From a job's first start to its end, by outcome.",
    labelNames: ["status"],
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers: [registry],
  });
  const wait = new Histogram({
    name: `${p}job_queue_wait_seconds`,
    help: "From a job's acceptance to its first start.",
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const tokens = new Counter({
    name: `${p}model_tokens_total`,
    help: "Model tokens recorded on jobs that finished in this process.",
    labelNames: ["direction"],
    registers: [registry],
  });
  const cost = new Counter({
    name: `${p}model_cost_usd_total`,
    help: "Model cost in US dollars recorded on jobs that finished in this process.",
    registers: [registry],
  });
  const webhook = new Histogram({
    name: `${p}webhook_handling_seconds`,
    help: "Time to answer a webhook delivery, by event.",
    labelNames: ["event"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  return {
    registry,
    trackQueue(fn) {
      stats = fn;
    },
    jobStarted(_record: JobRecord, waitSeconds: number) {
      wait.observe(Math.max(0, waitSeconds));
    },
    jobFinished(record: JobRecord, durationSeconds: number) {
      finished.inc({ status: record.status });
      duration.observe({ status: record.status }, Math.max(0, durationSeconds));
      if (record.inputTokens) tokens.inc({ direction: "input" }, record.inputTokens);
      if (record.outputTokens) tokens.inc({ direction: "output" }, record.outputTokens);
      if (record.costUsd) cost.inc(record.costUsd);
    },
    observeWebhook(event, seconds) {
      webhook.observe({ event }, Math.max(0, seconds));
    },
    timeWebhook(event) {
      return webhook.startTimer({ event });
    },
  };
}
