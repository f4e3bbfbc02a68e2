// Run budgets. Every limit that can end a run has a name, so the outcome can say plainly
// which one ran out instead of stopping silently.
import { totalTokens, type Usage } from "./model/model-client.js";

export interface Budgets {
  /** Model calls (turns) per run. One repair turn for a report missing sections is allowed beyond it. */
  maxTurns: number;
  /** max_tokens of each call. */
  maxOutputTokensPerCall: number;
  /** Input (cached or not) plus output tokens over the run. */
  maxTotalTokens: number;
  maxCostUsd: number;
  maxWallClockMs: number;
}

export const DEFAULT_BUDGETS: Budgets = {
  maxTurns: 60,
  maxOutputTokensPerCall: 16_000,
  maxTotalTokens: 8_000_000,
  maxCostUsd: 10,
  maxWallClockMs: 45 * 60_000,
};

export type BudgetName = "turns" | "total_tokens" | "cost_usd" | "wall_clock" | "aborted";

export interface BudgetExhausted {
  budget: BudgetName;
  reason: string;
}

export function exhaustedTurns(used: number, max: number): BudgetExhausted {
  return {
    budget: "turns",
    reason: `turn budget exhausted: ${used} of ${max} turns used without a final report`,
  };
}

/** Checks the budgets that grow with every call. */
export function checkSpend(budgets: Budgets, usage: Usage, cost: number): BudgetExhausted | undefined {
  const tokens = totalTokens(usage);
  if (tokens > budgets.maxTotalTokens) {
    return {
      budget: "total_tokens",
      reason: `token budget exhausted: ${tokens} tokens used, the limit is ${budgets.maxTotalTokens}`,
    };
  }
  if (cost > budgets.maxCostUsd) {
    return {
      budget: "cost_usd",
      reason: `cost budget exhausted: $${cost.toFixed(4)} spent, the limit is $${budgets.maxCostUsd.toFixed(2)}`,
    };
  }
  return undefined;
}

export function exhaustedWallClock(ms: number): BudgetExhausted {
  return {
    budget: "wall_clock",
    reason: `wall-clock budget exhausted: the run took longer than ${Math.round(ms / 1000)} s`,
  };
}

export const ABORTED: BudgetExhausted = { budget: "aborted", reason: "the run was cancelled" };
