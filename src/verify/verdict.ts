// The bot's own verdict on a change: what it checked and what it found. Plain data (JSON-
// serialisable), so a job can store it and the renderers can turn it into a PR table or
// Check Run output.
import type { ModuleProblem } from "../golang/module-errors.js";
import type { TestRunReport } from "../golang/test-json.js";
import type { Baseline } from "./base-comparison.js";
import type { Finding } from "./findings.js";
import type { RepairRound } from "./repair-feedback.js";
import type { ServiceNeed } from "./service-needs.js";

export type CheckStatus = "pass" | "fail" | "error" | "skipped";

export interface Check {
  /** "gofmt", "go vet", "go build", "go test", "go mod download", or a repository command. */
  name: string;
  /** fail: the change is at fault; error: the check could not run (network, toolchain, abort). */
  status: CheckStatus;
  /** One line for a table cell. */
  summary: string;
  /** Plain text (compiler output, failing tests, a diff), already trimmed; "" when nothing to add. */
  details: string;
  /** The command as run, for reproducing it locally. */
  command?: string;
  durationMs?: number;
  /** The check was stopped at its time limit. */
  timedOut?: boolean;
  /** Modules that could not be had, when that is why the check did not pass. */
  moduleProblems?: ModuleProblem[];
  /** What failed, normalized for comparison with the base (see findings.ts); the change's own when compared. */
  findings?: Finding[];
  /** A linter's findings (golangci-lint) with their positions; `findings` holds them keyed. */
  lintFindings?: LintFinding[];
  /** The installed tool that ran the check, for the verdict's footer. */
  tool?: { name: string; version: string };
  /** It could not run, the same way on the base commit: skipped, not the change's (base-comparison.ts). */
  preexisting?: boolean;
  /** Something to know that blames nobody (a lint configuration migrated or not loadable). */
  note?: string;
}

/** One linter finding. `file` is relative to the module directory, `/`-separated. */
export interface LintFinding {
  file: string;
  line: number;
  column?: number;
  linter: string;
  message: string;
}

/** Same file, linter and message: lines move when code is added above, the finding does not. */
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

export interface Verdict {
  overall: CheckStatus;
  /** One line: "all 4 checks passed", "go test failed", "not a Go module — checks skipped". */
  summary: string;
  checks: Check[];
  /** The parsed `go test -json` run, when tests ran. */
  tests?: TestRunReport;
  /**
   * Tests that need a database or broker the sandbox does not have (behind a build tag,
   * skipped for an unset variable, or testcontainers without Docker): not run, so not passed.
   */
  services?: ServiceNeed[];
  isolation: "bubblewrap" | "none";
  goVersion?: string;
  durationMs: number;
  /**
   * Files under the checkout root that verification itself created, changed or removed
   * (tests writing files): not the agent's work, so not for the commit.
   */
  leftovers?: string[];
  /** Failures that were there on the base commit already, set apart (base-comparison.ts). */
  baseline?: Baseline;
  /** Repair rounds the agent was given before this verdict (verify-and-repair.ts). */
  repairs?: RepairRound[];
  /** Which packages the Go checks covered (scope.ts). */
  scope?: { tested: number; total: number; mode: "affected" | "all" };
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
