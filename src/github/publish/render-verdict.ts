// Renders a Verdict for people: a Markdown section for the PR body and the output of a
// GitHub Check Run. Text from the repository (test output, file names) is untrusted: cells
// are escaped so it cannot break the table, mention people or link issues, and details go
// into code fences longer than any backtick run inside them.

import { trimHead } from "../../text.js";
import { serviceSummary } from "../../verify/service-needs.js";
import type { Check, CheckStatus, Verdict } from "../../verify/verdict.js";
import { verdictExtras } from "./render-baseline.js";

export const VERDICT_HEADING = "Verified by backend-go-agent";

export type CheckRunConclusion = "success" | "failure" | "neutral" | "skipped";

export interface CheckRunOutput {
  title: string;
  summary: string;
  text: string;
  conclusion: CheckRunConclusion;
}

export interface RenderOptions {
  /** Upper bound for the whole rendering; details are cut to fit. Default 20,000 characters. */
  maxChars?: number;
}

const ICON: Record<CheckStatus, string> = {
  pass: "✅",
  fail: "❌",
  error: "⚠️",
  skipped: "⏭️",
};

const WORD: Record<CheckStatus, string> = {
  pass: "pass",
  fail: "fail",
  error: "error",
  skipped: "skipped",
};

/** Makes untrusted one-line text safe inside a Markdown table cell. */
export function escapeCell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/`/g, "\\`")
    .replace(/@(?=\w)/g, "@\u200b")
    .replace(/#(?=\d)/g, "#\u200b");
}

/** A fenced code block whose fence no backtick run in the text can close. */
export function codeBlock(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function headline(v: Verdict): string {
  const label = { pass: "Pass", fail: "Fail", error: "Error", skipped: "Skipped" }[v.overall];
  const where = [
    v.goVersion,
    v.isolation === "bubblewrap" ? "sandboxed with bubblewrap" : "⚠️ not sandboxed (bubblewrap unavailable)",
    v.durationMs > 0 ? seconds(v.durationMs) : undefined,
    ...v.checks.flatMap((c) => (c.tool ? [`${c.tool.name} ${c.tool.version}`] : [])),
  ].filter(Boolean);
  return `${ICON[v.overall]} **${label}** — ${escapeCell(v.summary)} (${where.join(", ")})`;
}

/** A passing row with warnings (an evidence row: a test that passes without the change) is not plain green. */
function result(c: Check): string {
  if (c.status === "pass" && c.warnings?.length) return "🟡 warning";
  return `${ICON[c.status]} ${WORD[c.status]}`;
}

function table(checks: Check[]): string {
  const rows = checks.map((c) => `| ${escapeCell(c.name)} | ${result(c)} | ${escapeCell(c.summary)} |`);
  return ["| Check | Result | Summary |", "| --- | --- | --- |", ...rows].join("\n");
}

function detailSections(checks: Check[], budget: number): string[] {
  // Evidence rows keep their details when they pass: the list of proven tests is the evidence.
  const withDetails = checks.filter((c) => c.details.trim() && (c.status !== "pass" || c.evidence));
  if (withDetails.length === 0) return [];
  const each = Math.max(500, Math.floor(budget / withDetails.length) - 200);
  return withDetails.map((c) => {
    const body = trimHead(c.details, { maxLines: 400, maxChars: each });
    return [
      `<details><summary>${escapeCell(c.name)}: ${escapeCell(c.summary)}</summary>`,
      "",
      codeBlock(body),
      "",
      "</details>",
    ].join("\n");
  });
}

/** The PR body section: heading, one-line verdict, the table, and details of what failed. */
export function renderVerdictMarkdown(v: Verdict, options: RenderOptions = {}): string {
  const maxChars = options.maxChars ?? 20_000;
  const parts = [`### ${VERDICT_HEADING}`, "", headline(v)];
  if (v.checks.length) parts.push("", table(v.checks));
  const extras = verdictExtras(v, escapeCell);
  if (extras) parts.push("", extras);
  const fixed = parts.join("\n").length;
  const details = detailSections(v.checks, maxChars - fixed - 100);
  if (details.length) parts.push("", ...details.flatMap((d) => [d, ""]));
  const text = parts.join("\n").trimEnd();
  return text.length > maxChars ? `${text.slice(0, maxChars - 20)}\n\n… (cut)` : text;
}

function conclusion(status: CheckStatus): CheckRunConclusion {
  // An error must not look green: "neutral" would satisfy a required check.
  if (status === "pass") return "success";
  if (status === "skipped") return "skipped";
  return "failure";
}

function title(v: Verdict): string {
  const names = (status: CheckStatus) => v.checks.filter((c) => c.status === status).map((c) => c.name);
  if (v.overall === "fail") return `Failed: ${names("fail").join(", ")}`;
  if (v.overall === "error") return `Could not verify: ${names("error").join(", ")}`;
  if (v.overall === "pass") {
    // A green title must not hide tests that never ran for want of a database.
    const skipped = v.services?.length ? ` (${serviceSummary(v.services)})` : "";
    return `Passed: ${names("pass").join(", ")}${skipped}`;
  }
  return v.summary;
}

/** Check Run output: summary is the table, text the details; within GitHub's 65,535 limits. */
export function renderCheckRunOutput(v: Verdict): CheckRunOutput {
  const summaryParts = [headline(v)];
  if (v.checks.length) summaryParts.push("", table(v.checks));
  const extras = verdictExtras(v, escapeCell);
  if (extras) summaryParts.push("", extras);
  const summary = summaryParts.join("\n");
  const text = detailSections(v.checks, 60_000).join("\n\n");
  return {
    title: title(v).slice(0, 250),
    summary: summary.slice(0, 65_000),
    text: text.slice(0, 65_000),
    conclusion: conclusion(v.overall),
  };
}
