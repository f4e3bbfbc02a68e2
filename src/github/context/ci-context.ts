// What a ci_failure job reads, whatever reported the failure: a check run (check-context.ts),
// a check suite (its failing check runs), or a commit status (its context and description;
// its target only when that is a GitHub page of this repository the app can read through the
// API — a check run or an Actions job — never an arbitrary URL, which could be anything). The
// other checks that failed on the same head follow, by name: several failures make one job.
import type { CiFailureTrigger } from "../../pipeline/task.js";
import { capText, sanitizeUntrusted } from "../../triggers/sanitize.js";
import type { GitHubClient, RepoRef } from "../auth/client.js";
import { type CheckMaterial, failingCheckMaterial } from "./check-context.js";

const FAILED = new Set(["failure", "timed_out"]);
const neutralise = (text: string) =>
  text.replace(/<(\/?)(failing_status|failing_suite|other_failures)\b/gi, "<$1 $2");
const attr = (text: string) => neutralise(text).replace(/"/g, "'");

export interface CiMaterialOptions {
  /** The origin GitHub's web pages live at (https://github.com, or the Enterprise host). */
  webOrigin?: string;
  /** The App's own slug, so its check runs are never material. */
  appSlug?: string;
}

export async function ciFailureMaterial(
  gh: GitHubClient,
  repo: RepoRef,
  trigger: CiFailureTrigger,
  options: CiMaterialOptions = {},
): Promise<CheckMaterial> {
  const own: CheckMaterial & { covered?: number[] } =
    trigger.source === "status"
      ? await statusMaterial(gh, repo, trigger, options)
      : trigger.source === "check_suite"
        ? await suiteMaterial(gh, repo, trigger, options)
        : { ...(await failingCheckMaterial(gh, repo, trigger)), covered: [trigger.checkRunId] };
  const others = await otherFailures(gh, repo, trigger, own.covered ?? [], options).catch(() => "");
  return { text: [own.text, others].filter(Boolean).join("\n"), paths: own.paths };
}

/** The check run id a GitHub page of this repository names: /runs/<id> or /actions/runs/<run>/job/<id>. */
export function checkRunOfUrl(
  url: string | undefined,
  repo: RepoRef,
  webOrigin?: string,
): number | undefined {
  if (!url || !webOrigin) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.origin !== new URL(webOrigin).origin) return undefined;
  const base = `/${repo.owner}/${repo.repo}/`.toLowerCase();
  const path = parsed.pathname;
  if (!path.toLowerCase().startsWith(base)) return undefined;
  const m = /^(?:runs\/(\d+)|actions\/runs\/\d+\/jobs?\/(\d+))\/?$/.exec(path.slice(base.length));
  const id = Number(m?.[1] ?? m?.[2]);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

async function statusMaterial(
  gh: GitHubClient,
  repo: RepoRef,
  trigger: CiFailureTrigger,
  options: CiMaterialOptions,
): Promise<CheckMaterial & { covered: number[] }> {
  const head = `<failing_status context="${attr(trigger.checkName)}" state="${attr(trigger.conclusion)}" by="${attr(trigger.checkApp.slug)}" head="${trigger.headSha}">`;
  const description = neutralise(capText(sanitizeUntrusted(trigger.description ?? ""), 2000));
  const parts = [head, description ? `Description: ${description}` : "Description: (none)"];
  const runId = checkRunOfUrl(trigger.targetUrl, repo, options.webOrigin);
  let paths: string[] = [];
  if (runId) {
    try {
      // A GitHub check run or Actions job: its output, annotations and failed step's log.
      const check = await failingCheckMaterial(gh, repo, {
        ...trigger,
        checkRunId: runId,
        checkApp: { slug: "github-actions" },
      });
      parts.push(check.text);
      paths = check.paths;
    } catch {
      parts.push("[The status's GitHub page could not be read.]");
    }
  } else if (trigger.targetUrl) {
    parts.push(
      `Details: ${neutralise(sanitizeUntrusted(trigger.targetUrl))} (outside GitHub, so not read: the context and description above are all the app knows of this failure).`,
    );
  }
  parts.push("</failing_status>");
  return { text: parts.join("\n"), paths, covered: runId ? [runId] : [] };
}

async function suiteMaterial(
  gh: GitHubClient,
  repo: RepoRef,
  trigger: CiFailureTrigger,
  options: CiMaterialOptions,
): Promise<CheckMaterial & { covered: number[] }> {
  const runs = await gh.paginate(gh.rest.checks.listForSuite, {
    ...repo,
    check_suite_id: trigger.checkRunId,
    per_page: 100,
  });
  const failing = runs.filter((r) => FAILED.has(r.conclusion ?? "") && r.app?.slug !== options.appSlug);
  const parts = [
    `<failing_suite app="${attr(trigger.checkName)}" conclusion="${attr(trigger.conclusion)}" head="${trigger.headSha}">`,
  ];
  const paths: string[] = [];
  for (const run of failing.slice(0, 3)) {
    const check = await failingCheckMaterial(gh, repo, {
      ...trigger,
      checkRunId: run.id,
      checkName: run.name,
      conclusion: run.conclusion ?? trigger.conclusion,
      checkApp: { slug: run.app?.slug ?? trigger.checkApp.slug },
    });
    parts.push(check.text);
    paths.push(...check.paths);
  }
  if (failing.length === 0) parts.push("The suite reported no failing check run; only its conclusion.");
  parts.push("</failing_suite>");
  return {
    text: parts.join("\n"),
    paths: [...new Set(paths)],
    covered: failing.slice(0, 3).map((r) => r.id),
  };
}

/** Other checks that failed on the same head: their jobs were folded into this one. */
async function otherFailures(
  gh: GitHubClient,
  repo: RepoRef,
  trigger: CiFailureTrigger,
  covered: readonly number[],
  options: CiMaterialOptions,
): Promise<string> {
  const { data } = await gh.rest.checks.listForRef({ ...repo, ref: trigger.headSha, per_page: 100 });
  const others = data.check_runs.filter(
    (r) => FAILED.has(r.conclusion ?? "") && r.app?.slug !== options.appSlug && !covered.includes(r.id),
  );
  if (others.length === 0) return "";
  const lines = others
    .slice(0, 20)
    .map(
      (r) =>
        `- ${neutralise(sanitizeUntrusted(r.name))} (${r.conclusion}): ${neutralise(capText(sanitizeUntrusted(r.output?.title ?? r.output?.summary ?? ""), 300))}`,
    );
  return `<other_failures head="${trigger.headSha}">\nOther checks that failed on this head:\n${lines.join("\n")}\n</other_failures>`;
}
