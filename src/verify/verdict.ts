// The bot's own verdict on a change: how the checks' statuses add up to one, in words.
// The shapes are in verdict-types.ts.
import type { Check, CheckStatus, LintFinding, Verdict } from "./verdict-types.js";

export type { Baseline, Check, CheckStatus, LintFinding, RepairRound, Verdict } from "./verdict-types.js";

export function lintFindingKey(f: LintFinding): string {
  return `${f.file}\0${f.linter}\0${f.message}`;
}

/** The findings of `current` the base did not already have (each base finding cancels one). */
export function newLintFindings(current: LintFinding[], base: LintFinding[]): LintFinding[] {
  const left = new Map<string, number>();
  for (const f of base) left.set(lintFindingKey(f), (left.get(lintFindingKey(f)) ?? 0) + 1);
  return current.filter((f) => {
    const n = left.get(lintFindingKey(f)) ?? 0;
    if (n > 0) left.set(lintFindingKey(f), n - 1);
    return n === 0;
  });
}

/** fail beats error (something is definitely wrong), error beats pass, all skipped is skipped. */
export function overallStatus(checks: Check[]): CheckStatus {
  if (checks.some((c) => c.status === "fail")) return "fail";
  if (checks.some((c) => c.status === "error")) return "error";
  if (checks.some((c) => c.status === "pass")) return "pass";
  return "skipped";
}

export function overallSummary(checks: Check[]): string {
  const names = (status: CheckStatus) => checks.filter((c) => c.status === status).map((c) => c.name);
  const failed = names("fail");
  const errored = names("error");
  const passed = names("pass");
  if (failed.length) {
    const extra = errored.length ? `; ${errored.join(", ")} could not run` : "";
    return `${failed.join(", ")} failed${extra}`;
  }
  if (errored.length) return `${errored.join(", ")} could not run`;
  if (passed.length) {
    return passed.length === 1 ? `${passed[0]} passed` : `all ${passed.length} checks passed`;
  }
  return "checks skipped";
}

export function skippedVerdict(
  reason: string,
  meta: { isolation: "bubblewrap" | "none"; goVersion?: string },
): Verdict {
  return { overall: "skipped", summary: reason, checks: [], durationMs: 0, ...meta };
}
