// The bot's verdict as a Check Run on the commit it pushed.
import type { GitHubClient, RepoRef } from "./client.js";

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
  detailsUrl?: string,
): Promise<number> {
  const { data } = await gh.rest.checks.create({
    ...repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: "completed",
    conclusion: output.conclusion,
    completed_at: new Date().toISOString(),
    details_url: detailsUrl,
    output: { title: output.title, summary: clip(output.summary)!, text: clip(output.text) },
  });
  return data.id;
}
