// Plots drawn as SVG on the server: no script, no external library, a text alternative
// (title and a table beside them) for screen readers.
import { html, type SafeHtml } from "../html.js";
import { duration, usd } from "./format.js";
import type { StepTime } from "./journal-view.js";

/** Horizontal bars: time per step. */
export function stepPlot(steps: readonly StepTime[]): SafeHtml {
  if (steps.length === 0) return html``;
  const max = Math.max(1, ...steps.map((s) => s.ms));
  const row = 26;
  const width = 600;
  const label = 110;
  return html`<svg class="plot" viewBox="0 0 ${width} ${steps.length * row + 8}" role="img" aria-labelledby="steps-title">
<title id="steps-title">Time per step</title>
${steps.map((s, i) => {
  const w = Math.max(2, ((width - label - 110) * s.ms) / max);
  return html`<g transform="translate(0 ${i * row + 4})"><text x="0" y="16">${s.step}</text><rect x="${label}" y="3" width="${w.toFixed(1)}" height="16" class="bar"></rect><text x="${(label + w + 6).toFixed(1)}" y="16">${duration(s.ms)}</text></g>`;
})}
</svg>`;
}

export interface DayPoint {
  /** YYYY-MM-DD (UTC). */
  day: string;
  costUsd: number;
  passed: number;
  failed: number;
}

/** Columns per day: cost as the bar, passed and failed jobs as the count below it. */
export function daysPlot(days: readonly DayPoint[]): SafeHtml {
  if (days.length === 0) return html``;
  const max = Math.max(0.0001, ...days.map((d) => d.costUsd));
  const col = 44;
  const height = 150;
  return html`<svg class="plot" viewBox="0 0 ${days.length * col + 4} ${height + 44}" role="img" aria-labelledby="days-title">
<title id="days-title">Cost and passed/failed jobs per day</title>
${days.map((d, i) => {
  const h = Math.max(1, ((height - 20) * d.costUsd) / max);
  return html`<g transform="translate(${i * col + 4} 0)"><rect x="4" y="${(height - h).toFixed(1)}" width="${col - 12}" height="${h.toFixed(1)}" class="bar"><title>${d.day}: ${usd(d.costUsd)}</title></rect>${d.costUsd > 0 ? html`<text x="2" y="${(height - h - 4).toFixed(1)}" class="small">${usd(d.costUsd)}</text>` : ""}<text x="2" y="${height + 14}" class="small">${d.day.slice(5)}</text><text x="2" y="${height + 28}" class="small"><tspan class="pass">${d.passed}✓</tspan> <tspan class="fail">${d.failed}✗</tspan></text></g>`;
})}
</svg>`;
}
