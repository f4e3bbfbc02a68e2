// Load generator for the webhook benchmark, run as its own process so that neither the
// stand-in nor the bench's bookkeeping shares an event loop (or a JIT warm-up) with the
// clock. It stays up for the whole measurement: each line on stdin is one round,
//   { url, event, body, signature, count, concurrency, prefix }
// and sends `count` signed deliveries of the same payload (each with its own
// X-GitHub-Delivery), at most `concurrency` in flight, over keep-alive connections kept
// per server across rounds. Each round answers one line on stdout:
//   { latencies: [ms from request start to the end of the response], failed, failures }
import { Agent, request } from "node:http";
import { createInterface } from "node:readline";

const agents = new Map();

function deliver(job, agent, target, i, out) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(job.body),
          "User-Agent": "GitHub-Hookshot/bench",
          "X-GitHub-Event": job.event,
          "X-GitHub-Delivery": `${job.prefix}-${i}`,
          "X-GitHub-Hook-ID": "1",
          "X-Hub-Signature-256": job.signature,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          out.latencies.push(performance.now() - started);
          if (res.statusCode >= 300) out.failures.push(res.statusCode);
          resolve();
        });
      },
    );
    req.on("error", (err) => {
      out.failures.push(err.message);
      resolve();
    });
    req.end(job.body);
  });
}

async function round(job) {
  const target = new URL(job.url);
  let agent = agents.get(target.origin);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
    agents.set(target.origin, agent);
  }
  const out = { latencies: [], failures: [] };
  let next = 0;
  const lane = async () => {
    while (next < job.count) await deliver(job, agent, target, next++, out);
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  return { latencies: out.latencies, failed: out.failures.length, failures: out.failures.slice(0, 5) };
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  process.stdout.write(`${JSON.stringify(await round(JSON.parse(line)))}\n`);
}
for (const agent of agents.values()) agent.destroy();
