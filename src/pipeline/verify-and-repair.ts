// Step 5 of the job, verify and repair: the checks on what the change can affect, failures that
// are on the base too set apart, and when the change itself broke something, the failures go
// back to the agent, which continues its conversation, for at most `verify.repair_rounds`
// rounds within the job's budgets. Only the last verdict is published; it says how many
// rounds ran and what each fixed. The agent's own claim of success never short-cuts this.
import type { AgentOutcome, CompletedOutcome } from "../agent/outcome.js";
import type { Toolchain } from "../golang/toolchain.js";
import type { RepoConfig } from "../repo/config-schema.js";
import { introducedFailures, type RepairRound, repairMessage } from "../verify/repair-feedback.js";
import type { Verdict } from "../verify/verdict.js";
import type { CustomCheck } from "../verify/verify.js";
import { verifyChange } from "../verify/verify-change.js";
import { verifyCommands } from "../verify/verify-commands.js";

export interface VerifyAndRepairOptions {
  toolchain: Toolchain;
  /** The module directory of the checkout (the git repository holding baseSha). */
  dir: string;
  baseSha: string;
  config: RepoConfig;
  outcome: CompletedOutcome;
  /** The files the change touches now (re-read after each round; throws for forbidden ones). */
  changedFiles(): Promise<string[]>;
  /** Checks beyond the built-in ones and verify.commands (golangci-lint). */
  extraChecks?: CustomCheck[];
  /** Continues the agent's conversation with a message; the job's budgets still apply. */
  resume(message: string, prior: CompletedOutcome): Promise<AgentOutcome>;
  signal?: AbortSignal;
  onProgress?: (detail: string) => void;
}

export interface VerifiedChange {
  verdict?: Verdict;
  outcome: CompletedOutcome;
  changed: string[];
}

async function verifyOnce(o: VerifyAndRepairOptions, changed: string[]): Promise<Verdict | undefined> {
  const checks = verifyCommands(o.config.verify.commands);
  checks.extraChecks.push(...(o.extraChecks ?? []));
  return verifyChange({
    toolchain: o.toolchain,
    root: o.dir,
    baseSha: o.baseSha,
    changed,
    scopeMode: o.config.verify.scope,
    ...checks,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
}

export async function verifyAndRepair(o: VerifyAndRepairOptions): Promise<VerifiedChange> {
  let outcome = o.outcome;
  let changed = await o.changedFiles();
  let verdict = await verifyOnce(o, changed);
  const rounds = o.config.verify.repair_rounds;
  const repairs: RepairRound[] = [];
  // Files the tests wrote in any round are not the agent's work.
  const leftovers = new Set(verdict?.leftovers ?? []);
  for (let round = 1; round <= rounds && verdict && !o.signal?.aborted; round++) {
    const failing = introducedFailures(verdict);
    if (failing.length === 0) break;
    o.onProgress?.(`repair round ${round} of ${rounds}: ${failing.map((c) => c.name).join(", ")}`);
    const next = await o.resume(repairMessage(verdict, round, rounds), outcome);
    // A round that ran out of budget keeps the last complete report; its edits are verified.
    const stopped =
      next.kind === "completed"
        ? undefined
        : next.kind === "failed"
          ? next.reason
          : "the agent asked a question";
    if (next.kind === "completed") outcome = next;
    else
      outcome = {
        ...outcome,
        usage: next.usage,
        costUsd: next.costUsd,
        turns: next.turns,
        transcript: next.transcript,
      };
    changed = await o.changedFiles();
    const before = failing.map((c) => c.name);
    verdict = await verifyOnce(o, changed);
    for (const f of verdict?.leftovers ?? []) leftovers.add(f);
    const after = verdict ? introducedFailures(verdict).map((c) => c.name) : [];
    repairs.push({
      round,
      before,
      after,
      fixed: before.filter((n) => !after.includes(n)),
      ...(stopped ? { stopped } : {}),
    });
    if (stopped) break;
  }
  if (verdict && repairs.length) verdict = { ...verdict, repairs };
  if (verdict && leftovers.size) verdict = { ...verdict, leftovers: [...leftovers] };
  return { ...(verdict ? { verdict } : {}), outcome, changed };
}
