// What the verdict says about services: which ran (name, version), what they cost, how the
// integration tests fared, or why they did not run. Where the repository declared nothing but
// the tests need a service this app starts, the "integration tests" row suggests the key to add.
import { SERVICE_NAMES, type ServiceName } from "../repo/config-schema.js";
import type { ServiceNeed } from "../verify/service-needs.js";
import { type Check, overallStatus, type Verdict } from "../verify/verdict.js";
import { SERVICES_CHECK } from "../verify/verify.js";
import { countIntegration, type IntegrationCount, taggedTests } from "./integration-tests.js";
import { type JobServices, SERVICE_LABELS, type ServiceProblem, type ServiceUse } from "./services.js";

/** The verdict row for the services themselves. */
export const SERVICES_ROW = "services";

/** What ran, kept on the verdict for the renderers and the job record. */
export interface ServicesReport {
  used: ServiceUse[];
  problems: ServiceProblem[];
  integration?: IntegrationCount;
  /** Starting the services (and stopping them, when known). */
  costMs: number;
}

/** service-needs.ts's names of the services this app starts. */
const NEED_TO_SERVICE = new Map<string, ServiceName>(
  SERVICE_NAMES.map((name) => [SERVICE_LABELS[name], name] as const),
);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "3 tests need PostgreSQL: add `verify.services: [postgres]` and `verify.tags: [integration]` to run them" */
export function servicesSuggestion(needs: readonly ServiceNeed[]): string | undefined {
  const counts = new Map<ServiceName, number>();
  const tags = new Set<string>();
  for (const n of needs) {
    const service = NEED_TO_SERVICE.get(n.service);
    if (!service) continue;
    counts.set(service, (counts.get(service) ?? 0) + n.tests.length);
    if (n.kind === "build-tag")
      for (const t of /build tag ([\w.,\s]+?) \(/.exec(n.why)?.[1]?.split(/,\s*/) ?? []) tags.add(t);
  }
  if (counts.size === 0) return undefined;
  const ordered = SERVICE_NAMES.filter((s) => counts.has(s)).map((s) => [s, counts.get(s)!] as const);
  const who = ordered
    .map(([s, n]) => `${plural(n, "test")} need${n === 1 ? "s" : ""} ${SERVICE_LABELS[s]}`)
    .join(", ");
  const tagKey = tags.size ? ` and \`verify.tags: [${[...tags].join(", ")}]\`` : "";
  return `${who}: add \`verify.services: [${ordered.map(([s]) => s).join(", ")}]\`${tagKey} to run them`;
}

function servicesRow(report: ServicesReport): Check {
  const failed = report.problems.filter((p) => p.kind === "failed");
  const missing = report.problems.filter((p) => p.kind !== "failed");
  const used = report.used.map((u) => u.label).join(", ");
  const it = report.integration;
  const ran = it
    ? `integration tests: ${[
        `${it.passed} passed`,
        it.failed ? `${it.failed} failed` : "",
        it.skipped ? `${it.skipped} skipped` : "",
      ]
        .filter(Boolean)
        .join(", ")}`
    : "";
  const parts = [
    used ? `${used} for this job (${seconds(report.costMs)})` : "",
    ...report.problems.map((p) => p.reason),
    ran,
    report.problems.length ? "tests that need them are skipped, not passed" : "",
  ].filter(Boolean);
  return {
    name: SERVICES_ROW,
    // A service that would not start is no fault of the change: it could not run, as a check that errs.
    status: failed.length ? "error" : missing.length ? "skipped" : "pass",
    summary: parts.join("; "),
    details: [
      ...report.used.map((u) => `${u.label}: ready in ${seconds(u.startMs)}`),
      ...report.problems.map((p) => p.reason),
    ].join("\n"),
    durationMs: report.costMs,
  };
}

export interface ReportServicesOptions {
  /** The checkout root: where the tagged tests are found. */
  root: string;
  /** Whether the repository declared any service. */
  declared: boolean;
  tags: readonly string[];
  job?: Pick<JobServices, "used" | "problems">;
  costMs: number;
}

/** The verdict with its services row (or its suggestion); unchanged when neither applies. */
export async function reportServices(
  verdict: Verdict | undefined,
  o: ReportServicesOptions,
): Promise<Verdict | undefined> {
  if (!verdict || verdict.checks.length === 0) return verdict;
  if (!o.declared) {
    const suggestion = servicesSuggestion(verdict.services ?? []);
    if (!suggestion) return verdict;
    const checks = verdict.checks.map((c) =>
      c.name.endsWith(SERVICES_CHECK) ? { ...c, summary: `${c.summary} — ${suggestion}` } : c,
    );
    return { ...verdict, checks };
  }
  const report: ServicesReport = {
    used: [...(o.job?.used ?? [])],
    problems: [...(o.job?.problems ?? [])],
    costMs: o.costMs,
  };
  const integration = countIntegration(await taggedTests(o.root, o.tags), verdict.tests);
  if (integration) report.integration = integration;
  const row = servicesRow(report);
  const checks = [...verdict.checks, row];
  const overall = overallStatus(checks);
  const summary = row.status === "pass" ? verdict.summary : `${verdict.summary}; ${row.summary}`;
  return { ...verdict, checks, overall, summary, servicesRun: report };
}
