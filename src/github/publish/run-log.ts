// What the agent did, as a list reviewers can read: each tool call with its target (the file
// read or written, the `go` command) and its outcome, the notes the loop made (repair turns,
// continuations), then turns, tokens, cost and duration. It goes into the check run's
// details (output.text) and, collapsed, into the pull request body. Paths, commands and
// outputs come from the model and the code it ran: untrusted, so escaped and redacted.
import type { TranscriptEntry } from "../../agent/outcome.js";
import type { JobResult } from "../../pipeline/ports.js";
import { redactSecrets } from "../../secrets.js";
import { trimHead } from "../../text.js";
import { escapeCell } from "./render-verdict.js";

export const RUN_LOG_HEADING = "What the agent did";

/** GitHub's limit on a check run's output.text. */
export const CHECK_TEXT_LIMIT = 65_535;

const VERBS: Record<string, string> = {
  read_file: "read",
  write_file: "wrote",
  edit_file: "edited",
  delete_file: "deleted",
  list_files: "listed",
  search_code: "searched",
  go: "ran",
  ask_clarification: "asked",
};

const fmt = new Intl.NumberFormat("en-US");

/** Untrusted one-line text, safe in a Markdown list item: no markup, mentions or issue links. */
function safe(text: string, max = 200): string {
  const raw = redactSecrets(text);
  const cut = raw.length > max ? `${raw.slice(0, max - 1)}…` : raw;
  return escapeCell(cut).replace(/([*_[\]~])/g, "\\$1");
}

function targetOf(name: string, input: unknown): string {
  const i = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  if (name === "go" && Array.isArray(i.args)) return `go ${i.args.map(String).join(" ")}`;
  if (typeof i.path === "string") return i.path || ".";
  if (typeof i.pattern === "string") return `/${i.pattern}/`;
  if (name === "ask_clarification") return "a question";
  return "";
}

/** The first line of the result that says something (a go result starts with its command line). */
function outcomeOf(e: Extract<TranscriptEntry, { kind: "tool_call" }>): string {
  const lines = e.output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("$ go "));
  if (!e.isError) return "ok";
  return `failed: ${lines[0] ?? "no output"}`;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

/** The run as Markdown: one numbered line per tool call or note, then the totals. */
export function renderRunLog(result: Pick<JobResult, "outcome" | "durationMs">): string {
  const { outcome } = result;
  const lines: string[] = [];
  let n = 0;
  for (const e of outcome.transcript) {
    if (e.kind === "tool_call") {
      const verb = VERBS[e.name] ?? safe(e.name, 40);
      const target = targetOf(e.name, e.input);
      const what = target ? `${verb} ${safe(target)}` : verb;
      lines.push(`${++n}. turn ${e.turn}: **${what}** — ${safe(outcomeOf(e))} (${seconds(e.durationMs)})`);
    } else if (e.kind === "note") {
      lines.push(`${++n}. turn ${e.turn}: _${safe(e.text, 300)}_`);
    }
  }
  const u = outcome.usage;
  const input = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  const totals =
    `**${outcome.turns} turns · ${fmt.format(input)} input / ${fmt.format(u.output_tokens)} output tokens ` +
    `(${fmt.format(u.cache_read_input_tokens)} from cache) · $${outcome.costUsd.toFixed(2)} · ` +
    `${seconds(result.durationMs)}**${outcome.model ? ` on ${safe(outcome.model, 80)}` : ""}`;
  const calls = outcome.transcript.filter((e) => e.kind === "tool_call").length;
  return [
    `### ${RUN_LOG_HEADING}`,
    "",
    calls === 0 ? "The agent called no tools." : `${calls} tool call${calls === 1 ? "" : "s"}:`,
    "",
    ...lines,
    "",
    totals,
  ].join("\n");
}

/** The run log within `maxChars`, cut at a line with the one truncation marker (src/text.ts). */
export function clippedRunLog(result: Pick<JobResult, "outcome" | "durationMs">, maxChars: number): string {
  const log = renderRunLog(result);
  if (log.length <= maxChars) return log;
  // The totals line is the part everyone reads: keep it whole under the cut list.
  const cut = log.lastIndexOf("\n\n");
  const totals = log.slice(cut);
  return `${trimHead(log.slice(0, cut), { maxLines: Number.MAX_SAFE_INTEGER, maxChars: maxChars - totals.length - 60 })}${totals}`;
}

/** The check run's details: the run log, then the verification details, within GitHub's limit. */
export function checkRunText(runLog: string, verdictText: string | undefined): string {
  const text = [runLog, verdictText].filter(Boolean).join("\n\n");
  return text.length > CHECK_TEXT_LIMIT - 600
    ? trimHead(text, { maxLines: Number.MAX_SAFE_INTEGER, maxChars: CHECK_TEXT_LIMIT - 600 })
    : text;
}

/** The run log, collapsed, for the pull request body. */
export function runLogDetails(runLog: string): string {
  return `<details>\n<summary>${RUN_LOG_HEADING} (the same list is in the check run's details)</summary>\n\n${runLog}\n\n</details>`;
}
