// The repository's own linter as a verification check: when the repository configures
// golangci-lint (.golangci.yml/.yaml/.toml/.json), the pinned golangci-lint v2 runs on the
// packages the change touched, in the sandbox and offline like every Go run. Its findings
// are one verdict row (file:line, the linter's name) and, as a failed check, feed repair.
// Findings are kept normalized (verdict.ts LintFinding) so a run on the base can subtract
// the ones that were there before the change (newLintFindings).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ToolAvailability } from "../golang/install-go-tools.js";
import { type GoInstallation, toolProcess } from "../golang/tool-sandbox.js";
import { runProcess } from "../process/run-process.js";
import { trimHead, trimTail } from "../text.js";
import { type CheckContext, DETAIL_LIMITS } from "./checks.js";
import { touchedPackages } from "./evidence/go-files.js";
import { CONFIG_LOAD_ERROR, lintConfig } from "./golangci-config.js";
import type { Check, LintFinding } from "./verdict.js";
import type { CustomCheck } from "./verify.js";

export const GOLANGCI_LINT_CHECK = "golangci-lint";
export const GOLANGCI_CONFIG_FILES = [".golangci.yml", ".golangci.yaml", ".golangci.toml", ".golangci.json"];

export type GolangciLintMode = "off" | "on" | "auto";

export interface GolangciLintOptions {
  go: GoInstallation;
  /** The binary (installing it on first need), or why there is none. */
  golangciLint: () => Promise<ToolAvailability>;
  /** Whether the binary is there already; when not, the progress line says it is being installed. */
  installed?: () => boolean;
  /** `verify.golangci_lint`: auto runs it when the repository configures it. */
  mode: GolangciLintMode;
  /** golangci-lint's analysis cache, shared between jobs. */
  cacheDir?: string;
}

/** The configuration file golangci-lint will read (the module's, else the checkout root's). */
export function golangciConfig(dir: string, root: string): string | undefined {
  for (const base of dir === root ? [dir] : [dir, root]) {
    for (const name of GOLANGCI_CONFIG_FILES) {
      if (existsSync(join(base, name))) return join(base, name);
    }
  }
  return undefined;
}

/**
 * What golangci-lint covers: the packages the change touched, or the whole module when go.mod,
 * go.sum or go.work changed (every package's build may have) or no change list is given.
 */
export function lintPackages(dir: string, changed: string[] | undefined): string[] {
  if (!changed) return ["./..."];
  if (changed.some((f) => /(^|\/)go\.(mod|sum|work)$/.test(f))) return ["./..."];
  return touchedPackages(dir, changed);
}

interface JsonIssue {
  FromLinter?: string;
  Text?: string;
  Pos?: { Filename?: string; Line?: number; Column?: number };
}

/** golangci-lint's JSON report as findings; undefined when stdout is not one. */
export function parseGolangciJson(stdout: string): LintFinding[] | undefined {
  const start = stdout.indexOf("{");
  if (start < 0) return undefined;
  try {
    const report = JSON.parse(stdout.slice(start)) as { Issues?: JsonIssue[] | null };
    return (report.Issues ?? []).map((i) => ({
      file: (i.Pos?.Filename ?? "").split("\\").join("/"),
      line: i.Pos?.Line ?? 0,
      ...(i.Pos?.Column ? { column: i.Pos.Column } : {}),
      linter: i.FromLinter ?? "unknown",
      message: i.Text ?? "",
    }));
  } catch {
    return undefined;
  }
}

function configError(stderr: string): string {
  const line = stderr.split("\n").find((l) => CONFIG_LOAD_ERROR.test(l)) ?? "";
  return line
    .replace(/^(Error|The command is terminated due to an error):\s*/, "")
    .trim()
    .slice(0, 200);
}

export function formatFinding(f: LintFinding): string {
  return `${f.file}:${f.line}${f.column ? `:${f.column}` : ""}: ${f.message} (${f.linter})`;
}

function scopeOf(packages: string[]): string {
  if (packages.includes("./...")) return "the module";
  return packages.length === 1 ? packages[0]! : `${packages.length} packages`;
}

function countsByLinter(findings: LintFinding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.linter, (counts.get(f.linter) ?? 0) + 1);
  return [...counts].map(([linter, n]) => `${linter} ×${n}`).join(", ");
}

