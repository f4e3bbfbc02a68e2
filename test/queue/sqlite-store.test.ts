// The SQLite store's own statements, below the queue contract: group commit and the idle
// timer's notion of "next due".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { SqliteJobStore } from "../../src/queue/sqlite-store.js";
import { makeTask } from "../support/queue-task.js";

const root = mkdtempSync(join(tmpdir(), "jobs-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => new SqliteJobStore(join(root, `${n++}.sqlite`));

describe("SqliteJobStore", () => {
  it("inserts a burst in one transaction, deduping within it as one by one would", () => {
    const store = fresh();
    const results = store.insertMany([makeTask("a"), makeTask("a"), makeTask("b", { number: 2 })], 1_000);
    expect(results.map((r) => r.created)).toEqual([true, false, true]);
    expect(results[1]!.jobId).toBe(results[0]!.jobId);
    expect(store.stats().queued).toBe(2);
    store.close();
  });

  it("does not count a due job that waits behind its target's running job as next due", () => {
    const store = fresh();
    store.insertMany([makeTask("first"), makeTask("second")], 1_000);
    const claimed = store.claim("token", 2_000, 60_000, 2);
    expect(claimed?.row.delivery_id).toBe("first");
    // "second" is due since 1,000 but cannot run; the next event is the lease's expiry.
    expect(store.nextDue(3_000)).toBe(62_000);
    expect(store.claim("other", 3_000, 60_000, 2)).toBeNull();
    store.close();
  });

  it("knows which jobs are at the head of their target's line", () => {
    const store = fresh();
    const [a, b, c] = store
      .insertMany([makeTask("a"), makeTask("b"), makeTask("c", { number: 2 })], 1_000)
      .map((r) => r.jobId) as [string, string, string];
    expect([a, b, c].map((id) => store.headOfLine(id))).toEqual([true, false, true]);
    store.claim("token", 1_000, 60_000, 2);
    store.finish(a, "token", { status: "succeeded", patch: {} }, 2_000);
    expect(store.headOfLine(b)).toBe(true);
    store.close();
  });

  it("counts a retry's backoff as next due, and nothing when no job waits", () => {
    const store = fresh();
    expect(store.nextDue(1_000)).toBeUndefined();
    const { jobId } = store.insertMany([makeTask("flaky")], 1_000)[0]!;
    store.claim("token", 1_000, 60_000, 2);
    store.finish(jobId, "token", { status: "retrying", error: "503", runAt: 5_000, failed: true }, 2_000);
    expect(store.nextDue(2_000)).toBe(5_000);
    store.close();
  });
});
