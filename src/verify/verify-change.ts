// The verdict on a change to a whole checkout: every Go module the change touches is verified
// in its own directory (with its go.work, vendor/ and scope), each compared with the base
// commit, and the results joined into one verdict. A repository without a go.mod at its root
// (one module per service) is verified like any other; rows name their module only when the
// change touched more than one.
import { relative, resolve } from "node:path";
import type { TestRunReport } from "../golang/test-json.js";
import type { Toolchain } from "../golang/toolchain.js";
import { type Baseline, compareWithBase } from "./base-comparison.js";
import { type EvidenceSettings, type EvidenceTools, gatherEvidence } from "./evidence/evidence.js";
import { modulesOfChange } from "./go-modules.js";
import { affectedScope, type ScopeMode } from "./scope.js";
import { serviceSummary } from "./service-needs.js";
import { overallStatus, overallSummary, skippedVerdict, type Verdict } from "./verdict.js";
import { type BuiltinCheck, type CustomCheck, isGoRelevant, NO_GO_CHANGE, verify } from "./verify.js";

export interface VerifyChangeOptions {
  toolchain: Toolchain;
  /** The checkout: the git repository holding baseSha. */
  root: string;
  baseSha: string;
  /** Files the change touches, relative to root. */
  changed: string[];
  scopeMode?: ScopeMode;
  checks?: BuiltinCheck[];
  extraChecks?: CustomCheck[];
  timeoutMs?: number;
  /** The evidence rows (fail → pass, -race, exported API); none when absent. */
  evidence?: EvidenceSettings;
  /** Tools the evidence rows use beyond go (benchstat). */
  evidenceTools?: EvidenceTools;
  signal?: AbortSignal;
  onProgress?: (detail: string) => void;
}