export function golangciLintCheck(options: GolangciLintOptions): CustomCheck {
  return {
    name: GOLANGCI_LINT_CHECK,
    async run(ctx: CheckContext): Promise<Check> {
      const name = GOLANGCI_LINT_CHECK;
      const skipped = (summary: string): Check => ({ name, status: "skipped", summary, details: "" });
      const config = golangciConfig(ctx.dir, ctx.root);
      if (options.mode === "off") return skipped("off (verify.golangci_lint)");
      if (!config && options.mode === "auto") return skipped("no golangci-lint configuration");
      const packages = lintPackages(ctx.dir, ctx.changedFiles);
      if (packages.length === 0) return skipped("no Go package changed");
      // The first job after a fresh install waits for the build: said, not a silent "Verifying…".
      if (options.installed && !options.installed()) ctx.onProgress?.("installing golangci-lint (first use)");
      const found = await options.golangciLint();
      if (!found.ok) {
        // Configured but not runnable here: said plainly, without blocking the change.
        return {
          name,
          status: options.mode === "on" ? "error" : "skipped",
          summary: found.reason,
          details: "",
        };
      }
      const tool = { name: found.tool.name, version: found.tool.version };
      const cfg = await lintConfig(config, options.go, found.tool.path, ctx.signal);
      if (cfg.kind === "unusable") return { ...skipped(cfg.note), tool, note: cfg.note };
      const args = [
        "run",
        "--output.json.path=stdout",
        "--show-stats=false",
        "--max-issues-per-linter=0",
        "--max-same-issues=0",
        ...(cfg.path ? [`--config=${cfg.path}`] : []),
        "--",
        ...packages,
      ];
      const command = `golangci-lint ${args.filter((a) => !a.startsWith("--config=")).join(" ")}`;
      const migrated = cfg.kind === "migrated" ? cfg : undefined;
      let res: Awaited<ReturnType<typeof runProcess>>;
      try {
        const proc = await toolProcess(options.go, {
          binary: found.tool.path,
          args,
          root: ctx.root,
          cwd: ctx.dir,
          writable: [...(options.cacheDir ? [options.cacheDir] : []), ...(migrated ? [migrated.dir] : [])],
          env: options.cacheDir ? { GOLANGCI_LINT_CACHE: options.cacheDir } : {},
        });
        try {
          res = await runProcess(
            { command: proc.command, args: proc.args, env: proc.env, outputCap: 16 * 1024 * 1024 },
            { cwd: proc.cwd, timeoutMs: ctx.timeoutMs, signal: ctx.signal },
          );
        } finally {
          await proc.cleanup();
        }
      } finally {
        await migrated?.cleanup();
      }
      const note = migrated ? { note: migrated.note } : {};
      const said = migrated ? " (v1 configuration migrated)" : "";
      const base = { name, command, durationMs: res.durationMs, tool, ...note };
      const output = trimTail(`${res.stderr}`, DETAIL_LIMITS);
      if (res.timedOut) {
        return { ...base, status: "error", timedOut: true, summary: "timed out (killed)", details: output };
      }
      if (res.aborted) return { ...base, status: "error", summary: "aborted", details: output };
      const findings = res.exitCode === 0 || res.exitCode === 1 ? parseGolangciJson(res.stdout) : undefined;
      if (!findings && CONFIG_LOAD_ERROR.test(res.stderr)) {
        // The repository's configuration, not the change: a note, and no lint this time.
        const why = `golangci-lint cannot load the configuration (${configError(res.stderr)}); not linted`;
        return { ...base, status: "skipped", summary: why, details: output, note: why };
      }
      if (!findings) {
        // Exit 3 and the like: a failed package load. Compared with the base like any failure.
        return {
          ...base,
          status: "error",
          summary: `golangci-lint could not run (exit ${res.exitCode ?? "killed"})`,
          details: output,
        };
      }
      if (findings.length === 0) {
        return {
          ...base,
          status: "pass",
          summary: `no findings in ${scopeOf(packages)}${said}`,
          details: "",
          findings: [],
          lintFindings: findings,
        };
      }
      return {
        ...base,
        status: "fail",
        summary: `${findings.length} finding${findings.length === 1 ? "" : "s"}: ${countsByLinter(findings)}${said}`,
        details: trimHead(findings.map(formatFinding).join("\n"), DETAIL_LIMITS),
        // Keyed without the line, so the base comparison sets apart what the base already had.
        findings: findings.map((f) => ({
          key: `lint ${f.file}: ${f.message} (${f.linter})`,
          label: formatFinding(f),
        })),
        lintFindings: findings,
      };
    },
  };
}
