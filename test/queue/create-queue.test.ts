import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createJobQueue } from "../../src/queue/create-queue.js";
import { makeTask } from "../support/queue-task.js";
import { type RedisServer, startRedis } from "../support/redis-server.js";

let redis: RedisServer;
const dir = mkdtempSync(join(tmpdir(), "create-queue-"));
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("createJobQueue", () => {
  it("uses the embedded SQLite file under DATA_DIR when REDIS_URL is unset", async () => {
    const q = createJobQueue({ dataDir: join(dir, "data") });
    try {
      expect(q.kind).toBe("sqlite");
      expect(existsSync(join(dir, "data", "jobs.sqlite"))).toBe(true);
    } finally {
      await q.close();
    }
  });

  it("uses BullMQ on Redis when REDIS_URL is set", async () => {
    const q = createJobQueue({ dataDir: join(dir, "unused"), redisUrl: redis.url }, { queueName: "factory" });
    try {
      expect(q.kind).toBe("bullmq");
      const { jobId, created } = await q.enqueue(makeTask("factory-1"));
      expect(created).toBe(true);
      expect((await q.get(jobId))?.status).toBe("queued");
      expect(existsSync(join(dir, "unused"))).toBe(false);
    } finally {
      await q.close();
    }
  });
});
