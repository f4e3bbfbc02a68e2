// The one clipper: output shortened with one visible marker (`… what was cut …`), so a reader
// (or the model) knows text was cut and how much.

export interface TrimLimits {
  maxLines: number;
  maxChars: number;
}

/** Keeps the end of the text (where failures usually are), marking what was cut. */
export function trimTail(text: string, limits: TrimLimits): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  let start = Math.max(0, lines.length - limits.maxLines);
  let size = lines.slice(start).reduce((n, l) => n + l.length + 1, 0);
  while (size > limits.maxChars && start < lines.length - 1) {
    size -= (lines[start]?.length ?? 0) + 1;
    start++;
  }
  let out = lines.slice(start).join("\n");
  if (out.length > limits.maxChars) out = `…${out.slice(out.length - limits.maxChars)}`;
  return start > 0 ? `… ${start} earlier line${start === 1 ? "" : "s"} cut …\n${out}` : out;
}

/** Keeps the start of the text (a list, a diff), marking what was cut. */
export function trimHead(text: string, limits: TrimLimits): string {
  const body = text.replace(/\s+$/, "");
  const lines = body.split("\n");
  let kept = lines.slice(0, limits.maxLines);
  let out = kept.join("\n");
  if (out.length > limits.maxChars) {
    out = out.slice(0, limits.maxChars);
    const lastBreak = out.lastIndexOf("\n");
    if (lastBreak > 0) out = out.slice(0, lastBreak);
    kept = out.split("\n");
  }
  const cut = lines.length - kept.length;
  return cut > 0 ? `${out}\n… ${cut} more line${cut === 1 ? "" : "s"} cut …` : out;
}

/** Tool output's default size: about 5k tokens. */
export const DEFAULT_OUTPUT_CHARS = 20_000;

/**
 * Cuts the middle, keeping head and tail (errors and summaries tend to sit at either end):
 * tool output the model reads.
 */
export function truncateMiddle(text: string, maxChars = DEFAULT_OUTPUT_CHARS): string {
  if (text.length <= maxChars) return text;
  const head = Math.floor(maxChars * 0.4);
  const tail = maxChars - head;
  const cut = text.length - head - tail;
  const cutLines = text.slice(head, text.length - tail).split("\n").length - 1;
  return `${text.slice(0, head)}\n… ${cut} characters (${cutLines} lines) cut from the middle …\n${text.slice(text.length - tail)}`;
}

/** Empty output says so, instead of an empty string the model might misread. */
export function orEmpty(text: string, what = "output"): string {
  return text.trim() === "" ? `(no ${what})` : text;
}
