// The bot's pull request body describes the whole change, not only its first job: every job
// that pushes to the PR merges its report into the body section by section (the first job's
// text, then each follow-up's, labelled, under the same heading — never a second report
// stacked below), and adds a line to a folded history of jobs (trigger, commit, verdict). The
// merged sections and the history live in a hidden marker in the body, so the next job can
// merge again without parsing the Markdown people read.
import type { ReportSection } from "../../agent/report.js";
import type { JobResult } from "../../pipeline/ports.js";
import type { Trigger } from "../../pipeline/task.js";
import { VERDICT_HEADING } from "./render-verdict.js";

const STATE_OPEN = "<!-- backend-go-agent:pr-state ";
const STATE_CLOSE = " -->";

export interface PrHistoryEntry {
  jobId: string;
  /** What started the job, in words. */
  trigger: string;
  /** The commit it pushed (full sha), if any. */
  commit?: string;
  /** The verdict's overall status and summary. */
  verdict?: string;
}

export interface PrBodyState {
  sections: { name: string; parts: { label?: string; body: string }[] }[];
  history: PrHistoryEntry[];
  /** The issue the pull request closes. */
  closes?: number;
}

/** Sections whose lines are a list of files: merged as one list, each line once. */
const LIST_SECTIONS = /files changed/i;
/** A section's text kept per part, so a long PR's body stays within GitHub's limit. */
const MAX_PART_CHARS = 4_000;
const MAX_HISTORY = 50;

export function triggerWords(trigger: Trigger): string {
  switch (trigger.kind) {
    case "issue_label":
      return `label \`${trigger.label}\` by @${trigger.actor}`;
    case "issue_command":
    case "pr_command":
    case "review_comment_command":
      return `\`/${trigger.command}\` by @${trigger.actor}`;
    case "pr_review":
      return `review by @${trigger.actor}`;
    case "ci_failure":
      return `CI: \`${trigger.checkName.replace(/`/g, "'")}\` ${trigger.conclusion}`;
    case "base_update":
      return trigger.via === "push" ? "base branch moved" : `\`update\` by @${trigger.actor}`;
    case "cli":
      return "CLI";
  }
}

export function historyEntry(result: JobResult, jobId: string): PrHistoryEntry {
  const { commit, verdict } = result;
  return {
    jobId,
    trigger: triggerWords(result.task.trigger),
    ...(commit?.sha && commit.pushed ? { commit: commit.sha } : {}),
    ...(verdict ? { verdict: `${verdict.overall}: ${verdict.summary}` } : {}),
  };
}

/** The state a body carries, or undefined (a PR opened before bodies kept it, or a person's edit removed it). */
export function readPrState(body: string | null | undefined): PrBodyState | undefined {
  if (!body) return undefined;
  const start = body.lastIndexOf(STATE_OPEN);
  if (start < 0) return undefined;
  const end = body.indexOf(STATE_CLOSE, start + STATE_OPEN.length);
  if (end < 0) return undefined;
  try {
    const state = JSON.parse(
      Buffer.from(body.slice(start + STATE_OPEN.length, end).trim(), "base64").toString("utf8"),
    ) as PrBodyState;
    return Array.isArray(state.sections) && Array.isArray(state.history) ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The state of a body written before bodies kept one: its report's sections (the `## ` blocks
 * before the verdict) as the first job's part, and the issue it closes.
 */
export function stateFromBody(body: string | null | undefined): PrBodyState {
  const text = body ?? "";
  const verdictAt = text.indexOf(`### ${VERDICT_HEADING}`);
  const report = verdictAt >= 0 ? text.slice(0, verdictAt) : "";
  const sections: PrBodyState["sections"] = [];
  const heads = [...report.matchAll(/^## (.+)$/gm)];
  heads.forEach((m, i) => {
    const start = m.index! + m[0].length;
    const bodyText = report.slice(start, heads[i + 1]?.index ?? report.length).trim();
    if (bodyText) sections.push({ name: m[1]!.trim(), parts: [{ body: clip(bodyText) }] });
  });
  const closes = Number(/^Closes #(\d+)\s*$/m.exec(text)?.[1]);
  return {
    sections,
    history: sections.length
      ? [{ jobId: "earlier", trigger: "earlier jobs (before this history was kept)" }]
      : [],
    ...(closes ? { closes } : {}),
  };
}

export function renderPrState(state: PrBodyState): string {
  return `${STATE_OPEN}${Buffer.from(JSON.stringify(state), "utf8").toString("base64")}${STATE_CLOSE}`;
}

/** Adds a job's report and history line. A job already in the history (published again) changes nothing but its line. */
export function mergeReport(
  state: PrBodyState | undefined,
  sections: readonly ReportSection[],
  entry: PrHistoryEntry,
): PrBodyState {
  const prior = state ?? { sections: [], history: [] };
  if (prior.history.some((h) => h.jobId === entry.jobId)) {
    return { ...prior, history: prior.history.map((h) => (h.jobId === entry.jobId ? entry : h)) };
  }
  const label = prior.history.length === 0 ? undefined : labelOf(entry);
  const merged = prior.sections.map((s) => ({ name: s.name, parts: [...s.parts] }));
  for (const section of sections) {
    const body = clip(section.body.trim());
    if (!body) continue;
    let target = merged.find((s) => s.name.toLowerCase() === section.name.toLowerCase());
    if (!target) {
      target = { name: section.name, parts: [] };
      merged.push(target);
    }
    target.parts.push({ ...(label ? { label } : {}), body });
  }
  return { ...prior, sections: merged, history: [...prior.history, entry].slice(-MAX_HISTORY) };
}

function labelOf(entry: PrHistoryEntry): string {
  return `After ${entry.trigger}${entry.commit ? ` (\`${entry.commit.slice(0, 12)}\`)` : ""}`;
}

function clip(text: string): string {
  return text.length > MAX_PART_CHARS ? `${text.slice(0, MAX_PART_CHARS)}\n\n… (cut)` : text;
}

/** The merged report, one heading per section, follow-ups' parts labelled under it. */
export function renderMergedReport(state: PrBodyState): string {
  return state.sections
    .map((s) => {
      if (LIST_SECTIONS.test(s.name)) {
        const lines = [...new Set(s.parts.flatMap((p) => p.body.split("\n")).filter((l) => l.trim()))];
        return `## ${s.name}\n\n${lines.join("\n")}`;
      }
      const parts = s.parts.map((p) => (p.label ? `_${p.label}:_\n\n${p.body}` : p.body));
      return `## ${s.name}\n\n${parts.join("\n\n")}`;
    })
    .join("\n\n");
}

/** The folded history: one row per job that published to this PR. */
export function renderHistory(history: readonly PrHistoryEntry[]): string {
  if (history.length === 0) return "";
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = history.map(
    (h, i) =>
      `| ${i + 1} | ${cell(h.trigger)} | ${h.commit ? `\`${h.commit.slice(0, 12)}\`` : "—"} | ${cell(h.verdict ?? "—")} |`,
  );
  return [
    `<details><summary>History: ${history.length} job${history.length === 1 ? "" : "s"} on this pull request</summary>`,
    "",
    "| # | trigger | commit | verdict |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    "</details>",
  ].join("\n");
}
