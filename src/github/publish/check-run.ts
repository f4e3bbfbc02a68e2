// The bot's verdict as a Check Run on the commit it pushed: one per job and commit. The
// run carries the job id as its `external_id`, so a publish that runs again (the job
// resumed after a crash) finds the run it made and updates it instead of adding a second.
import type { GitHubClient, RepoRef } from "../auth/client.js";

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  conclusion: "success" | "failure" | "neutral" | "skipped" | "action_required";
}

export const CHECK_NAME = "backend-go-agent / verify";

// GitHub caps each output field at 65535 characters.
const clip = (s: string | undefined) => (s && s.length > 65_000 ? `${s.slice(0, 65_000)}\n…(cut)` : s);

export async function publishCheckRun(
  gh: GitHubClient,
  repo: RepoRef,
  headSha: string,
  output: CheckRunOutput,
  opts: { externalId?: string; detailsUrl?: string } = {},
): Promise<number> {
  const fields = {
    status: "completed" as const,
    conclusion: output.conclusion,
    completed_at: new Date().toISOString(),
    details_url: opts.detailsUrl,
    output: { title: output.title, summary: clip(output.summary)!, text: clip(output.text) },
  };
  const existing = opts.externalId ? await findCheckRun(gh, repo, headSha, opts.externalId) : undefined;
  if (existing) {
    await gh.rest.checks.update({ ...repo, check_run_id: existing, ...fields });
    return existing;
  }
  const { data } = await gh.rest.checks.create({
    ...repo,
    name: CHECK_NAME,
    head_sha: headSha,
    ...(opts.externalId ? { external_id: opts.externalId } : {}),
    ...fields,
  });
  return data.id;
}

async function findCheckRun(
  gh: GitHubClient,
  repo: RepoRef,
  headSha: string,
  externalId: string,
): Promise<number | undefined> {
  const { data } = await gh.rest.checks.listForRef({
    ...repo,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: "all",
    per_page: 100,
  });
  return data.check_runs.find((r) => r.external_id === externalId)?.id;
}
