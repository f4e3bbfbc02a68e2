// The parts of the verdict beside the table: the scope the checks covered, the repair rounds
// that ran, and the failures that were already on the base commit, set apart so a reviewer
// sees what the change did and what it found. Untrusted text is escaped as in the table.
import { repairLine } from "../../verify/repair-feedback.js";
import { scopeLine } from "../../verify/scope.js";
import type { Verdict } from "../../verify/verdict.js";

/** render-verdict's cell escaping, passed in (that module imports this one). */
type Escape = (text: string) => string;

export function scopeMarkdown(v: Verdict): string {
  if (!v.scope) return "";
  return `Scope: ${scopeLine({ ...v.scope })}.`;
}

export function repairsMarkdown(v: Verdict, escapeCell: Escape): string {
  if (!v.repairs?.length) return "";
  const n = v.repairs.length;
  return [
    `**Repair:** ${n} round${n === 1 ? "" : "s"} before publishing.`,
    ...v.repairs.map((r) => `- ${escapeCell(repairLine(r))}`),
  ].join("\n");
}

const MAX_LISTED = 30;

export function baselineMarkdown(v: Verdict, escapeCell: Escape): string {
  const b = v.baseline;
  if (!b) return "";
  const parts: string[] = [];
  const pre = b.preexisting.flatMap((p) => p.findings.map((f) => ({ check: p.check, f })));
  if (pre.length) {
    parts.push(
      `#### Pre-existing on ${escapeCell(b.base)} (not caused by this change)`,
      "",
      ...pre.slice(0, MAX_LISTED).map(({ check, f }) => `- ${escapeCell(check)}: ${escapeCell(f.label)}`),
    );
    if (pre.length > MAX_LISTED) parts.push(`- … and ${pre.length - MAX_LISTED} more`);
  }
  const fixed = b.fixed.flatMap((p) => p.findings.map((f) => ({ check: p.check, f })));
  if (fixed.length) {
    parts.push(
      "",
      `This change fixes ${fixed.length} pre-existing failure${fixed.length === 1 ? "" : "s"}:`,
      ...fixed.slice(0, MAX_LISTED).map(({ check, f }) => `- ${escapeCell(check)}: ${escapeCell(f.label)}`),
    );
  }
  for (const u of b.unavailable) {
    parts.push(
      "",
      `${escapeCell(u.check)} could not run on the base ${escapeCell(b.base)} (${escapeCell(u.reason)}), so its failures are counted as the change's.`,
    );
  }
  return parts.join("\n").trim();
}

/** Everything beside the table, in order; "" when there is nothing to add. */
export function verdictExtras(v: Verdict, escapeCell: Escape): string {
  return [scopeMarkdown(v), repairsMarkdown(v, escapeCell), baselineMarkdown(v, escapeCell)]
    .filter(Boolean)
    .join("\n\n");
}
