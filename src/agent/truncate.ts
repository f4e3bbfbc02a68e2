// Tool output is cut in the middle, keeping head and tail (errors and summaries tend to
// sit at either end), with a marker saying how much was cut.

export const DEFAULT_OUTPUT_CHARS = 20_000;

export function truncateMiddle(text: string, maxChars = DEFAULT_OUTPUT_CHARS): string {
  if (text.length <= maxChars) return text;
  const head = Math.floor(maxChars * 0.4);
  const tail = maxChars - head;
  const cut = text.length - head - tail;
  const cutLines = text.slice(head, text.length - tail).split("\n").length - 1;
  return `${text.slice(0, head)}\n[... ${cut} characters (${cutLines} lines) cut from the middle ...]\n${text.slice(text.length - tail)}`;
}

/** Empty output says so, instead of an empty string the model might misread. */
export function orEmpty(text: string, what = "output"): string {
  return text.trim() === "" ? `(no ${what})` : text;
}
