// What a ci_failure job reads about the failing check: its name and conclusion, its output
// (title, summary, text), its annotations (path, line, message) and, for GitHub Actions when
// the installation may read Actions (`actions: read`), the failed step's log, clipped to its
// end where the error is. Untrusted material: whoever wrote the workflow wrote all of it.
import type { CiFailureTrigger } from "../../pipeline/task.js";
import { trimTail } from "../../text.js";
import { capText, sanitizeUntrusted } from "../../triggers/sanitize.js";
import { type GitHubClient, type RepoRef, statusOf } from "../auth/client.js";

export interface CheckMaterial {
  text: string;
  paths: string[];
}

export interface CheckMaterialOptions {
  maxOutputChars?: number;
  maxAnnotations?: number;
  maxLogLines?: number;
  maxLogChars?: number;
}

const neutralise = (text: string) =>
  text.replace(/<(\/?)(failing_check|check_output|annotation|failed_step_log)\b/gi, "<$1 $2");
const attr = (text: string) => neutralise(text).replace(/"/g, "'");
const clean = (text: string | null | undefined, max: number) =>
  neutralise(capText(sanitizeUntrusted(text), max));

export async function failingCheckMaterial(
  gh: GitHubClient,
  repo: RepoRef,
  trigger: CiFailureTrigger,
  options: CheckMaterialOptions = {},
): Promise<CheckMaterial> {
  const id = trigger.checkRunId;
  const [{ data: run }, annotations, log] = await Promise.all([
    gh.rest.checks.get({ ...repo, check_run_id: id }),
    gh.paginate(gh.rest.checks.listAnnotations, { ...repo, check_run_id: id, per_page: 100 }),
    trigger.checkApp.slug === "github-actions" ? failedStepLog(gh, repo, id, options) : undefined,
  ]);
  const maxOut = options.maxOutputChars ?? 20_000;
  const parts = [
    `<failing_check name="${attr(run.name)}" conclusion="${attr(run.conclusion ?? trigger.conclusion)}" app="${attr(trigger.checkApp.slug)}" head="${trigger.headSha}">`,
  ];
  const out = run.output;
  if (out?.title || out?.summary || out?.text) {
    parts.push(
      "<check_output>",
      out.title ? `Title: ${clean(out.title, 500)}` : "",
      clean(out.summary, maxOut),
      clean(out.text, maxOut),
      "</check_output>",
    );
  }
  const shown = annotations.slice(0, options.maxAnnotations ?? 50);
  for (const a of shown) {
    const line = a.start_line ? ` line="${a.start_line}"` : "";
    parts.push(
      `<annotation path="${attr(a.path)}"${line} level="${attr(a.annotation_level ?? "failure")}">${clean([a.title, a.message].filter(Boolean).join(": "), 2000)}</annotation>`,
    );
  }
  if (annotations.length > shown.length)
    parts.push(`[… ${annotations.length - shown.length} more annotations]`);
  if (log) parts.push(log);
  parts.push("</failing_check>");
  const paths = [...new Set(annotations.map((a) => a.path).filter((p) => p && !p.startsWith(".github")))];
  return { text: parts.filter(Boolean).join("\n"), paths };
}

/** The Actions job's log from its failed step on, its end kept; a note when it may not be read. */
async function failedStepLog(
  gh: GitHubClient,
  repo: RepoRef,
  jobId: number,
  options: CheckMaterialOptions,
): Promise<string> {
  try {
    const [{ data: job }, { data: raw }] = await Promise.all([
      gh.rest.actions.getJobForWorkflowRun({ ...repo, job_id: jobId }),
      gh.rest.actions.downloadJobLogsForWorkflowRun({ ...repo, job_id: jobId }),
    ]);
    const step = job.steps?.find((s) => s.conclusion === "failure" || s.conclusion === "timed_out");
    const logText = typeof raw === "string" ? raw : Buffer.from(raw as ArrayBuffer).toString("utf8");
    const clipped = trimTail(sanitizeUntrusted(fromFailedStep(logText)), {
      maxLines: options.maxLogLines ?? 200,
      maxChars: options.maxLogChars ?? 15_000,
    });
    return `<failed_step_log step="${attr(step?.name ?? "unknown")}">\n${neutralise(clipped)}\n</failed_step_log>`;
  } catch (err) {
    const status = statusOf(err);
    if (status === 403 || status === 404) {
      return "[The failed step's log could not be read: the App needs the `actions: read` permission for it.]";
    }
    return `[The failed step's log could not be read (${status ?? (err as Error).message}).]`;
  }
}

/** From the last `##[group]` before the first `##[error]` (the failed step's section), else all of it. */
function fromFailedStep(log: string): string {
  const lines = log.split("\n");
  const error = lines.findIndex((l) => l.includes("##[error]"));
  if (error < 0) return log;
  let start = error;
  while (start > 0 && !lines[start]!.includes("##[group]")) start--;
  return lines.slice(start).join("\n");
}
