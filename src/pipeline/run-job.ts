// The one pipeline every job walks, from the CLI or the GitHub app, in order:
//   1 gate      the repository's settings, the trigger re-checked against them, who, where
//   2 context   the thread, the PR, the repository's instructions, the agent
//   3 prepare   clone or fetch, the job's branch (started alongside the context)
//   4 run       the agent with its tools, within the budgets
//   5 verify    the bot's own checks on the change
//   6 commit    and push; a run that does not complete commits nothing
//   7 publish   the report, the questions, or why it failed
// The outcome is data: the result's disposition tells the queue what happens next.
import { DEFAULT_BUDGETS } from "../agent/budget.js";
import type { MessageParam } from "../agent/model/model-client.js";
import { ZERO_USAGE } from "../agent/model/model-client.js";
import {
  capBudgets,
  checkModelAllowed,
  ModelNotAllowedError,
  renderLimitNotices,
} from "../agent/operator-limits.js";
import type { AgentOutcome, AgentProgress } from "../agent/outcome.js";
import { type RunAgentOptions, runAgent } from "../agent/run-agent.js";
import { throwIfStopped } from "../queue/cancel.js";
import { CONFIG_PATH } from "../repo/config-schema.js";
import { budgetsFor, protectedPaths } from "../repo/repo-config.js";
import { redactSecrets } from "../secrets.js";
import {
  reportServices,
  type StartedServices,
  servicesMaterial,
  startJobServices,
  withServices,
} from "../services/index.js";
import { migrationChecks } from "../services/migrations-check.js";
import { wantsServices } from "../services/services.js";
import { asksForSpeed } from "../verify/evidence/benchmarks.js";
import { modulesMaterial, prepareRepositoryModules } from "../verify/prepare-modules.js";
import { BUILTIN_PROTECTED_GLOBS, matchesAny } from "../workspace/safe-path.js";
import { conflictMaterial, mergeBase, mergedOutcome, requireVerified } from "./base-update.js";
import { commitMessage } from "./commit-message.js";
import { classifyError, JobCancelled, JobRefusal, PermanentError } from "./job-errors.js";
import type {
  CommitInfo,
  Disposition,
  JobDeps,
  JobMade,
  JobResult,
  JobStep,
  JournalEntry,
  PreparedWorkspace,
  Published,
  SavedResult,
  Verdict,
  Workspace,
} from "./ports.js";
import type { TaskRequest } from "./task.js";
import { verifyAndRepair } from "./verify-and-repair.js";

/** Code run during the job changed a path the repository protects. */
export class ProtectedPathsChanged extends PermanentError {
  override name = "ProtectedPathsChanged";
}

/** Subject when the report has no usable Summary line. */
function fallbackSubject(task: TaskRequest): string {
  return (
    task.context.title || task.trigger.instruction.split("\n")[0]?.trim() || "Changes by backend-go-agent"
  );
}

/** What the task asks, as people wrote it: the instruction, the issue's title and body. */
function taskText(task: TaskRequest): string {
  return [task.trigger.instruction, task.context.title, task.context.body].join("\n");
}

function failedOutcome(
  reason: string,
  after: AgentOutcome | undefined,
  model: string,
  transient: boolean,
): AgentOutcome {
  const facts = after ?? { usage: ZERO_USAGE, costUsd: 0, turns: 0, model, transcript: [], changedFiles: [] };
  return {
    kind: "failed",
    reason,
    ...(transient ? { transient } : {}),
    usage: facts.usage,
    costUsd: facts.costUsd,
    turns: facts.turns,
    model: facts.model,
    transcript: facts.transcript,
    changedFiles: facts.changedFiles,
  };
}

/** What the queue does next, decided once, here. */
function dispositionOf(outcome: AgentOutcome, deps: JobDeps): Disposition {
  if (outcome.kind !== "failed") return { kind: "done" };
  const reason = outcome.reason;
  const abort = deps.signal?.aborted ? deps.signal.reason : undefined;
  if (abort instanceof JobCancelled) return { kind: "cancelled", reason: abort.message };
  if (deps.signal?.aborted) return { kind: "resume", reason };
  const retryInMs = deps.attempt?.retryInMs;
  if (outcome.transient && retryInMs !== undefined) return { kind: "retry", afterMs: retryInMs, reason };
  return { kind: "failed", reason };
}

