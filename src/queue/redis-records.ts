// Job records and per-target order for the BullMQ adapter, kept in Redis beside BullMQ's
// own keys. Every status change goes through a Lua script that also moves the per-status
// counters, so stats() is exact and O(1), and a record is never half-written.
import type { Redis } from "ioredis";
import { type TaskRequest, targetKey } from "../pipeline/task.js";
import {
  isEssential,
  JOURNAL_FULL_NOTE,
  JOURNAL_JOB_BYTES,
  type JournalEntry,
  type JournalEvent,
  parseEvent,
  serializeEntry,
} from "./job-journal.js";
import type { JobRecord, JobRecordPatch, JobStats, JobStatus } from "./job-record.js";
import { emptyStats, newRecord } from "./job-record.js";

// Creates the record if missing and appends the job to its target's FIFO (seq order).
// created is decided by a marker only enqueue sets, so a worker that sees the job first
// cannot turn the webhook's enqueue into a "duplicate".
const ENSURE = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 4))
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  redis.call('HINCRBY', KEYS[3], 'queued', 1)
  redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[5]), ARGV[2])
end
if ARGV[1] == '1' then return redis.call('HSETNX', KEYS[1], 'enqueued', '1') end
return 0`;

// A worker starts the job: attempts+1; a job left running or interrupted is a restart.
const START = `
local old = redis.call('HGET', KEYS[1], 'status')
if not old then return nil end
if old == 'succeeded' or old == 'failed' or old == 'cancelled' then return {-1, 0, redis.call('HGET', KEYS[1], 'createdAt')} end
local restarted = 0
if old == 'running' or old == 'interrupted' then
  restarted = 1
  redis.call('HINCRBY', KEYS[1], 'restarts', 1)
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSETNX', KEYS[1], 'startedAt', ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'running', 'updatedAt', ARGV[1])
redis.call('HDEL', KEYS[1], 'nextRunAt')
if old ~= 'running' then
  redis.call('HINCRBY', KEYS[2], old, -1)
  redis.call('HINCRBY', KEYS[2], 'running', 1)
end
return {attempts, restarted, redis.call('HGET', KEYS[1], 'createdAt')}`;

// ARGV: new status ('' keeps it), n, n field/value pairs, then fields to delete.
const TRANSITION = `
local old = redis.call('HGET', KEYS[1], 'status')
if not old then return nil end
local n = tonumber(ARGV[2])
if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 3, 2 + 2 * n)) end
for i = 3 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
if ARGV[1] ~= '' and ARGV[1] ~= old then
  redis.call('HSET', KEYS[1], 'status', ARGV[1])
  redis.call('HINCRBY', KEYS[2], old, -1)
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
end
return old`;

// Deletes a finished record (and its journal) older than the cutoff; 1 when deleted.
const PURGE_ONE = `
local st = redis.call('HGET', KEYS[1], 'status')
local fin = tonumber(redis.call('HGET', KEYS[1], 'finishedAt') or '')
if (st == 'succeeded' or st == 'failed' or st == 'cancelled') and fin and fin < tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1], KEYS[4])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HINCRBY', KEYS[3], st, -1)
  return 1
end
if not st then redis.call('ZREM', KEYS[2], ARGV[1]) redis.call('DEL', KEYS[4]) end
return 0`;

// Appends "<at> <json>" to the job's journal list within its byte budget (journalBytes on the
// record): past it, one note says so, and only essential entries are kept.
// ARGV: entry, its bytes, essential (1/0), budget, the note, the note's bytes, now.
const APPEND_JOURNAL = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local bytes = tonumber(redis.call('HGET', KEYS[1], 'journalBytes') or '0')
local size = tonumber(ARGV[2])
local budget = tonumber(ARGV[4])
if bytes + size <= budget or ARGV[3] == '1' then
  redis.call('RPUSH', KEYS[2], ARGV[7] .. ' ' .. ARGV[1])
  redis.call('HSET', KEYS[1], 'journalBytes', bytes + size)
elseif bytes <= budget then
  redis.call('RPUSH', KEYS[2], ARGV[7] .. ' ' .. ARGV[5])
  redis.call('HSET', KEYS[1], 'journalBytes', math.max(bytes + tonumber(ARGV[6]), budget + 1))
end
return 1`;

