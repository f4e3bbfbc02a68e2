// /health, /metrics and /jobs over a real node:http server, backed by a real SQLite queue
// that ran real jobs, and real prom-client metrics.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { opsHandlers } from "../../src/http/index.js";
import type { HttpHandler } from "../../src/http/respond.js";
import { type AppMetrics, createMetrics } from "../../src/metrics.js";
import { SqliteJobQueue, sqliteQueueFile } from "../../src/queue/sqlite-queue.js";
import { gate, makeTask, until } from "../support/queue-task.js";

const dir = mkdtempSync(join(tmpdir(), "http-ops-"));
let n = 0;
const servers: Server[] = [];
const queues: SqliteJobQueue[] = [];

async function serve(handlers: HttpHandler[]): Promise<string> {
  const server = createServer(async (req, res) => {
    for (const h of handlers) if (await h(req, res)) return;
    res.writeHead(404).end("not ours");
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let metrics: AppMetrics;
let queue: SqliteJobQueue;
let doneId: string;
let waitingId: string;
const hold = gate();

beforeAll(async () => {
  metrics = createMetrics({ defaultMetrics: false });
  queue = new SqliteJobQueue(sqliteQueueFile(join(dir, "main")), {
    observer: metrics,
    pollMs: 20,
    backoffMs: 20,
  });
  metrics.trackQueue(() => queue.stats());
  doneId = (await queue.enqueue(makeTask("http-done", { number: 1 }))).jobId;
  queue.start(
    async (task) => {
      if (task.deliveryId === "http-wait") await hold.promise;
      return {
        disposition: { kind: "done" },
        record: { model: "claude-opus-4-5", inputTokens: 1000, outputTokens: 250, costUsd: 0.5 },
      };
    },
    { concurrency: 1 },
  );
  await until(async () => (await queue.get(doneId))?.status === "succeeded", "the first job");
  waitingId = (await queue.enqueue(makeTask("http-wait", { number: 2 }))).jobId;
  await until(async () => (await queue.get(waitingId))?.status === "running", "the second job to run");
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

afterAll(async () => {
  hold.open();
  await queue.close();
  for (const q of queues) await q.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("GET /health", () => {
  it("reports liveness, the queue's depth and the sandbox status", async () => {
    const base = await serve(
      opsHandlers({ queue, registry: metrics.registry, sandbox: () => ({ kind: "bubblewrap" }) }),
    );
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      queue: { kind: "sqlite", depth: 1, running: 1, succeeded: 1 },
      sandbox: { kind: "bubblewrap" },
    });
  });

  it("answers 503 when the queue cannot report", async () => {
    const broken = new SqliteJobQueue(sqliteQueueFile(join(dir, `broken-${n++}`)));
    await broken.close();
    const base = await serve(opsHandlers({ queue: broken, registry: metrics.registry }));
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "unavailable", queue: { kind: "sqlite" } });
  });
});

describe("GET /metrics", () => {
  it("exposes jobs by status, durations, queue wait, tokens, cost and webhook handling time", async () => {
    metrics.observeWebhook("issues.labeled", 0.02);
    const stopTimer = metrics.timeWebhook("issue_comment.created");
    stopTimer();
    const base = await serve(opsHandlers({ queue, registry: metrics.registry }));
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('backend_go_agent_jobs{status="succeeded"} 1');
    expect(text).toContain('backend_go_agent_jobs{status="running"} 1');
    expect(text).toContain('backend_go_agent_jobs_finished_total{status="succeeded"} 1');
    expect(text).toContain('backend_go_agent_job_duration_seconds_count{status="succeeded"} 1');
    expect(text).toMatch(/backend_go_agent_job_queue_wait_seconds_count 2\b/);
    expect(text).toContain('backend_go_agent_model_tokens_total{direction="input"} 1000');
    expect(text).toContain('backend_go_agent_model_tokens_total{direction="output"} 250');
    expect(text).toContain("backend_go_agent_model_cost_usd_total 0.5");
    expect(text).toContain('backend_go_agent_webhook_handling_seconds_count{event="issues.labeled"} 1');
    expect(text).toContain(
      'backend_go_agent_webhook_handling_seconds_count{event="issue_comment.created"} 1',
    );
  });
});

describe("GET /jobs", () => {
  it("lists records newest first with ISO times and no task bodies", async () => {
    const base = await serve(opsHandlers({ queue, registry: metrics.registry }));
    const res = await fetch(`${base}/jobs`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toMatch(/SECRET-INSTRUCTION|THREAD-BODY|cloneUrl/);
    const { jobs } = JSON.parse(text) as { jobs: Record<string, unknown>[] };
    expect(jobs.map((j) => j.id)).toEqual([waitingId, doneId]);
    expect(jobs[1]).toMatchObject({
      status: "succeeded",
      target: "acme/svc#1",
      trigger: { kind: "issue_label", actor: "octocat" },
      model: "claude-opus-4-5",
      costUsd: 0.5,
    });
    expect(jobs[1]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("filters by status, limits, shows one job, and refuses bad input", async () => {
    const base = await serve(opsHandlers({ queue, registry: metrics.registry }));
    const running = (await (await fetch(`${base}/jobs?status=running`)).json()) as { jobs: { id: string }[] };
    expect(running.jobs.map((j) => j.id)).toEqual([waitingId]);
    const one = (await (await fetch(`${base}/jobs?limit=1`)).json()) as { jobs: unknown[] };
    expect(one.jobs).toHaveLength(1);
    const single = await fetch(`${base}/jobs/${doneId}`);
    expect(single.status).toBe(200);
    expect(((await single.json()) as { id: string }).id).toBe(doneId);
    expect((await fetch(`${base}/jobs/job-nope`)).status).toBe(404);
    expect((await fetch(`${base}/jobs?limit=0`)).status).toBe(400);
    expect((await fetch(`${base}/jobs?status=bogus`)).status).toBe(400);
    const post = await fetch(`${base}/jobs`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("requires the bearer token when one is set", async () => {
    const base = await serve(opsHandlers({ queue, registry: metrics.registry, jobsToken: "s3cret" }));
    expect((await fetch(`${base}/jobs`)).status).toBe(401);
    expect((await fetch(`${base}/jobs`, { headers: { authorization: "Bearer wrong!" } })).status).toBe(401);
    const ok = await fetch(`${base}/jobs`, { headers: { authorization: "Bearer s3cret" } });
    expect(ok.status).toBe(200);
  });

  it("without a token, serves /jobs only when the server is bound to loopback", async () => {
    for (const host of ["0.0.0.0", "::", "10.1.2.3", "bot.example.com"]) {
      const base = await serve(opsHandlers({ queue, registry: metrics.registry, host }));
      const res = await fetch(`${base}/jobs`);
      expect([host, res.status]).toEqual([host, 403]);
      expect(((await res.json()) as { error: string }).error).toContain("JOBS_TOKEN");
      // Only the job list is closed.
      expect((await fetch(`${base}/health`)).status).toBe(200);
    }
    for (const host of ["localhost", "127.0.0.1", "::1", "[::1]"]) {
      const base = await serve(opsHandlers({ queue, registry: metrics.registry, host }));
      expect([host, (await fetch(`${base}/jobs`)).status]).toEqual([host, 200]);
    }
    const withToken = await serve(
      opsHandlers({ queue, registry: metrics.registry, host: "0.0.0.0", jobsToken: "t0k" }),
    );
    expect((await fetch(`${withToken}/jobs`, { headers: { authorization: "Bearer t0k" } })).status).toBe(200);
  });

  it("leaves other paths to the next handler", async () => {
    const base = await serve(opsHandlers({ queue, registry: metrics.registry }));
    const res = await fetch(`${base}/jobsx`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("not ours");
  });
});
