// The job's journal: what its page shows (steps, model turns, tool calls, the verdict),
// appended as the job goes and kept with its record (same store, same retention). Every
// entry is redacted like a log line and clipped before it is stored, so the store never
// holds a secret and a long job stays small.
import type { JournalEntry } from "../pipeline/ports.js";
import { redactSecrets } from "../secrets.js";
import { truncateMiddle } from "../text.js";

export type { JournalEntry };

/** One stored entry: its place in the job's journal and when it was written. */
export interface JournalEvent {
  /** 1, 2, 3… per job: a page asks for the events after the last one it has. */
  seq: number;
  /** Epoch milliseconds. */
  at: number;
  entry: JournalEntry;
}

/** Most characters of any one text in an entry (a tool's output, a file the agent wrote). */
export const JOURNAL_TEXT_CHARS = 4_000;
/** Most bytes of one stored entry; a bigger one has its texts cut harder. */
export const JOURNAL_ENTRY_BYTES = 12_000;
/** Most bytes of a job's whole journal; past it, only steps and the verdict are kept. */
export const JOURNAL_JOB_BYTES = 2_000_000;

/** Redacts and clips every string in the value (keys too), and how many items a list or object keeps. */
function scrub(value: unknown, maxChars: number, maxItems: number, depth = 0): unknown {
  if (typeof value === "string") return truncateMiddle(redactSecrets(value), maxChars);
  if (depth > 8 || value === null || typeof value !== "object") {
    return typeof value === "number" || typeof value === "boolean" || value === null ? value : undefined;
  }
  if (Array.isArray(value)) {
    const kept = value.slice(0, maxItems).map((v) => scrub(v, maxChars, maxItems, depth + 1));
    return value.length > maxItems ? [...kept, `… ${value.length - maxItems} more cut …`] : kept;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, Math.max(20, maxItems))) {
    out[redactSecrets(k).slice(0, 200)] = scrub(v, maxChars, maxItems, depth + 1);
  }
  return out;
}

/**
 * The entry as the store keeps it: JSON, redacted, each text at most JOURNAL_TEXT_CHARS and
 * the whole at most JOURNAL_ENTRY_BYTES (texts and lists cut harder until it fits; at the
 * last, each field becomes its clipped JSON text).
 */
export function serializeEntry(entry: JournalEntry): string {
  for (let chars = JOURNAL_TEXT_CHARS, items = 200; chars >= 250; chars = Math.floor(chars / 2)) {
    const text = JSON.stringify(scrub(entry, chars, items));
    if (Buffer.byteLength(text) <= JOURNAL_ENTRY_BYTES) return text;
    items = Math.max(5, Math.floor(items / 4));
  }
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(scrub(entry, 250, 5) as Record<string, unknown>)) {
    flat[k] = typeof v === "object" && v !== null ? truncateMiddle(JSON.stringify(v), 600) : v;
  }
  return JSON.stringify(flat);
}

/** Entries kept even when the job's journal is full: what a person needs to follow the job. */
export function isEssential(entry: JournalEntry): boolean {
  return entry.kind === "step" || entry.kind === "verdict";
}

/** Written once, in place of everything past the job's journal budget. */
export const JOURNAL_FULL_NOTE = serializeEntry({
  kind: "note",
  turn: 0,
  text: `the journal reached ${JOURNAL_JOB_BYTES / 1_000_000} MB: later model turns and tool calls are not kept`,
});

export function parseEvent(seq: number, at: number, data: string): JournalEvent | undefined {
  try {
    return { seq, at, entry: JSON.parse(data) as JournalEntry };
  } catch {
    return undefined;
  }
}

/**
 * Runs appends one after another in the order they were asked (a store write is async in
 * Redis), and never rejects: a failing write is reported and the job goes on.
 */
export function serialAppender(
  append: (entry: JournalEntry) => Promise<void> | void,
  onError: (err: unknown) => void,
): (entry: JournalEntry) => void {
  let chain: Promise<void> = Promise.resolve();
  return (entry) => {
    chain = chain.then(() => append(entry)).catch(onError);
  };
}