/** One module's verdict, compared with the base. */
async function verifyModule(o: VerifyChangeOptions, dir: string, files: string[]): Promise<Verdict> {
  const root = resolve(o.root);
  const rel = relative(root, dir);
  const progress = o.onProgress && (rel ? (d: string) => o.onProgress!(`${rel}: ${d}`) : o.onProgress);
  const goChange = files.some((f) => isGoRelevant(relative(dir, f)));
  const scope = goChange
    ? await affectedScope(o.toolchain, dir, files, {
        root,
        ...(o.scopeMode ? { mode: o.scopeMode } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      })
    : undefined;
  const common = {
    dir,
    root,
    ...(scope?.packages ? { packages: scope.packages } : {}),
    ...(scope?.packages && scope.buildable ? { buildPackages: scope.buildable } : {}),
    ...(scope?.notBuilt ? { notBuilt: scope.notBuilt } : {}),
    ...(o.checks ? { checks: o.checks } : {}),
    ...(o.extraChecks ? { extraChecks: o.extraChecks } : {}),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(progress ? { onProgress: progress } : {}),
  };
  const verdict = await verify(o.toolchain, { ...common, changedFiles: files });
  if (scope && verdict.checks.length)
    verdict.scope = { tested: scope.tested, total: scope.total, mode: scope.mode };
  const compared = await compareWithBase(o.toolchain, verdict, {
    ...common,
    repoDir: root,
    baseSha: o.baseSha,
  });
  if (!o.evidence || !scope || compared.checks.length === 0) return compared;
  const evidence = await gatherEvidence({
    toolchain: o.toolchain,
    root,
    dir,
    repoDir: root,
    baseSha: o.baseSha,
    changed: files,
    ...(scope.packages ? { packages: scope.packages } : {}),
    settings: o.evidence,
    ...(o.evidenceTools ? { tools: o.evidenceTools } : {}),
    testsPass: compared.checks.some((c) => c.name === "go test" && c.status === "pass"),
    timeoutMs: o.timeoutMs ?? EVIDENCE_TIMEOUT_MS,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(progress ? { onProgress: progress } : {}),
  });
  if (evidence.length === 0) return compared;
  const checks = [...compared.checks, ...evidence];
  const pre = compared.baseline?.preexisting.reduce((n, p) => n + p.findings.length, 0) ?? 0;
  const services = compared.services?.length ? `; ${serviceSummary(compared.services)}` : "";
  const summary = `${overallSummary(checks)}${services}`;
  return {
    ...compared,
    checks,
    overall: overallStatus(checks),
    summary: pre ? `${summary}; ${pre} pre-existing on ${compared.baseline!.base} set apart` : summary,
    durationMs: compared.durationMs + evidence.reduce((n, c) => n + (c.durationMs ?? 0), 0),
  };
}

const EVIDENCE_TIMEOUT_MS = 10 * 60_000;

/** The verdict on the change, or undefined when it changed nothing. */
export async function verifyChange(o: VerifyChangeOptions): Promise<Verdict | undefined> {
  if (o.changed.length === 0) return undefined;
  const root = resolve(o.root);
  const modules = modulesOfChange(root, o.changed);
  if (modules.size === 0) {
    const meta = {
      isolation: o.toolchain.isolation,
      goVersion: "goVersion" in o.toolchain ? String(o.toolchain.goVersion) : undefined,
    };
    if (!o.changed.some(isGoRelevant)) return skippedVerdict(NO_GO_CHANGE, meta);
    // Go outside every module: verify() at the root says which.
    return verify(o.toolchain, { dir: root, root, changedFiles: o.changed });
  }
  const verdicts: [string, Verdict][] = [];
  for (const [dir, files] of [...modules].sort(([a], [b]) => a.localeCompare(b))) {
    verdicts.push([relative(root, dir) || ".", await verifyModule(o, dir, files)]);
  }
  return joinVerdicts(verdicts);
}

function joinTests(reports: TestRunReport[]): TestRunReport | undefined {
  if (reports.length <= 1) return reports[0];
  const totals = { packages: 0, passedPackages: 0, failedPackages: 0, passed: 0, failed: 0, skipped: 0 };
  for (const r of reports)
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r.totals[k];
  return {
    packages: reports.flatMap((r) => r.packages),
    totals,
    errors: reports.flatMap((r) => r.errors),
  };
}

/** One verdict from each module's; a module whose part was skipped adds nothing when others ran. */
export function joinVerdicts(parts: [string, Verdict][]): Verdict {
  const ran = parts.filter(([, v]) => v.checks.length > 0);
  if (ran.length === 0) return parts[0]![1];
  if (ran.length === 1) return ran[0]![1];
  const named = (mod: string, name: string) => `${name} (${mod})`;
  const checks = ran.flatMap(([mod, v]) => v.checks.map((c) => ({ ...c, name: named(mod, c.name) })));
  const withBase = ran.filter(([, v]) => v.baseline);
  const baseline: Baseline | undefined = withBase.length
    ? {
        base: withBase[0]![1].baseline!.base,
        preexisting: withBase.flatMap(([m, v]) =>
          v.baseline!.preexisting.map((p) => ({ ...p, check: named(m, p.check) })),
        ),
        fixed: withBase.flatMap(([m, v]) =>
          v.baseline!.fixed.map((p) => ({ ...p, check: named(m, p.check) })),
        ),
        unavailable: withBase.flatMap(([m, v]) =>
          v.baseline!.unavailable.map((p) => ({ ...p, check: named(m, p.check) })),
        ),
        durationMs: withBase.reduce((n, [, v]) => n + v.baseline!.durationMs, 0),
      }
    : undefined;
  const tests = joinTests(ran.flatMap(([, v]) => (v.tests ? [v.tests] : [])));
  const services = ran.flatMap(([, v]) => v.services ?? []);
  const leftovers = [...new Set(ran.flatMap(([, v]) => v.leftovers ?? []))];
  const scopes = ran.flatMap(([, v]) => (v.scope ? [v.scope] : []));
  const pre = baseline?.preexisting.reduce((n, p) => n + p.findings.length, 0) ?? 0;
  const summary = overallSummary(checks);
  const first = ran[0]![1];
  return {
    overall: overallStatus(checks),
    summary: `${summary} in ${ran.length} modules${pre ? `; ${pre} pre-existing on ${baseline!.base} set apart` : ""}`,
    checks,
    ...(tests ? { tests } : {}),
    ...(services.length ? { services } : {}),
    isolation: first.isolation,
    ...(first.goVersion ? { goVersion: first.goVersion } : {}),
    durationMs: ran.reduce((n, [, v]) => n + v.durationMs, 0),
    ...(leftovers.length ? { leftovers } : {}),
    ...(baseline ? { baseline } : {}),
    ...(scopes.length
      ? {
          scope: {
            tested: scopes.reduce((n, s) => n + s.tested, 0),
            total: scopes.reduce((n, s) => n + s.total, 0),
            mode: scopes.every((s) => s.mode === "all") ? ("all" as const) : ("affected" as const),
          },
        }
      : {}),
  };
}
