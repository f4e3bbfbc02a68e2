// What a run ends with, and the transcript kept for the job page and the tests.
import type { BudgetName } from "./budget.js";
import type { Usage } from "./model/model-client.js";
import type { ReportSection } from "./report.js";
import type { ReviewAnswer } from "./review-answers.js";

export type TranscriptEntry =
  | {
      kind: "model_call";
      turn: number;
      stopReason: string | null;
      usage: Usage;
      costUsd: number;
      durationMs: number;
      /** The assistant's text in this turn, cut for size. */
      text: string;
      toolCalls: number;
    }
  | {
      kind: "tool_call";
      turn: number;
      id: string;
      name: string;
      input: unknown;
      /** The result as sent to the model (already cut for size). */
      output: string;
      isError: boolean;
      durationMs: number;
    }
  | { kind: "note"; turn: number; text: string };

interface RunFacts {
  usage: Usage;
  costUsd: number;
  turns: number;
  model: string;
  transcript: TranscriptEntry[];
  /** Paths the tools created, changed or deleted. */
  changedFiles: string[];
}

export interface CompletedOutcome extends RunFacts {
  kind: "completed";
  report: string;
  sections: ReportSection[];
  /** A review job's answer per review comment (review-answers.ts), in the order given. */
  reviewAnswers?: ReviewAnswer[];
}

export interface ClarificationOutcome extends RunFacts {
  kind: "needs_clarification";
  questions: string[];
}

export interface FailedOutcome extends RunFacts {
  kind: "failed";
  reason: string;
  /** Set when a budget ran out. */
  budget?: BudgetName;
  /** The cause may pass (the model API overloaded, GitHub down): the job is worth retrying. */
  transient?: boolean;
}

export type AgentOutcome = CompletedOutcome | ClarificationOutcome | FailedOutcome;

/** Progress for the CLI's stderr and the app's tracking comment. */
export interface AgentProgress {
  turn: number;
  maxTurns: number;
  /** What just happened. */
  event: "model_call" | "tool_call";
  tool?: string;
  /** A short human detail such as the path or the go subcommand. */
  detail?: string;
  isError?: boolean;
  tokens: number;
  costUsd: number;
}
