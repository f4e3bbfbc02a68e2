// The trigger rate limit's window in the queue's SQLite file, so every process that shares
// the file (the web process and workers on one machine, a restart) counts the same hour.
// Each admission is one IMMEDIATE transaction: two processes cannot both take the last slot.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import {
  type Admission,
  decide,
  noticeKey,
  RATE_WINDOW_MS,
  type RateLimits,
  type TriggerKey,
  type TriggerLimiter,
} from "../triggers/rate-limit.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS trigger_log (
  delivery_id TEXT PRIMARY KEY,
  repo TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS trigger_log_repo_at ON trigger_log (repo, at);
CREATE TABLE IF NOT EXISTS trigger_notices (
  key TEXT PRIMARY KEY,
  at INTEGER NOT NULL
);
`;

export class SqliteTriggerLimiter implements TriggerLimiter {
  readonly #db: Database.Database;
  readonly #admit: (key: TriggerKey, now: number) => Admission;

  constructor(
    file: string,
    private readonly limits: RateLimits,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.#db = new Database(file);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("busy_timeout = 5000");
    this.#db.exec(SCHEMA);
    const db = this.#db;
    const prune = db.prepare("DELETE FROM trigger_log WHERE at <= ?");
    const pruneNotices = db.prepare("DELETE FROM trigger_notices WHERE at <= ?");
    const seen = db.prepare("SELECT 1 FROM trigger_log WHERE delivery_id = ?");
    const inRepo = db.prepare("SELECT actor, at FROM trigger_log WHERE repo = ? AND at > ? ORDER BY at");
    const insert = db.prepare("INSERT INTO trigger_log (delivery_id, repo, actor, at) VALUES (?, ?, ?, ?)");
    const told = db.prepare("SELECT at FROM trigger_notices WHERE key = ? AND at > ?");
    const tell = db.prepare(
      "INSERT INTO trigger_notices (key, at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET at = excluded.at",
    );
    const admit = db.transaction((key: TriggerKey, now: number): Admission => {
      const since = now - RATE_WINDOW_MS;
      prune.run(since);
      pruneNotices.run(since);
      if (seen.get(key.deliveryId)) return { admitted: true };
      const repo = key.repo.toLowerCase();
      const actor = key.actor.toLowerCase();
      const rows = inRepo.all(repo, since) as { actor: string; at: number }[];
      const refused = decide(this.limits, {
        person: rows.filter((r) => r.actor === actor).map((r) => r.at),
        repository: rows.map((r) => r.at),
      });
      if (!refused) {
        insert.run(key.deliveryId, repo, actor, now);
        return { admitted: true };
      }
      const k = noticeKey(refused.scope, key);
      const notify = !told.get(k, since);
      if (notify) tell.run(k, now);
      return { admitted: false, ...refused, notify };
    });
    this.#admit = (key, now) => admit.immediate(key, now);
  }

  async admit(key: TriggerKey, now = Date.now()): Promise<Admission> {
    return this.#admit(key, now);
  }

  close(): void {
    this.#db.close();
  }
}
