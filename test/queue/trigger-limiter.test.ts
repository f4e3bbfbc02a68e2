// The trigger rate limit: a person, and a repository, may start so many jobs an hour; the
// first refusal in a window is the one that is told. The SQLite window is shared by every
// process that opens the job file: two limiters on one file stand for two processes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { SqliteTriggerLimiter } from "../../src/queue/sqlite-trigger-limiter.js";
import {
  MemoryTriggerLimiter,
  RATE_WINDOW_MS,
  type RateLimits,
  type TriggerLimiter,
} from "../../src/triggers/rate-limit.js";

const dirs: string[] = [];
const open: TriggerLimiter[] = [];

afterEach(async () => {
  for (const l of open.splice(0)) l.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function sqliteFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bga-limiter-"));
  dirs.push(dir);
  return join(dir, "jobs.sqlite");
}

const kinds: [string, (limits: RateLimits) => Promise<TriggerLimiter>][] = [
  ["memory", async (limits) => new MemoryTriggerLimiter(limits)],
  ["sqlite", async (limits) => new SqliteTriggerLimiter(await sqliteFile(), limits)],
];

let delivery = 0;
const key = (actor: string, repo = "acme/vault") => ({ repo, actor, deliveryId: `d-${++delivery}` });

describe.each(kinds)("the trigger rate limit (%s)", (_kind, make) => {
  const limiter = async (limits: RateLimits) => {
    const l = await make(limits);
    open.push(l);
    return l;
  };

  it("admits a person's first N triggers an hour, tells the next once, and admits again when the window passes", async () => {
    const l = await limiter({ perPerson: 3, perRepository: 0 });
    const t0 = 1_000_000_000;
    for (let i = 0; i < 3; i++)
      expect(await l.admit(key("alice"), t0 + i * 1000)).toEqual({ admitted: true });
    const refused = await Promise.all([0, 1, 2, 3].map(async (i) => l.admit(key("alice"), t0 + 10_000 + i)));
    expect(refused[0]).toEqual({
      admitted: false,
      scope: "person",
      limit: 3,
      until: t0 + RATE_WINDOW_MS,
      notify: true,
    });
    expect(refused.slice(1).map((r) => r.admitted === false && r.notify)).toEqual([false, false, false]);
    // Someone else in the same repository is not held back by alice.
    expect(await l.admit(key("bob"), t0 + 20_000)).toEqual({ admitted: true });
    // Once the first trigger left the window, one more is admitted; the next refusal is a new window's.
    expect(await l.admit(key("alice"), t0 + RATE_WINDOW_MS + 1)).toEqual({ admitted: true });
    const later = await l.admit(key("alice"), t0 + RATE_WINDOW_MS + 2);
    expect(later).toMatchObject({ admitted: false, scope: "person" });
    expect(await l.admit(key("alice"), t0 + 2 * RATE_WINDOW_MS + 20_000)).toEqual({ admitted: true });
  });

  it("counts a repository's triggers from everyone together, per repository", async () => {
    const l = await limiter({ perPerson: 0, perRepository: 2 });
    const t0 = 2_000_000_000;
    expect(await l.admit(key("alice"), t0)).toEqual({ admitted: true });
    expect(await l.admit(key("bob"), t0 + 1)).toEqual({ admitted: true });
    expect(await l.admit(key("carol"), t0 + 2)).toMatchObject({
      admitted: false,
      scope: "repository",
      notify: true,
    });
    expect(await l.admit(key("dave"), t0 + 3)).toMatchObject({ admitted: false, notify: false });
    expect(await l.admit(key("alice", "acme/other"), t0 + 4)).toEqual({ admitted: true });
  });

  it("admits a redelivered webhook again without counting it twice", async () => {
    const l = await limiter({ perPerson: 2, perRepository: 0 });
    const first = key("alice");
    expect(await l.admit(first, 10)).toEqual({ admitted: true });
    expect(await l.admit(first, 11)).toEqual({ admitted: true });
    expect(await l.admit(key("alice"), 12)).toEqual({ admitted: true });
    expect(await l.admit(key("alice"), 13)).toMatchObject({ admitted: false });
  });

  it("with both limits 0 admits everything", async () => {
    const l = await limiter({ perPerson: 0, perRepository: 0 });
    for (let i = 0; i < 50; i++) expect(await l.admit(key("alice"), i)).toEqual({ admitted: true });
  });
});

describe("the SQLite window", () => {
  it("is one window for every process sharing the job file, and survives a restart", async () => {
    const file = await sqliteFile();
    const limits = { perPerson: 4, perRepository: 0 };
    const web = new SqliteTriggerLimiter(file, limits);
    const other = new SqliteTriggerLimiter(file, limits);
    open.push(web, other);
    const t0 = 3_000_000_000;
    expect(await web.admit(key("alice"), t0)).toEqual({ admitted: true });
    expect(await other.admit(key("alice"), t0 + 1)).toEqual({ admitted: true });
    web.close();
    open.splice(open.indexOf(web), 1);
    const restarted = new SqliteTriggerLimiter(file, limits);
    open.push(restarted);
    expect(await restarted.admit(key("alice"), t0 + 2)).toEqual({ admitted: true });
    expect(await other.admit(key("alice"), t0 + 3)).toEqual({ admitted: true });
    expect(await restarted.admit(key("alice"), t0 + 4)).toMatchObject({ admitted: false, notify: true });
    // Told once across both: the other process stays silent.
    expect(await other.admit(key("alice"), t0 + 5)).toMatchObject({ admitted: false, notify: false });
  });
});
