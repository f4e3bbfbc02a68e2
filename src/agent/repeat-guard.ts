// A model that sends the same tool call again and again (same tool, same input, no other
// call in between) is stuck: the result will not change, and every turn costs money. The
// third identical call in a row is not run; the model is told to change course. The fifth
// ends the run, naming the call, instead of spending the rest of the turn budget on it.

/** The identical call in a row that is refused instead of run. */
export const REPEAT_REFUSE_AT = 3;
/** The identical call in a row that ends the run. */
export const REPEAT_STOP_AT = 5;

export type RepeatVerdict =
  | { kind: "run" }
  | { kind: "refuse"; message: string }
  | { kind: "stop"; reason: string };

/** JSON with sorted keys, so the same input written in another key order is the same call. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function describe(name: string, input: unknown): string {
  const text = canonical(input);
  return `${name} ${text.length > 120 ? `${text.slice(0, 117)}...` : text}`;
}

export class RepeatGuard {
  #last: string | undefined;
  #count = 0;

  /** Call once per tool call, in the order the model made them. */
  check(name: string, input: unknown): RepeatVerdict {
    const key = `${name}\0${canonical(input)}`;
    this.#count = key === this.#last ? this.#count + 1 : 1;
    this.#last = key;
    if (this.#count >= REPEAT_STOP_AT) {
      return {
        kind: "stop",
        reason: `the model sent the same tool call ${this.#count} times in a row (${describe(name, input)}) and did not change course`,
      };
    }
    if (this.#count >= REPEAT_REFUSE_AT) {
      return {
        kind: "refuse",
        message:
          `This exact call (${describe(name, input)}) was sent ${this.#count} times in a row, so it was not run: ` +
          "its result will not change. Change course: use what the earlier results said, try something else, " +
          "or finish with your report (or ask_clarification when you are stuck). " +
          `Sending it again ${REPEAT_STOP_AT - this.#count === 1 ? "once more" : `${REPEAT_STOP_AT - this.#count} more times`} ends the run.`,
      };
    }
    return { kind: "run" };
  }
}
