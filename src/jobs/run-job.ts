// The one pipeline every job walks, from the CLI or the GitHub app: prepare the workspace,
// load the agent, run it, verify, commit and push, publish. A run that does not complete
// commits nothing, so nothing half-made is pushed.
import { ZERO_USAGE } from "../agent/model-client.js";
import type { AgentOutcome } from "../agent/outcome.js";
import { runAgent } from "../agent/run-agent.js";
import { redactSecrets } from "../secrets.js";
import { BUILTIN_PROTECTED_GLOBS, matchesAny } from "../workspace/safe-path.js";
import { commitMessage } from "./commit-message.js";
import { classifyError, PermanentError } from "./errors.js";
import type { CommitInfo, JobDeps, JobResult, PreparedWorkspace, Verdict } from "./ports.js";
import type { TaskRequest } from "./task.js";

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

function failed(
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

export async function runJob(task: TaskRequest, deps: JobDeps): Promise<JobResult> {
  const started = Date.now();
  const { codeHost, workspace } = deps;
  // Progress is a courtesy: a failed update (a rate-limited comment edit) never fails the job.
  const progress = async (...args: Parameters<typeof codeHost.reportProgress>) => {
    try {
      await codeHost.reportProgress(...args);
    } catch {
      // the next update or the final publish says where the job stands
    }
  };
  let agent = { name: task.agent ?? "default", version: "" };
  let prepared: PreparedWorkspace | undefined;
  let outcome: AgentOutcome | undefined;
  let verdict: Verdict | undefined;
  let commit: CommitInfo | undefined;
  try {
    await progress("cloning", "preparing the workspace");
    prepared = await workspace.prepare(deps.signal);
    const definition = await deps.loadAgent(task.agent, prepared.dir);
    agent = { name: definition.name, version: definition.version };
    const model = deps.modelOverride ?? deps.resolveModel(definition.model);
    const extraContext = deps.extraContext ? await deps.extraContext(prepared.dir) : undefined;
    await progress("agent", `${definition.name}@${definition.version} on ${model}`);
    outcome = await runAgent({
      definition,
      model,
      task,
      checkoutDir: prepared.dir,
      modelClient: deps.modelClient,
      toolchain: deps.toolchain,
      budgets: deps.budgets,
      signal: deps.signal,
      protectedGlobs: deps.protectedGlobs,
      ...(deps.allowedTools ? { allowedTools: deps.allowedTools(definition) } : {}),
      extraContext,
      onProgress: (p) => {
        const what = p.event === "tool_call" ? `${p.tool}${p.detail ? ` ${p.detail}` : ""}` : "model call";
        void progress("agent", what, p);
      },
    });
    if (outcome.kind === "completed") {
      // Git knows better than the tools what changed (go fmt and go mod tidy edit files too).
      let changed = await workspace.changedFiles();
      // The tools never write protected paths, but code the agent ran (a test) can write
      // anywhere in the checkout: such a change is not committed. Checked before verifying,
      // whose own leftovers are left out of the commit anyway.
      const globs = [...BUILTIN_PROTECTED_GLOBS, ...(deps.protectedGlobs ?? [])];
      const forbidden = changed.filter((f) => matchesAny(f, globs));
      if (forbidden.length > 0) {
        throw new ProtectedPathsChanged(
          `the change touches protected paths (${forbidden.join(", ")}), which the agent's tools may not write, so code it ran wrote them; nothing was committed`,
        );
      }
      if (deps.verify && changed.length > 0) {
        await progress("verifying", `${changed.length} changed files`);
        verdict = await deps.verify(prepared.dir, changed, deps.signal);
      }
      // Files the tests wrote during verification are not the agent's work.
      const leftovers = new Set(verdict?.leftovers ?? []);
      changed = changed.filter((f) => !leftovers.has(f));
      outcome = { ...outcome, changedFiles: changed };
      const sha =
        changed.length > 0
          ? await workspace.commit({
              message: commitMessage(outcome.sections, fallbackSubject(task)),
              author: deps.author,
              ...(deps.coAuthor ? { coAuthor: deps.coAuthor } : {}),
              ...(leftovers.size ? { exclude: [...leftovers] } : {}),
            })
          : null;
      commit = { branch: prepared.branch, baseSha: prepared.baseSha, sha, pushed: false };
      if (sha) {
        await progress("pushing", prepared.branch);
        commit.pushed = (await workspace.push(deps.signal)).pushed;
      }
    }
  } catch (err) {
    // Infrastructure failures (clone, git, the verifier) end the job with their reason.
    outcome = failed(
      `the job failed: ${redactSecrets((err as Error).message)}`,
      outcome,
      deps.modelOverride ?? "",
      classifyError(err) === "transient",
    );
    if (prepared) commit = { branch: prepared.branch, baseSha: prepared.baseSha, sha: null, pushed: false };
  }
  const result: JobResult = {
    task,
    agent,
    outcome,
    ...(verdict ? { verdict } : {}),
    ...(commit ? { commit } : {}),
    durationMs: Date.now() - started,
  };
  try {
    await codeHost.publish(result);
  } finally {
    if (prepared) await workspace.dispose?.();
  }
  return result;
}