function errorReason(err: unknown, step: JobStep): string {
  const message = redactSecrets((err as Error).message ?? String(err));
  return step === "publishing" ? `publishing the result failed: ${message}` : `the job failed: ${message}`;
}

/** The branch moved while the job ran, and the job's change does not apply on its new tip. */
export class BranchMovedError extends JobRefusal {
  override name = "BranchMovedError";
}

/** A result too large to keep on the job record loses its transcript (the run log), nothing else. */
const MAX_SAVED_CHARS = 2_000_000;

function saved(result: SavedResult): SavedResult {
  if (JSON.stringify(result).length <= MAX_SAVED_CHARS) return result;
  return { ...result, outcome: { ...result.outcome, transcript: [] } };
}

export async function runJob(task: TaskRequest, deps: JobDeps): Promise<JobResult> {
  const started = Date.now();
  const { host, signal } = deps;
  // The checkout's own signal: aborted with the job's, and when the job ends early (a refusal
  // found while the clone runs), so nothing waits for a clone nobody needs.
  const checkoutAbort = new AbortController();
  const abortCheckout = () => checkoutAbort.abort(signal?.reason);
  if (signal?.aborted) abortCheckout();
  else signal?.addEventListener("abort", abortCheckout, { once: true });
  const made: JobMade = {
    agentRuns: deps.made?.agentRuns ?? 0,
    ...(deps.made?.result ? { result: deps.made.result } : {}),
  };
  const recordMade = async () => {
    await deps.onMade?.(made);
  };
  let step: JobStep = "gate";
  // The journal is for people watching: a throwing writer never fails the job.
  const journal = (entry: JournalEntry) => {
    try {
      deps.journal?.(entry);
    } catch {
      // the job goes on; its page misses a line
    }
  };
  const enter = (next: JobStep, detail: string) => {
    step = next;
    journal({ kind: "step", step: next, detail });
  };
  // Progress is a courtesy: a failed update (a rate-limited comment edit) never fails the job.
  const progress = async (...args: Parameters<typeof host.reportProgress>) => {
    step = args[0];
    if (args[2] === undefined) journal({ kind: "step", step: args[0], detail: args[1] });
    try {
      await host.reportProgress(...args);
    } catch {
      // the next update or the final publish says where the job stands
    }
  };
  let agent = { name: task.agent ?? "default", version: "" };
  let current = task;
  let workspace: Workspace | undefined;
  let prepared: PreparedWorkspace | undefined;
  let outcome: AgentOutcome | undefined;
  let verdict: Verdict | undefined;
  let commit: CommitInfo | undefined;
  let explanation: string | undefined;
  let codeIntelligence: ReturnType<NonNullable<JobDeps["codeIntelligence"]>> | undefined;
  let services: StartedServices | undefined;
  /** A finished verdict: with what the services did (or a suggestion to declare them), journaled. */
  const finishVerdict = async (v: Verdict | undefined) => {
    const full =
      services && prepared
        ? await reportServices(v, {
            root: prepared.dir,
            declared: services.declared,
            tags: services.tags,
            ...(services.job ? { job: services.job } : {}),
            costMs: services.costMs,
          })
        : v;
    if (full) journal(verdictEntry(full));
    return full;
  };
  const result = (): JobResult => {
    const o = outcome!;
    return {
      task: current,
      agent,
      outcome: o,
      ...(verdict ? { verdict } : {}),
      ...(commit ? { commit } : {}),
      durationMs: Date.now() - started,
      step,
      disposition: dispositionOf(o, deps),
      ...(explanation ? { explanation } : {}),
    };
  };

  try {
    // 1 gate
    enter("gate", `${task.trigger.kind} by @${task.trigger.actor}`);
    const decision = await host.gate(task);
    if (decision.kind === "refused") {
      outcome = failedOutcome(decision.reason, undefined, "", false);
      return { ...result(), disposition: { kind: "refused", reason: decision.reason } };
    }
    const { plan } = decision;
    // One writer per branch: a job on the same branch (an issue's and its PR's) runs first.
    // Owner and repository names are case-insensitive on GitHub; branch names are not.
    const branch = `${`${task.target.owner}/${task.target.repo}`.toLowerCase()}:${plan.checkout.workBranch}`;
    if (deps.claimBranch && !(await deps.claimBranch(branch))) {
      const reason = `another job is writing ${plan.checkout.workBranch}; this one runs after it`;
      outcome = failedOutcome(reason, undefined, "", false);
      return { ...result(), disposition: { kind: "wait", reason, branch } };
    }
    // 2 context, while 3 the checkout is made: neither changes where the other comes from.
    enter("context", "the thread, the repository's instructions, the agent");
    if (made.result) {
      // An earlier attempt finished the work and failed to publish it: publish what exists.
      const context = await host.taskContext(task, plan);
      current = context.task;
      ({ agent, outcome, verdict, commit } = made.result);
      step = made.result.step;
      return await publishAndClose();
    }
    workspace = deps.workspace(plan);
    const preparing = workspace.prepare(checkoutAbort.signal);
    preparing.catch(() => undefined);
    const context = await host.taskContext(task, plan);
    current = context.task;
    const { definition } = context;
    agent = { name: definition.name, version: definition.version };
    const model = deps.modelOverride ?? deps.resolveModel(definition.model);
    allowedModel(model, deps);
    // The operator's ceilings win over the repository's budgets; the job says when they did.
    const capped = capBudgets(
      { ...budgetsFor(plan.config, { ...DEFAULT_BUDGETS, ...deps.budgets }), ...deps.budgetOverrides },
      plan.config.budgets,
      deps.limits ?? {},
    );
    const limitNote = renderLimitNotices(capped.notices);
    if (limitNote) host.note?.(limitNote);
    await progress("cloning", "preparing the workspace");
    prepared = await preparing;
    // The services the repository's tests need, for the agent's Go runs and the verdict's alike.
    if (wantsServices(plan.config.verify.services)) await progress("cloning", "starting services");
    const goToolchain = deps.toolchain(plan);
    services = await startJobServices(
      deps.services,
      plan.config,
      prepared.dir,
      signal,
      goToolchain.isolation === "bubblewrap",
    );
    // A base update merges the base first (base-update.ts): the agent only resolves conflicts.
    const merge =
      task.trigger.kind === "base_update" ? await mergeBase(workspace, deps.author, signal) : undefined;
    const agentNeeded = !merge || merge.kind === "conflict";
    // 4 run
    const toolchain = withServices(goToolchain, services.job, services.tags);
    const servicesExtra = migrationChecks(services, plan.config);
    // Modules before the agent's first (offline) Go run; a failure is the agent's to know.
    await progress("cloning", "downloading modules");
    const modules = await prepareRepositoryModules(toolchain, prepared.dir, signal);
    const protectedGlobs = protectedPaths(plan.config);
    codeIntelligence = deps.codeIntelligence?.(plan, prepared.dir);
    await progress("agent", `${definition.name}@${definition.version} on ${model}`);
    // Kept so a repair round continues the same conversation.
    const conversation: MessageParam[] = [];
    const agentOptions: RunAgentOptions = {
      definition,
      model,
      task: current,
      checkoutDir: prepared.dir,
      modelClient: deps.modelClient,
      toolchain,
      budgets: capped.budgets,
      signal,
      protectedGlobs,
      allowedTools: context.tools,
      extraContext: [
        context.material,
        modulesMaterial(modules),
        servicesMaterial(services),
        merge?.kind === "conflict" ? conflictMaterial(merge) : "",
      ]
        .filter(Boolean)
        .join("\n\n"),
      ...(context.reviewCommentIds?.length ? { reviewCommentIds: context.reviewCommentIds } : {}),
      ...(codeIntelligence ? { codeIntelligence } : {}),
      onProgress: (p: AgentProgress) => {
        const what = p.event === "tool_call" ? `${p.tool}${p.detail ? ` ${p.detail}` : ""}` : "model call";
        progress("agent", what, p).catch(() => undefined);
      },
      onTranscript: journal,
      conversation,
    };
    const agentStarted = Date.now();
    if (agentNeeded) {
      // Counted before the first model call: a crash mid-run still shows what was paid.
      made.agentRuns += 1;
      await recordMade();
      outcome = await runAgent(agentOptions);
    } else {
      outcome = mergedOutcome(merge!, model);
    }
    if (outcome.kind === "completed") {
      const ws = workspace;
      // Git knows better than the tools what changed (go fmt and go mod tidy edit files too).
      // The tools never write protected paths, but code the agent ran (a test) can write
      // anywhere in the checkout: such a change is not committed. Checked before verifying
      // (and after each repair round), whose own leftovers are left out of the commit anyway.
      const changedChecked = async () => {
        const files = await ws.changedFiles();
        // What a base update's merge brought in is the base's, already on the repository.
        const brought = new Set(merge && merge.kind !== "current" ? merge.brought : []);
        const forbidden = files.filter(
          (f) => !brought.has(f) && matchesAny(f, [...BUILTIN_PROTECTED_GLOBS, ...protectedGlobs]),
        );
        if (forbidden.length > 0) {
          throw new ProtectedPathsChanged(
            `the change touches protected paths (${forbidden.join(", ")}), which the agent's tools may not write, so code it ran wrote them; nothing was committed`,
          );
        }
        return files;
      };
      // 5 verify, and repair what the change broke
      await progress("verifying", "the changed files");
      const verified = await verifyAndRepair({
        toolchain,
        dir: prepared.dir,
        baseSha: prepared.baseSha,
        // A merge nobody's conversation made has no agent to repair it.
        config: agentNeeded
          ? plan.config
          : { ...plan.config, verify: { ...plan.config.verify, repair_rounds: 0 } },
        outcome,
        changedFiles: changedChecked,
        extraChecks: [...(deps.extraChecks?.(plan, prepared.dir) ?? []), ...servicesExtra],
        ...(deps.evidenceTools ? { evidenceTools: deps.evidenceTools } : {}),
        speedTask: asksForSpeed(taskText(current)),
        // The wall clock keeps running across rounds: a round gets what the first run left.
        resume: (message, prior) => {
          const wall = { ...DEFAULT_BUDGETS, ...agentOptions.budgets }.maxWallClockMs;
          const left = Math.max(1000, wall - (Date.now() - agentStarted));
          return runAgent({
            ...agentOptions,
            budgets: { ...agentOptions.budgets, maxWallClockMs: left },
            resume: { message, prior },
          });
        },
        ...(signal ? { signal } : {}),
        onProgress: (detail) => {
          progress("verifying", detail).catch(() => undefined);
        },
      });
      verdict = await finishVerdict(verified.verdict);
      outcome = verified.outcome;
      if (merge) requireVerified(merge, verdict, prepared.branch);
      let changed = verified.changed;
      // 6 commit and push. Files the tests wrote during verification are not the agent's work.
      const leftovers = new Set(verdict?.leftovers ?? []);
      changed = changed.filter((f) => !leftovers.has(f));
      outcome = { ...outcome, changedFiles: changed };
      throwIfStopped(signal);
      const sha =
        changed.length > 0
          ? await workspace.commit({
              message: merge
                ? `Merge ${merge.branch} into ${prepared.branch}\n\n${commitMessage(outcome.sections, fallbackSubject(current))}`
                : commitMessage(outcome.sections, fallbackSubject(current)),
              author: deps.author,
              ...(context.coAuthor ? { coAuthor: context.coAuthor } : {}),
              ...(leftovers.size ? { exclude: [...leftovers] } : {}),
            })
          : null;
      commit = { ...commitBase(prepared), sha, pushed: false };
      if (sha) {
        throwIfStopped(signal);
        await progress("pushing", prepared.branch);
        // Someone pushed to the branch while the job ran: the commit goes on top, verified there.
        const caught = await workspace.catchUp?.(signal);
        if (caught?.kind === "conflict") {
          throw new BranchMovedError(
            `${prepared.branch} moved while the job ran and its change conflicts with the new commits`,
            `**\`${prepared.branch}\` moved while the job ran** (someone pushed \`${caught.onto.slice(0, 12)}\`), and the job's change conflicts with it in ${caught.files.map((f: string) => `\`${f}\``).join(", ") || "some files"}. Nothing was pushed; comment again to run the job on the new tip.`,
          );
        }
        if (caught?.kind === "rebased") {
          commit = { ...commit, sha: caught.sha, baseSha: caught.onto };
          await progress("verifying", `again on ${caught.onto.slice(0, 12)}, the branch's new tip`);
          const again = await verifyAndRepair({
            toolchain,
            dir: prepared.dir,
            baseSha: caught.onto,
            config: { ...plan.config, verify: { ...plan.config.verify, repair_rounds: 0 } },
            outcome,
            changedFiles: changedChecked,
            extraChecks: [...(deps.extraChecks?.(plan, prepared.dir) ?? []), ...servicesExtra],
            resume: async () => outcome!,
            ...(signal ? { signal } : {}),
            onProgress: (detail) => {
              progress("verifying", detail).catch(() => undefined);
            },
          });
          const reverified = await finishVerdict(again.verdict);
          if (reverified)
            verdict = { ...reverified, ...(verdict?.repairs ? { repairs: verdict.repairs } : {}) };
          throwIfStopped(signal);
          await progress("pushing", prepared.branch);
        }
        commit.pushed = (await workspace.push(signal)).pushed;
      }
    }
    if (outcome.kind !== "failed") {
      // The work is done: a retry from here on only publishes it.
      made.result = saved({
        agent,
        outcome,
        ...(verdict ? { verdict } : {}),
        ...(commit ? { commit } : {}),
        step,
      });
      await recordMade();
    }
  } catch (err) {
    // A refusal the person can fix, or an infrastructure failure (clone, git, GitHub).
    const reason = err instanceof JobRefusal ? err.message : errorReason(err, step);
    if (err instanceof JobRefusal) explanation = err.markdown;
    outcome = failedOutcome(reason, outcome, deps.modelOverride ?? "", classifyError(err) === "transient");
    // A commit that was pushed stays named (the failure came later); an unpushed one never is.
    if (prepared)
      commit = { ...commitBase(prepared), ...(commit?.pushed ? commit : { sha: null, pushed: false }) };
    else if (workspace) {
      abortCheckout();
      await settle(workspace.prepare(checkoutAbort.signal));
    }
  }
  return publishAndClose();

  // 7 publish. When publishing itself fails, the failure is published instead (the host
  // says so where people look), and its cause decides whether the job runs again.
  async function publishAndClose(): Promise<JobResult> {
    let final = result();
    journal({ kind: "step", step: "publishing", detail: final.disposition.kind });
    try {
      final = { ...final, published: await host.publish(final) };
    } catch (err) {
      const failedStep: JobStep = "publishing";
      outcome = failedOutcome(
        errorReason(err, failedStep),
        outcome,
        deps.modelOverride ?? "",
        classifyError(err) === "transient",
      );
      step = failedStep;
      final = result();
      const published: Published | undefined = await host.publish(final).catch(() => undefined);
      if (published) final = { ...final, published };
    } finally {
      signal?.removeEventListener("abort", abortCheckout);
      await codeIntelligence?.close();
      // Servers and their data go with the job, whatever way it ended.
      await services?.job?.stop();
      await workspace?.dispose?.();
    }
    return final;
  }
}

