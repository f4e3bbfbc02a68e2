// Ceilings the operator sets (MAX_JOB_COST_USD, MAX_JOB_MINUTES, MAX_TURNS, ALLOWED_MODELS)
// over what any repository's configuration asks for. A repository's file is written by
// whoever can push to it; the money and the time are the operator's. The lower value wins,
// and a job whose configuration asked for more says so, naming the variable that capped it.
import type { Budgets } from "./budget.js";

/** What the operator allows any job, whatever a repository's configuration asks. */
export interface OperatorLimits {
  maxCostUsd?: number;
  maxMinutes?: number;
  maxTurns?: number;
  /** Model ids or aliases; unset allows every model. */
  allowedModels?: string[];
}

/** The repository's own `budgets:` keys, as its file wrote them. */
export interface AskedBudgets {
  max_usd?: number;
  max_minutes?: number;
  max_turns?: number;
}

/** A model the operator does not allow: the job refuses before any model call. */
export class ModelNotAllowedError extends Error {
  override name = "ModelNotAllowedError";
  constructor(
    readonly model: string,
    readonly allowed: readonly string[],
  ) {
    super(`the model ${model} is not allowed here (ALLOWED_MODELS: ${allowed.join(", ")})`);
  }
}

/**
 * The budgets with the operator's ceilings applied, and one note per key of the repository's
 * file that asked for more than the ceiling. Defaults above a ceiling are lowered silently:
 * they are the operator's own choice.
 */
export function capBudgets(
  budgets: Budgets,
  asked: AskedBudgets,
  limits: OperatorLimits,
): { budgets: Budgets; notices: string[] } {
  const notices: string[] = [];
  const out = { ...budgets };
  const cap = (
    key: keyof AskedBudgets,
    env: string,
    ceiling: number | undefined,
    apply: (n: number) => void,
  ) => {
    if (ceiling === undefined) return;
    apply(ceiling);
    const wanted = asked[key];
    if (wanted !== undefined && wanted > ceiling) {
      notices.push(`\`budgets.${key}\` ${wanted} capped at ${ceiling} by the operator (\`${env}\`)`);
    }
  };
  cap("max_usd", "MAX_JOB_COST_USD", limits.maxCostUsd, (c) => {
    out.maxCostUsd = Math.min(out.maxCostUsd, c);
  });
  cap("max_minutes", "MAX_JOB_MINUTES", limits.maxMinutes, (c) => {
    out.maxWallClockMs = Math.min(out.maxWallClockMs, c * 60_000);
  });
  cap("max_turns", "MAX_TURNS", limits.maxTurns, (c) => {
    out.maxTurns = Math.min(out.maxTurns, c);
  });
  return { budgets: out, notices };
}

/**
 * Throws ModelNotAllowedError unless `model` (a resolved id) is on the allowed list, whose
 * entries may be aliases: each is resolved the same way the agent's model is.
 */
export function checkModelAllowed(
  model: string,
  limits: OperatorLimits,
  resolve: (aliasOrId: string) => string,
): void {
  const allowed = limits.allowedModels;
  if (!allowed?.length) return;
  if (allowed.some((m) => m === model || resolve(m) === model)) return;
  throw new ModelNotAllowedError(model, allowed);
}

/** The note a job shows when its budgets were capped. */
export function renderLimitNotices(notices: readonly string[]): string | undefined {
  if (notices.length === 0) return undefined;
  return `**Operator limits:** ${notices.join("; ")}.`;
}