// A branch's writer: the job id, for a lease's length. Taken again (renewed) by the same job.
const CLAIM_BRANCH = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

const RELEASE_BRANCH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const NUMERIC = new Set([
  "attempts",
  "restarts",
  "createdAt",
  "startedAt",
  "finishedAt",
  "updatedAt",
  "nextRunAt",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "agentRuns",
]);

export type Fields = Record<string, string | number | undefined>;

export class RedisJobRecords {
  constructor(
    private readonly redis: Redis,
    /** Namespace, e.g. "bull:jobs:gha". */
    private readonly ns: string,
  ) {}

  private rec(id: string): string {
    return `${this.ns}:rec:${id}`;
  }
  private get index(): string {
    return `${this.ns}:index`;
  }
  private get counts(): string {
    return `${this.ns}:counts`;
  }
  targetSet(target: string): string {
    return `${this.ns}:target:${target}`;
  }

  /** Creates the record and queues the job on its target; true when this call is the enqueue that created it. */
  async ensure(task: TaskRequest, createdAt: number, fromEnqueue: boolean): Promise<boolean> {
    const r = newRecord(task, createdAt);
    const fields: Fields = {
      id: r.id,
      deliveryId: r.deliveryId,
      target: r.target,
      targetKind: r.targetKind,
      triggerKind: r.trigger.kind,
      actor: r.trigger.actor,
      agent: r.agent,
      status: "queued",
      attempts: 0,
      restarts: 0,
      createdAt,
      updatedAt: createdAt,
    };
    const res = await this.redis.eval(
      ENSURE,
      5,
      this.rec(r.id),
      this.index,
      this.counts,
      this.targetSet(r.target),
      `${this.ns}:seq`,
      fromEnqueue ? "1" : "0",
      r.id,
      createdAt,
      ...flatten(fields),
    );
    return res === 1;
  }

  /** Marks the job running; `finished` when its record already ended (then nothing changed). */
  async start(
    id: string,
    now: number,
  ): Promise<{ attempts: number; restarted: boolean; createdAt: number; finished: boolean }> {
    const res = (await this.redis.eval(START, 2, this.rec(id), this.counts, now)) as
      | [number, number, string]
      | null;
    if (!res) throw new Error(`job record ${id} is missing`);
    return { attempts: res[0], restarted: res[1] === 1, createdAt: Number(res[2]), finished: res[0] === -1 };
  }

  /** Sets fields (and the status, when given); returns the previous status, undefined when no record. */
  async transition(
    id: string,
    status: JobStatus | "",
    set: Fields,
    del: string[] = [],
  ): Promise<JobStatus | undefined> {
    const pairs = flatten(set);
    const old = await this.redis.eval(
      TRANSITION,
      2,
      this.rec(id),
      this.counts,
      status,
      pairs.length / 2,
      ...pairs,
      ...del,
    );
    return (old ?? undefined) as JobStatus | undefined;
  }

  async update(id: string, patch: JobRecordPatch, now: number): Promise<void> {
    await this.transition(id, "", { ...patch, updatedAt: now });
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return parse(await this.redis.hgetall(this.rec(id)));
  }

