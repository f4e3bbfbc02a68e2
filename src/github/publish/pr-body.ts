// The pull request body: the agent's report (its validated sections, in the schema's
// order), the bot's own verification, and a footer with what the run cost.
import type { ReportSection } from "../../agent/report.js";
import type { JobResult } from "../../pipeline/ports.js";

export interface RunFacts {
  agent: { name: string; version: string };
  model: string;
  turns: number;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  costUsd: number;
  durationMs: number;
  actor: string;
}

export interface PullRequestBodyInput {
  sections: ReportSection[];
  /** The report merged across the PR's jobs (pr-history.ts); replaces `sections` when given. */
  mergedReport?: string;
  /** The folded history of the PR's jobs (pr-history.ts). */
  history?: string;
  /** Markdown table rendered from the verdict ("Verified by backend-go-agent"). */
  verification: string;
  /** The issue this PR resolves; omitted on PR jobs. */
  closes?: number;
  facts: RunFacts;
  /** What the agent did, collapsed (src/github/publish/run-log.ts). */
  runLog?: string;
  /** The job's page, when the server has one people can reach. */
  jobPageUrl?: string;
}

const fmt = new Intl.NumberFormat("en-US");

export function renderFooter(facts: RunFacts, closes?: number, jobPageUrl?: string): string {
  const t = facts.tokens;
  const minutes = facts.durationMs / 60_000;
  const duration = minutes >= 1 ? `${minutes.toFixed(1)} min` : `${Math.round(facts.durationMs / 1000)} s`;
  const lines = [
    "---",
    ...(closes ? [`Closes #${closes}`, ""] : []),
    `<sub>🤖 ${facts.agent.name}@${facts.agent.version} · ${facts.model} · ${facts.turns} turns · ` +
      `${fmt.format(t.input + t.cacheRead + t.cacheWrite)} input / ${fmt.format(t.output)} output tokens ` +
      `(${fmt.format(t.cacheRead)} from cache) · $${facts.costUsd.toFixed(2)} · ${duration} · ` +
      `triggered by @${facts.actor}${jobPageUrl ? ` · [what the agent did](${jobPageUrl})` : ""}</sub>`,
  ];
  return lines.join("\n");
}

export function renderReport(sections: ReportSection[]): string {
  return sections.map((s) => `## ${s.name}\n\n${s.body}`).join("\n\n");
}

export function renderPullRequestBody(input: PullRequestBodyInput): string {
  return [
    input.mergedReport ?? renderReport(input.sections),
    input.verification.trim(),
    ...(input.runLog ? [input.runLog] : []),
    ...(input.history ? [input.history] : []),
    renderFooter(input.facts, input.closes, input.jobPageUrl),
  ].join("\n\n");
}

/** The run's facts for the footer, from the job's result. */
export function runFactsOf(result: JobResult): RunFacts {
  const u = result.outcome.usage;
  return {
    agent: result.agent,
    model: result.outcome.model,
    turns: result.outcome.turns,
    tokens: {
      input: u.input_tokens,
      output: u.output_tokens,
      cacheRead: u.cache_read_input_tokens,
      cacheWrite: u.cache_creation_input_tokens,
    },
    costUsd: result.outcome.costUsd,
    durationMs: result.durationMs,
    actor: result.task.trigger.actor,
  };
}
