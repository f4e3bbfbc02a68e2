// The verdict's shapes: plain data (JSON-serialisable), so a job can store it and the
// renderers can turn it into a PR table or Check Run output. The computations over them
// live in verdict.ts, base-comparison.ts and repair-feedback.ts, which all import these.
import type { ModuleProblem } from "../golang/module-errors.js";
import type { TestRunReport } from "../golang/test-json.js";
import type { Finding } from "./findings.js";
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
  /**
   * Not red, but for the agent to look at in a repair round and for the reviewer to read: a new
   * test that passes without the change, an incompatible API change (evidence/).
   */
  warnings?: string[];
  /** An evidence row (evidence/): compared with the base itself; its details are shown even when it passes. */
  evidence?: boolean;
}

/** One linter finding. `file` is relative to the module directory, `/`-separated. */
export interface LintFinding {
  file: string;
  line: number;
  column?: number;
  linter: string;
  message: string;
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
  /** The services the job started for its Go runs, and how the integration tests fared (src/services/). */
  servicesRun?: {
    used: { service: string; label: string; startMs: number }[];
    problems: { service: string; kind: "not-installed" | "not-supported" | "failed"; reason: string }[];
    integration?: { tests: number; passed: number; failed: number; skipped: number };
    costMs: number;
  };
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

export interface Baseline {
  /** The base commit, abbreviated. */
  base: string;
  /** Per check: what fails on the base too. */
  preexisting: { check: string; findings: Finding[] }[];
  /** Per check: what fails on the base and no longer on the change. */
  fixed: { check: string; findings: Finding[] }[];
  /** Checks that could not run on the base, and why. */
  unavailable: { check: string; reason: string }[];
  durationMs: number;
}

/** One repair round, as the PR body and the check run tell it. */
export interface RepairRound {
  round: number;
  /** The checks that failed before the round, and after it. */
  before: string[];
  after: string[];
  /** Checks that failed before the round and pass after it. */
  fixed: string[];
  /** The round was for warnings only (evidence rows): nothing had failed. */
  warningsOnly?: boolean;
  /** Set when the agent's run stopped early (a budget ran out). */
  stopped?: string;
}