/** Refuses, before any model call, a model the operator's ALLOWED_MODELS leaves out. */
function allowedModel(model: string, deps: JobDeps): void {
  if (!deps.limits) return;
  try {
    checkModelAllowed(model, deps.limits, deps.resolveModel);
  } catch (err) {
    if (!(err instanceof ModelNotAllowedError)) throw err;
    const list = err.allowed.map((m) => `\`${m}\``).join(", ");
    throw new JobRefusal(
      err.message,
      `**The model \`${model}\` is not allowed here.** The operator allows only ${list} (\`ALLOWED_MODELS\`). ` +
        `Set \`model:\` in \`${CONFIG_PATH}\` (or in the agent's front matter) to one of them, and ask again.`,
    );
  }
}

function verdictEntry(v: Verdict): JournalEntry {
  return {
    kind: "verdict",
    overall: v.overall,
    summary: v.summary,
    rows: v.checks.map((c) => ({
      name: c.name,
      status: c.status,
      summary: c.summary,
      ...(c.durationMs !== undefined ? { durationMs: c.durationMs } : {}),
    })),
  };
}

function commitBase(prepared: PreparedWorkspace): Omit<CommitInfo, "sha" | "pushed"> {
  return { branch: prepared.branch, baseSha: prepared.baseSha, startedFrom: prepared.startedFrom };
}

async function settle(p: Promise<unknown>): Promise<void> {
  await p.then(
    () => undefined,
    () => undefined,
  );
}
