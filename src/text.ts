// Output shortening with a visible marker, so a reader (or the model) knows text was cut.

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
