import { afterAll, beforeAll } from "@jest/globals";
import { BullMqJobQueue } from "../../src/jobs/bullmq-queue.js";
import { type RedisServer, startRedis } from "../support/redis-server.js";
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
