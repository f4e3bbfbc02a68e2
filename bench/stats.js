// Percentiles and the results table.

/** Nearest-rank percentile of an unsorted list (p in 0..100). */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (values) => percentile(values, 50);
export const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

export function fmtMs(v) {
  if (!Number.isFinite(v)) return "—";
  return v >= 10_000
    ? `${(v / 1000).toFixed(1)} s`
    : v >= 1000
      ? `${(v / 1000).toFixed(2)} s`
      : `${v.toFixed(1)} ms`;
}

/**
 * One row: what was measured, the app's value, the baseline's, the ratio (or share), the
 * target and whether it was met. `better` says which way is good ("lower" or "higher").
 */
export function row(what, app, baseline, value, target, better = "lower") {
  const met = better === "lower" ? value <= target : value >= target;
  return { what, app, baseline, value, target: `${better === "lower" ? "≤" : "≥"} ${target}`, met };
}

/** A Markdown table with padded columns, as Biome formats Markdown (bench/** is linted). */
export function renderTable(rows) {
  const head = ["measure", "app", "baseline", "ratio / value", "target", "met"];
  const body = rows.map((r) => [
    r.what,
    r.app,
    r.baseline,
    typeof r.value === "number" ? r.value.toFixed(2) : r.value,
    r.target,
    r.met ? "yes" : "**no**",
  ]);
  return renderGrid(head, body);
}

/** Any Markdown table of strings, padded the same way. */
export function renderGrid(head, body) {
  const len = (text) => [...text].length;
  const widths = head.map((h, c) => Math.max(len(h), 3, ...body.map((cells) => len(cells[c]))));
  const line = (cells) => `| ${cells.map((x, c) => x + " ".repeat(widths[c] - len(x))).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
