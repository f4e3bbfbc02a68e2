// One journal event as HTML: the same markup on the page and in the live stream, every
// text from the job (tool output, model words, inputs) escaped and stripped of ANSI codes.
import type { JournalEvent } from "../../queue/job-journal.js";
import { html, type SafeHtml } from "../html.js";
import { clock, duration, usd } from "./format.js";

function inputText(input: unknown): string {
  if (input && typeof input === "object") {
    const i = input as Record<string, unknown>;
    // An edit shows as the diff it makes: the lines taken out, then the lines put in.
    if (typeof i.old_string === "string" && typeof i.new_string === "string") {
      const minus = i.old_string.split("\n").map((l) => `- ${l}`);
      const plus = i.new_string.split("\n").map((l) => `+ ${l}`);
      return [
        `--- ${String(i.path ?? "")}${i.replace_all ? " (every occurrence)" : ""}`,
        ...minus,
        ...plus,
      ].join("\n");
    }
    // A write shows its content as text, not as one long JSON string.
    if (typeof i.content === "string" && Object.keys(i).length <= 3) {
      const rest = Object.entries(i)
        .filter(([k]) => k !== "content")
        .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
      return [...rest, "", i.content].join("\n");
    }
  }
  return JSON.stringify(input, null, 2) ?? "";
}

function toolSummary(input: unknown): string {
  if (!input || typeof input !== "object") return "";
  const i = input as Record<string, unknown>;
  if (Array.isArray(i.args)) return i.args.join(" ");
  for (const k of ["path", "file", "pattern", "query"]) if (typeof i[k] === "string") return i[k] as string;
  return "";
}

export function renderEvent(ev: JournalEvent): SafeHtml {
  const e = ev.entry;
  const at = html`<time datetime="${new Date(ev.at).toISOString()}">${clock(ev.at)}</time>`;
  switch (e.kind) {
    case "step":
      return html`<li class="ev step" id="e${ev.seq}">${at} <strong>${e.step}</strong> <span>${e.detail}</span></li>`;
    case "model_call":
      return html`<li class="ev model" id="e${ev.seq}">${at} <strong>model, turn ${e.turn}</strong>
<span class="meta">${e.usage.input_tokens + e.usage.cache_read_input_tokens + e.usage.cache_creation_input_tokens} in · ${e.usage.output_tokens} out · ${usd(e.costUsd)} · ${duration(e.durationMs)}</span>
${e.text ? html`<pre class="text">${e.text}</pre>` : ""}</li>`;
    case "tool_call":
      return html`<li class="ev tool${e.isError ? " error" : ""}" id="e${ev.seq}">${at}
<details><summary><strong>${e.name}</strong> <code>${toolSummary(e.input)}</code> <span class="meta">${duration(e.durationMs)}${e.isError ? " · error" : ""}</span></summary>
<h4>Input</h4><pre>${inputText(e.input)}</pre>
<h4>Output</h4><pre>${e.output}</pre>
</details></li>`;
    case "note":
      return html`<li class="ev note" id="e${ev.seq}">${at} <em>${e.text}</em></li>`;
    case "verdict":
      return html`<li class="ev verdict" id="e${ev.seq}">${at} <strong>verdict: ${e.overall}</strong> <span>${e.summary}</span>
<table><caption class="sr-only">Checks</caption><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Time</th><th scope="col">Summary</th></tr></thead><tbody>
${e.rows.map((r) => html`<tr class="${r.status}"><td>${r.name}</td><td>${r.status}</td><td>${duration(r.durationMs)}</td><td>${r.summary}</td></tr>`)}
</tbody></table></li>`;
    default:
      return html``;
  }
}

export interface StepTime {
  step: string;
  startedAt: number;
  ms: number;
}

/** Time per step: from a step's first event to the next step's (the last runs to `end`). */
export function stepTimes(events: readonly JournalEvent[], end: number): StepTime[] {
  const out: StepTime[] = [];
  for (const ev of events) {
    if (ev.entry.kind !== "step") continue;
    const last = out.at(-1);
    if (last?.step === ev.entry.step) continue;
    if (last) last.ms = ev.at - last.startedAt;
    out.push({ step: ev.entry.step, startedAt: ev.at, ms: 0 });
  }
  const last = out.at(-1);
  if (last) last.ms = Math.max(0, end - last.startedAt);
  return out;
}
