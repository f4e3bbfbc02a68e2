import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { BullMqJobQueue } from "../../src/queue/bullmq-queue.js";
import { makeTask } from "../support/queue-task.js";
import { type RedisServer, startRedis } from "../support/redis-server.js";
import { journalContract } from "./journal-contract.js";
import { queueCancelContract } from "./queue-cancel-contract.js";
import { queueContract } from "./queue-contract.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
let n = 0;

queueContract("BullMQ", {
  async fresh() {
    const queueName = `contract-${n++}`;
    return { open: async (opts) => new BullMqJobQueue({ url: redis.url, queueName }, opts) };
  },
});

queueCancelContract("BullMQ", {
  async fresh() {
    const queueName = `contract-${n++}`;
    return { open: async (opts) => new BullMqJobQueue({ url: redis.url, queueName }, opts) };
  },
});

journalContract("BullMQ", {
  async fresh() {
    const queueName = `journal-${n++}`;
    return { open: async (opts) => new BullMqJobQueue({ url: redis.url, queueName }, opts) };
  },
});

describe("BullMQ adapter when Redis is down", () => {
  it("rejects enqueue and stats instead of hanging, so webhooks and /health can answer", async () => {
    const own = await startRedis();
    const logged: string[] = [];
    const logger = { info() {}, warn() {}, error: (_o: object, msg?: string) => void logged.push(msg ?? "") };
    const q = new BullMqJobQueue({ url: own.url, queueName: "down" }, { logger });
    try {
      await q.enqueue(makeTask("down-1"));
      await own.stop();
      await expect(q.enqueue(makeTask("down-2"))).rejects.toThrow();
      await expect(q.stats()).rejects.toThrow();
      expect(logged).toContain("job queue: Redis error");
    } finally {
      await q.close().catch(() => {});
      await own.stop();
    }
  });
});
