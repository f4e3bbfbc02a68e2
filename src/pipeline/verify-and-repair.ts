// Step 5 of the job, verify and repair: the checks on what the change can affect, failures that
// are on the base too set apart, and when the change itself broke something, the failures go
// back to the agent, which continues its conversation, for at most `verify.repair_rounds`
// rounds within the job's budgets. Only the last verdict is published; it says how many
// rounds ran and what each fixed. The agent's own claim of success never short-cuts this.
import type { AgentOutcome, CompletedOutcome } from "../agent/outcome.js";
import type { Toolchain } from "../golang/toolchain.js";
import type { RepoConfig } from "../repo/config-schema.js";
import type { EvidenceTools } from "../verify/evidence/evidence.js";
import {
  introducedFailures,
  type RepairRound,
  repairMessage,
  verdictWarnings,
} from "../verify/repair-feedback.js";
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
  /** Tools the evidence rows use beyond go (benchstat). */
  evidenceTools?: EvidenceTools;
  /** The task asks for speed: `verify.bench: auto` runs the benchmark row. */
  speedTask?: boolean;
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
  const v = o.config.verify;
  const bench = v.bench === "on" || (v.bench === "auto" && o.speedTask === true) ? "on" : "off";
  return verifyChange({
    evidence: { failPass: v.fail_pass, race: v.race, api: v.api, bench },
    ...(o.evidenceTools ? { evidenceTools: o.evidenceTools } : {}),
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
  // Evidence warnings (a test that passes without the change) go to the agent once each: a
  // warning it chose to explain rather than fix does not cost another round.
  const warned = new Set<string>();
  for (let round = 1; round <= rounds && verdict && !o.signal?.aborted; round++) {
    const failing = introducedFailures(verdict);
    const warnings = verdictWarnings(verdict).filter((w) => !warned.has(w));
    if (failing.length === 0 && warnings.length === 0) break;
    for (const w of warnings) warned.add(w);
    const named = failing.length ? failing : verdict.checks.filter((c) => c.warnings?.length);
    o.onProgress?.(`repair round ${round} of ${rounds}: ${named.map((c) => c.name).join(", ")}`);
    const next = await o.resume(repairMessage(verdict, round, rounds, warnings), outcome);
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
    const before = named.map((c) => c.name);
    verdict = await verifyOnce(o, changed);
    for (const f of verdict?.leftovers ?? []) leftovers.add(f);
    const still = verdict ? verdictWarnings(verdict).filter((w) => warned.has(w)) : [];
    const after = verdict
      ? [
          ...new Set([
            ...introducedFailures(verdict).map((c) => c.name),
            ...(failing.length ? [] : before.filter((n) => still.some((w) => w.startsWith(`${n}: `)))),
          ]),
        ]
      : [];
    repairs.push({
      round,
      before,
      after,
      fixed: before.filter((n) => !after.includes(n)),
      ...(failing.length ? {} : { warningsOnly: true }),
      ...(stopped ? { stopped } : {}),
    });
    if (stopped) break;
  }
  if (verdict && repairs.length) verdict = { ...verdict, repairs };
  if (verdict && leftovers.size) verdict = { ...verdict, leftovers: [...leftovers] };
  return { ...(verdict ? { verdict } : {}), outcome, changed };
}