  async list(limit: number, status?: JobStatus): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    const page = status ? 200 : limit;
    for (let start = 0; out.length < limit; start += page) {
      const ids = await this.redis.zrevrange(this.index, start, start + page - 1);
      if (ids.length === 0) break;
      const pipe = this.redis.pipeline();
      for (const id of ids) pipe.hgetall(this.rec(id));
      for (const [, raw] of (await pipe.exec()) ?? []) {
        const rec = parse(raw as Record<string, string>);
        if (rec && (!status || rec.status === status) && out.length < limit) out.push(rec);
      }
      if (ids.length < page) break;
    }
    return out;
  }

  async stats(): Promise<JobStats> {
    const raw = await this.redis.hgetall(this.counts);
    const out = emptyStats();
    for (const key of Object.keys(out) as JobStatus[]) out[key] = Math.max(0, Number(raw[key] ?? 0));
    return out;
  }

  /** Finished records created before the cutoff and finished before it; returns the deleted ids. */
  async purge(cutoff: number): Promise<string[]> {
    const ids = await this.redis.zrangebyscore(this.index, "-inf", `(${cutoff}`);
    const deleted: string[] = [];
    for (const id of ids) {
      const n = await this.redis.eval(
        PURGE_ONE,
        4,
        this.rec(id),
        this.index,
        this.counts,
        this.events(id),
        id,
        cutoff,
      );
      if (n === 1) deleted.push(id);
    }
    return deleted;
  }

  private events(id: string): string {
    return `${this.ns}:events:${id}`;
  }

  async appendJournal(id: string, entry: JournalEntry, now: number): Promise<void> {
    const data = serializeEntry(entry);
    await this.redis.eval(
      APPEND_JOURNAL,
      2,
      this.rec(id),
      this.events(id),
      data,
      Buffer.byteLength(data),
      isEssential(entry) ? "1" : "0",
      JOURNAL_JOB_BYTES,
      JOURNAL_FULL_NOTE,
      Buffer.byteLength(JOURNAL_FULL_NOTE),
      now,
    );
  }

  /** The journal after the event `after` (seq = place in the list, from 1). */
  async journal(id: string, after: number, limit: number): Promise<JournalEvent[]> {
    const items = await this.redis.lrange(this.events(id), after, after + limit - 1);
    return items.flatMap((item, i) => {
      const space = item.indexOf(" ");
      return parseEvent(after + i + 1, Number(item.slice(0, space)), item.slice(space + 1)) ?? [];
    });
  }

  /** The job at the front of its target's line. */
  async head(target: string): Promise<string | undefined> {
    const [id] = await this.redis.zrange(this.targetSet(target), "0", "0");
    return id;
  }

  async leaveTarget(target: string, id: string): Promise<void> {
    await this.redis.zrem(this.targetSet(target), id);
  }

  /** Every job in the target's line, front first. */
  async inLine(target: string): Promise<string[]> {
    return this.redis.zrange(this.targetSet(target), "0", "-1");
  }

  private cancelKey(id: string): string {
    return `${this.ns}:cancel:${id}`;
  }

  /** Asks whichever worker holds (or picks up) the job to stop it; kept a day at most. */
  async requestCancel(id: string, by: string): Promise<void> {
    await this.redis.set(this.cancelKey(id), by, "EX", 86_400);
  }

  /** Who asked to stop each of these jobs (undefined where nobody did). */
  async cancelRequests(ids: string[]): Promise<(string | undefined)[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => this.cancelKey(id)));
    return values.map((v) => v ?? undefined);
  }

  async clearCancel(id: string): Promise<void> {
    await this.redis.del(this.cancelKey(id));
  }

  private branchKey(branch: string): string {
    return `${this.ns}:branch:${branch}`;
  }

  /** Makes the job the branch's one writer for leaseMs (renewed by calling again); false when another job is. */
  async claimBranch(id: string, branch: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.eval(CLAIM_BRANCH, 1, this.branchKey(branch), id, leaseMs)) === 1;
  }

  /** Whether no other job holds the branch now. */
  async branchFree(id: string, branch: string): Promise<boolean> {
    const holder = await this.redis.get(this.branchKey(branch));
    return holder === null || holder === id;
  }

  async releaseBranch(id: string, branch: string): Promise<void> {
    await this.redis.eval(RELEASE_BRANCH, 1, this.branchKey(branch), id);
  }

  /** What earlier attempts of the job recorded they made (JSON). */
  async made(id: string): Promise<string | undefined> {
    return (await this.redis.hget(this.rec(id), "made")) ?? undefined;
  }
}

export function targetOf(task: TaskRequest): string {
  return targetKey(task.target);
}

function flatten(fields: Fields): (string | number)[] {
  const out: (string | number)[] = [];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out.push(k, v);
  return out;
}

function parse(raw: Record<string, string>): JobRecord | undefined {
  if (!raw.id || !raw.status) return undefined;
  const rec: Record<string, unknown> = { trigger: { kind: raw.triggerKind, actor: raw.actor } };
  for (const [k, v] of Object.entries(raw)) {
    if (k === "triggerKind" || k === "actor" || k === "enqueued" || k === "made" || k === "journalBytes")
      continue;
    rec[k] = NUMERIC.has(k) ? Number(v) : v;
  }
  return rec as unknown as JobRecord;
}
