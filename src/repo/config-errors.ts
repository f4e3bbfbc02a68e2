// A configuration file the job cannot use. The message quotes the file, the key and the
// problem, so the person who wrote the file can fix it from the tracking comment alone.
import type { z } from "zod";
import { SERVICE_NAMES } from "./config-schema.js";

export interface ConfigProblem {
  /** Dotted key path (`trigger.min_permission`, `verify.commands[1]`); "(file)" for the whole file. */
  key: string;
  problem: string;
  /** The offending value as written, when there is one. */
  value?: unknown;
}

export class RepoConfigError extends Error {
  override name = "RepoConfigError";
  constructor(
    /** Where the file lives: `owner/repo:.github/backend-go-agent.yml`. */
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    const first = problems[0] ?? { key: "(file)", problem: "is invalid" };
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})`
        : "";
    super(`${file}: key "${first.key}": ${first.problem}${more}`);
  }

  /**
   * The same problems without the values: for a file of another repository, which the person
   * reading the error may not be able to read. Keys and problems stay; nothing from the file does.
   */
  withoutValues(): RepoConfigError {
    return new RepoConfigError(
      this.file,
      this.problems.map(({ value: _value, ...p }) => p),
    );
  }

  get key(): string {
    return this.problems[0]?.key ?? "(file)";
  }

  /** A Markdown block for the tracking comment. */
  render(): string {
    const lines = [`**The configuration file \`${this.file}\` is invalid**, so the job did not run.`, ""];
    for (const p of this.problems) {
      lines.push(`- \`${p.key}\`: ${escapeMarkdown(p.problem)}`);
      if (p.value !== undefined) {
        const shown = showValue(p.value);
        const fence = shown.includes("```") ? "~~~" : "```";
        lines.push(`  ${fence}yaml`, ...shown.split("\n").map((l) => `  ${l}`), `  ${fence}`);
      }
    }
    lines.push("", "Fix the file on the default branch, then trigger the job again.");
    return lines.join("\n");
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"));
}

function showValue(value: unknown): string {
  let text: string;
  try {
    text =
      typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value, null, 2) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 400 ? `${text.slice(0, 400)} …` : text;
}

export function keyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest known key, if it is close enough to be a typo. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(unknown.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(unknown.length / 3)) ? best : undefined;
}

/** Turns zod issues into problems with key paths, quoted values and typo hints. */
export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  knownKeysAt: (path: readonly PropertyKey[]) => readonly string[],
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(issue.path).filter((k) => !k.startsWith("_"));
      for (const key of issue.keys) {
        const hint = suggestKey(key, known);
        if (issue.path.at(-1) === "services") {
          const serviceHint = suggestKey(key, SERVICE_NAMES);
          out.push({
            key: keyPath([...issue.path, key]),
            problem: `unknown service${serviceHint ? `; did you mean "${serviceHint}"?` : ""} (this app starts ${SERVICE_NAMES.join(", ")})`,
          });
          continue;
        }
        out.push({
          key: keyPath([...issue.path, key]),
          problem: `unknown key${hint ? `; did you mean "${hint}"?` : ""} (known keys here: ${known.join(", ")})`,
          value: valueAt(input, [...issue.path, key]),
        });
      }
      continue;
    }
    // One problem per key: zod may report several refinements of the same value.
    if (out.some((p) => p.key === keyPath(issue.path))) continue;
    const value = valueAt(input, issue.path);
    out.push({ key: keyPath(issue.path), problem: plainProblem(issue, value), value });
  }
  return out;
}

const kindOf = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a mapping" : `a ${typeof v}`;
const KINDS: Record<string, string> = {
  array: "a list",
  object: "a mapping",
  record: "a mapping",
  int: "a whole number",
};

function plainProblem(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === "invalid_value")
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "invalid_type") {
    if (value === undefined) return "is required";
    return `must be ${KINDS[issue.expected] ?? `a ${issue.expected}`}, not ${kindOf(value)}`;
  }
  if (issue.code === "invalid_union" && issue.path.at(-2) === "commands") {
    return "must be a command: one string, or a list of words";
  }
  return issue.message.replace(/^Invalid input: /, "");
}
