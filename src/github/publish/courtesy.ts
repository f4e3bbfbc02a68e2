// The pull request (or the report comment) is the product; the check run, labels,
// reviewers and the needs-info label are courtesies around it. Each courtesy runs on its
// own: a failure is logged, named once where people look, and never fails the job.
import { statusOf } from "../auth/client.js";

export interface Courtesy {
  /** What is not done when it fails, e.g. "check run not created". */
  failure: string;
  /** The installation permission it needs, e.g. "Checks (write)". */
  permission: string;
  run(): Promise<unknown>;
}

export interface CourtesyFailure {
  courtesy: Courtesy;
  error: unknown;
}

/** Runs every courtesy, one after another (GitHub spaces an installation's writes anyway). */
export async function runCourtesies(
  courtesies: Courtesy[],
  onFailure: (failure: CourtesyFailure) => void,
): Promise<CourtesyFailure[]> {
  const failures: CourtesyFailure[] = [];
  for (const courtesy of courtesies) {
    try {
      await courtesy.run();
    } catch (error) {
      const failure = { courtesy, error };
      failures.push(failure);
      onFailure(failure);
    }
  }
  return failures;
}

/** "check run not created: GitHub answered 403 — approve the Checks (write) permission…" */
export function describeFailure({ courtesy, error }: CourtesyFailure): string {
  const status = statusOf(error);
  if (status === 403 || status === 401) {
    return `${courtesy.failure}: GitHub answered ${status} — approve the ${courtesy.permission} permission for this installation`;
  }
  if (status === 404) {
    return `${courtesy.failure}: GitHub answered 404 — this GitHub may not offer it, or the installation lacks the ${courtesy.permission} permission`;
  }
  if (status !== undefined) return `${courtesy.failure}: GitHub answered ${status}`;
  return `${courtesy.failure}: ${(error as Error)?.message ?? String(error)}`;
}

/** A GitHub note listing what was not done, for the PR body or a comment. */
export function renderCourtesyFailures(failures: CourtesyFailure[]): string {
  if (failures.length === 0) return "";
  return ["> [!NOTE]", "> Not done:", ...failures.map((f) => `> - ${describeFailure(f)}`)].join("\n");
}
