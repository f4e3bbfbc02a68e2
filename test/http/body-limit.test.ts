// The webhook body limit on a real HTTP server: each request within its own limit, and all
// requests in flight together within one budget, so many bodies just under the limit
// cannot add up to gigabytes held at once.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "@jest/globals";
import { limitWebhookBodies } from "../../src/http/body-limit.js";

const PATH = "/api/github/webhooks";

interface Started {
  server: Server;
  port: number;
  refused: { bytes: number; scope: string }[];
  /** Lengths of the bodies that reached the app's own handler. */
  received: number[];
}

let current: Started | undefined;

afterEach(async () => {
  current?.server.closeAllConnections();
  if (current) await new Promise((r) => current!.server.close(r));
  current = undefined;
});

async function start(maxBytes: number, maxTotalBytes: number): Promise<Started> {
  const received: number[] = [];
  const refused: { bytes: number; scope: string }[] = [];
  const server = createServer((req, res) => {
    const body = (req as { body?: string }).body ?? "";
    received.push(body.length);
    res.writeHead(200).end(`got ${body.length}`);
  });
  limitWebhookBodies(server, PATH, {
    maxBytes,
    maxTotalBytes,
    onRefused: (bytes, scope) => refused.push({ bytes, scope }),
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  current = { server, port: (server.address() as AddressInfo).port, refused, received };
  return current;
}

/** A POST whose body is sent in parts: `send` more, `finish` ends it; `status` is the answer. */
function openPost(port: number) {
  let status!: Promise<number>;
  const req = request({ host: "127.0.0.1", port, path: PATH, method: "POST" });
  status = new Promise<number>((resolve) => {
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    // A server that answered early may hang up while we still send: that is a refusal too.
    req.on("error", () => resolve(0));
  });
  return {
    send: (bytes: number) => new Promise<void>((r) => req.write(Buffer.alloc(bytes, 0x61), () => r())),
    finish: () => {
      req.end();
      return status;
    },
    status,
  };
}

/** The answer, or "none" when the server keeps reading (it would buffer the whole body). */
function answered(status: Promise<number>): Promise<number | "none"> {
  return Promise.race([status, new Promise<"none">((r) => setTimeout(() => r("none"), 2000))]);
}

/** Gives the server time to read what was sent (it arrives asynchronously). */
async function settled(ms = 150): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describe("webhook bodies", () => {
  it("in flight together are refused with 413 past the shared budget", async () => {
    const s = await start(1000, 2500);
    const a = openPost(s.port);
    const b = openPost(s.port);
    await a.send(900);
    await b.send(900);
    await settled();
    // Each is within the per-request limit; together with these two, a third passes 2,500.
    const c = openPost(s.port);
    await c.send(900);
    expect(await answered(c.status)).toBe(413);
    expect(s.refused).toEqual([{ bytes: expect.any(Number), scope: "total" }]);
    expect(s.refused[0]!.bytes).toBeGreaterThan(2500);
    // The two held ones still go through whole.
    expect(await a.finish()).toBe(200);
    expect(await b.finish()).toBe(200);
    expect(s.received.sort()).toEqual([900, 900]);
  });

  it("give their share back when answered: the next ones fit again", async () => {
    const s = await start(1000, 2500);
    for (let round = 0; round < 5; round++) {
      const posts = [openPost(s.port), openPost(s.port)];
      for (const p of posts) await p.send(1000);
      expect(await Promise.all(posts.map((p) => p.finish()))).toEqual([200, 200]);
    }
    expect(s.refused).toEqual([]);
    expect(s.received).toHaveLength(10);
  });

  it("keep the per-request limit: exactly the limit passes, one byte more is 413", async () => {
    const s = await start(1000, 2500);
    const fits = openPost(s.port);
    await fits.send(1000);
    expect(await fits.finish()).toBe(200);
    const over = openPost(s.port);
    await over.send(1001);
    expect(await answered(over.status)).toBe(413);
    expect(s.refused).toEqual([{ bytes: 1001, scope: "request" }]);
    expect(s.received).toEqual([1000]);
  });
});
