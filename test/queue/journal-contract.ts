// The job journal (what a job's page shows) on both queue adapters: appended in order while
// the job runs, readable from another process, redacted and clipped, within a per-job budget,
// and gone with the record at retention.
import { afterEach, describe, expect, it } from "@jest/globals";
import {
  JOURNAL_ENTRY_BYTES,
  JOURNAL_JOB_BYTES,
  JOURNAL_TEXT_CHARS,
  type JournalEntry,
} from "../../src/queue/job-journal.js";
import type { JobQueue, JobQueueOptions } from "../../src/queue/job-queue.js";
import { registerSecret } from "../../src/secrets.js";
import { gate, makeTask, until } from "../support/queue-task.js";
import { FAST, type QueueHarness } from "./queue-contract.js";

const tool = (n: number, output: string, input: unknown = { path: `f${n}.go` }): JournalEntry => ({
  kind: "tool_call",
  turn: n,
  id: `t${n}`,
  name: "view_file",
  input,
  output,
  isError: false,
  durationMs: 3,
});

export function journalContract(name: string, harness: QueueHarness): void {
  describe(`job journal: ${name}`, () => {
    const opened: JobQueue[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((q) => q.close()));
    });
    async function two(opts: JobQueueOptions = {}) {
      const storage = await harness.fresh();
      const worker = await storage.open({ ...FAST, ...opts });
      const reader = await storage.open({ ...FAST, ...opts });
      opened.push(worker, reader);
      return { worker, reader };
    }

    it("shows another process each entry while the job runs, in order, and keeps them after it ends", async () => {
      const { worker, reader } = await two();
      const { jobId } = await worker.enqueue(makeTask("journal-live"));
      const hold = gate();
      worker.start(
        async (_task, ctx) => {
          ctx.journal?.({ kind: "step", step: "gate", detail: "issue_label by @octocat" });
          ctx.journal?.({
            kind: "model_call",
            turn: 1,
            stopReason: "tool_use",
            usage: {
              input_tokens: 10,
              output_tokens: 5,
              cache_read_input_tokens: 0,
              cache_creation_input_tokens: 0,
            },
            costUsd: 0.01,
            durationMs: 40,
            text: "Looking at main.go",
            toolCalls: 1,
          });
          ctx.journal?.(tool(1, "package main"));
          await hold.promise;
          ctx.journal?.({ kind: "step", step: "publishing", detail: "completed" });
        },
        { concurrency: 1 },
      );
      const seen = await until(async () => {
        const events = await reader.journal(jobId);
        return events.length === 3 ? events : undefined;
      }, "three entries visible to the reader");
      expect(seen.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(seen.map((e) => e.entry.kind)).toEqual(["step", "model_call", "tool_call"]);
      expect(seen[2]!.entry).toMatchObject({
        name: "view_file",
        output: "package main",
        input: { path: "f1.go" },
      });
      expect(seen.every((e) => e.at > 0)).toBe(true);
      expect(await reader.get(jobId)).toMatchObject({ status: "running" });
      hold.open();
      await until(async () => (await reader.get(jobId))?.status === "succeeded", "the job to finish");
      const after = await until(async () => {
        const events = await reader.journal(jobId, 3);
        return events.length === 1 ? events : undefined;
      }, "the entry after seq 3");
      expect(after[0]).toMatchObject({ seq: 4, entry: { kind: "step", step: "publishing" } });
      expect(await reader.journal(jobId, 0, 2)).toHaveLength(2);
    });

    it("never stores a secret, and clips a huge entry to its byte limit", async () => {
      const { worker } = await two();
      const { jobId } = await worker.enqueue(makeTask("journal-redact"));
      const key = "model-key-for-the-journal-test-0123456789";
      registerSecret(key);
      const huge = `start ${"x".repeat(200_000)} end`;
      await worker.appendJournal(
        jobId,
        tool(1, `token ghs_abcdefghijklmnopqrstuvwxyz0123456789 and ${key}`, {
          url: "https://x-access-token:ghs_secretsecretsecret@github.com/acme/svc.git",
          content: huge,
        }),
      );
      await worker.appendJournal(jobId, tool(2, huge, { many: Array(500).fill(huge.slice(0, 5000)) }));
      const [first, second] = await worker.journal(jobId);
      const text = JSON.stringify(first);
      expect(text).not.toContain("ghs_abcdefghijklmnopqrstuvwxyz0123456789");
      expect(text).not.toContain(key);
      expect(text).not.toContain("ghs_secretsecretsecret");
      expect(text).toContain("[redacted]");
      const input = (first!.entry as { input: { content: string } }).input;
      expect(input.content.length).toBeLessThanOrEqual(JOURNAL_TEXT_CHARS + 100);
      expect(input.content).toMatch(/^start x+\n… \d+ characters \(0 lines\) cut from the middle …\nx+ end$/);
      expect(Buffer.byteLength(JSON.stringify(second!.entry))).toBeLessThanOrEqual(JOURNAL_ENTRY_BYTES);
      expect((second!.entry as { output: string }).output).toMatch(/end$/);
    });

    it("stops keeping tool calls past the job's budget, says so once, and still keeps its steps", async () => {
      const { worker } = await two();
      const { jobId } = await worker.enqueue(makeTask("journal-budget"));
      const big = "y".repeat(JOURNAL_TEXT_CHARS);
      const fill = Math.ceil(JOURNAL_JOB_BYTES / (JOURNAL_TEXT_CHARS + 150)) + 20;
      for (let i = 1; i <= fill; i++) await worker.appendJournal(jobId, tool(i, big));
      await worker.appendJournal(jobId, { kind: "step", step: "verifying", detail: "go test" });
      const events = await worker.journal(jobId, 0, 2000);
      const notes = events.filter((e) => e.entry.kind === "note");
      expect(notes).toHaveLength(1);
      expect((notes[0]!.entry as { text: string }).text).toMatch(/journal reached 2 MB/);
      expect(events.at(-1)!.entry).toMatchObject({ kind: "step", step: "verifying" });
      const stored = events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.entry)), 0);
      expect(stored).toBeLessThanOrEqual(JOURNAL_JOB_BYTES + 2_000);
      expect(events.length).toBeLessThan(fill);
    });

    it("ignores entries for a job that does not exist, and purges a journal with its record", async () => {
      const { worker } = await two();
      await worker.appendJournal("job-nope", tool(1, "lost"));
      expect(await worker.journal("job-nope")).toEqual([]);
      const { jobId } = await worker.enqueue(makeTask("journal-purge"));
      worker.start(
        async (_t, ctx) => {
          ctx.journal?.(tool(1, "kept until retention"));
        },
        { concurrency: 1 },
      );
      await until(async () => (await worker.get(jobId))?.status === "succeeded", "the job to finish");
      await until(async () => (await worker.journal(jobId)).length === 1, "the entry");
      expect(await worker.purge(0)).toBe(1);
      expect(await worker.journal(jobId)).toEqual([]);
    });
  });
}
