// What the agent is told after a red verdict: the failures the change introduced (never the
// pre-existing ones), in the words of the checks, clipped, with what to do next.
import { trimTail } from "../text.js";
import type { Check, RepairRound, Verdict } from "./verdict-types.js";

export type { RepairRound };

const EACH = { maxLines: 60, maxChars: 6000 };
const TOTAL = { maxLines: 400, maxChars: 30_000 };

/** The checks that fail because of the change: what a repair round works on. */
export function introducedFailures(verdict: Verdict): Check[] {
  return verdict.checks.filter((c) => c.status === "fail");
}

function checkSection(c: Check): string {
  const lines = [`### ${c.name}${c.command ? ` (\`${c.command}\`)` : ""}: ${c.summary}`];
  const findings = c.findings ?? [];
  if (findings.length) {
    for (const f of findings) {
      lines.push(`- ${f.label}`);
      if (f.detail?.trim()) lines.push(`\`\`\`\n${trimTail(f.detail, EACH)}\n\`\`\``);
    }
  } else if (c.details.trim()) {
    lines.push(`\`\`\`\n${trimTail(c.details, EACH)}\n\`\`\``);
  }
  return lines.join("\n");
}

/**
 * What the evidence rows want the agent to look at without failing the verdict (a new test that
 * passes without the change, an exported API the change breaks), one line each.
 */
export function verdictWarnings(verdict: Verdict): string[] {
  return verdict.checks.flatMap((c) => (c.warnings ?? []).map((w) => `${c.name}: ${w}`));
}

export function repairMessage(
  verdict: Verdict,
  round: number,
  rounds: number,
  warnings: string[] = verdictWarnings(verdict),
): string {
  const failing = introducedFailures(verdict);
  const parts = failing.length
    ? [
        `Verification of your change failed (repair round ${round} of ${rounds}). These failures are caused by your change; fix them, run the failing checks again yourself, then reply with your complete report again (every required section).`,
        ...failing.map(checkSection),
      ]
    : [
        `Verification of your change passed, with warnings a reviewer will see (repair round ${round} of ${rounds}). Address them, or say in your report why they do not apply; then reply with your complete report again (every required section).`,
      ];
  if (warnings.length) parts.push(["### Warnings", ...warnings.map((w) => `- ${w}`)].join("\n"));
  const pre = verdict.baseline?.preexisting ?? [];
  if (pre.length) {
    parts.push(
      `Failures that are already on the base commit ${verdict.baseline!.base} are not yours and are not listed; leave them alone unless the task is about them.`,
    );
  }
  return trimTail(parts.join("\n\n"), TOTAL);
}

/** One line per round for the PR body and the check run. */
export function repairLine(r: RepairRound): string {
  const stopped = r.stopped ? ` (stopped: ${r.stopped})` : "";
  if (r.warningsOnly) {
    const done = r.fixed.length ? `resolved ${r.fixed.join(", ")}` : "resolved nothing";
    const left = r.after.length ? `; still warning: ${r.after.join(", ")}` : "; no warning left";
    return `Round ${r.round}: ${r.before.join(", ")} warned → ${done}${left}${stopped}`;
  }
  const fixed = r.fixed.length ? `fixed ${r.fixed.join(", ")}` : "fixed nothing";
  const left = r.after.length ? `; still failing: ${r.after.join(", ")}` : "; all checks pass";
  return `Round ${r.round}: ${r.before.join(", ")} failed → ${fixed}${left}${stopped}`;
}
