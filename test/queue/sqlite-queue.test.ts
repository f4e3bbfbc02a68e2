import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "@jest/globals";
import { SqliteJobQueue, sqliteQueueFile } from "../../src/queue/sqlite-queue.js";
import { journalContract } from "./journal-contract.js";
import { queueCancelContract } from "./queue-cancel-contract.js";
import { queueContract } from "./queue-contract.js";

const root = mkdtempSync(join(tmpdir(), "jobs-sqlite-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

queueContract("SQLite", {
  async fresh() {
    const file = sqliteQueueFile(join(root, String(n++)));
    return { open: async (opts) => new SqliteJobQueue(file, opts) };
  },
});

queueCancelContract("SQLite", {
  async fresh() {
    const file = sqliteQueueFile(join(root, String(n++)));
    return { open: async (opts) => new SqliteJobQueue(file, opts) };
  },
});

journalContract("SQLite", {
  async fresh() {
    const file = sqliteQueueFile(join(root, String(n++)));
    return { open: async (opts) => new SqliteJobQueue(file, opts) };
  },
});
