// Picks the JobQueue adapter from the configuration: BullMQ when REDIS_URL is set (workers
// on many machines share it), the embedded SQLite file under DATA_DIR otherwise.
import type { AppConfig } from "../config/env.js";
import { BullMqJobQueue } from "./bullmq-queue.js";
import type { JobQueue, JobQueueOptions } from "./job-queue.js";
import { SqliteJobQueue, sqliteQueueFile } from "./sqlite-queue.js";

export interface CreateQueueOptions extends JobQueueOptions {
  /** BullMQ queue name, to run several deployments on one Redis. Default "jobs". */
  queueName?: string;
}

export function createJobQueue(
  config: Pick<AppConfig, "dataDir" | "redisUrl">,
  opts: CreateQueueOptions = {},
): JobQueue {
  const { queueName, ...queueOpts } = opts;
  if (config.redisUrl) return new BullMqJobQueue({ url: config.redisUrl, queueName }, queueOpts);
  return new SqliteJobQueue(sqliteQueueFile(config.dataDir), queueOpts);
}
