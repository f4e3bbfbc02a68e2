// The CodeHost port for the CLI: the repository is a local checkout and the terminal is
// where people look. Its configuration, instructions and agents are read from the checkout's
// HEAD (the base commit, before the agent changed anything) through the same loaders the app
// uses, so a repository behaves the same under `backend-go-agent run` as on GitHub. The
// report goes to stdout, progress to stderr.
import { resolve } from "node:path";
import { type AgentDefinition, loadAgentDefinition } from "../agent/definition.js";
import type { AgentProgress } from "../agent/outcome.js";
import { JobRefusal } from "../pipeline/job-errors.js";
import type {
  CodeHost,
  GateDecision,
  JobResult,
  JobStage,
  Published,
  TaskContext,
  WorkPlan,
} from "../pipeline/ports.js";
import type { TaskRequest } from "../pipeline/task.js";
import { loadAgentMaterial } from "../repo/agent-material.js";
import {
  loadRepoConfig,
  localConfigReader,
  localGitRepoFiles,
  RepoConfigError,
  type RepoFiles,
} from "../repo/index.js";
import { cliBranchName } from "../workspace/local-workspace.js";

export interface LocalCodeHostOptions {
  repoDir: string;
  appAgentsDir: string;
  out: (text: string) => void;
  err: (line: string) => void;
  now?: () => Date;
}

/** The terminal's words for the stages: nothing is cloned or pushed here. */
const STAGE_LABELS: Record<JobStage, string> = {
  cloning: "preparing",
  agent: "agent",
  verifying: "verifying",
  pushing: "committing",
};

const fmt = new Intl.NumberFormat("en-US");

export class LocalCodeHost implements CodeHost {
  private files: RepoFiles | undefined;

  constructor(private readonly o: LocalCodeHostOptions) {}

  async gate(task: TaskRequest): Promise<GateDecision> {
    const files = await this.repoFiles();
    const { owner, repo } = task.target;
    try {
      const config = await loadRepoConfig(localConfigReader(files, { owner, repo }), { owner, repo });
      const workBranch = cliBranchName((this.o.now ?? (() => new Date()))());
      return {
        kind: "accepted",
        plan: { config, checkout: { cloneUrl: this.o.repoDir, baseBranch: "HEAD", workBranch } },
      };
    } catch (err) {
      if (err instanceof RepoConfigError) throw new JobRefusal(err.message, err.render());
      throw err;
    }
  }

  async taskContext(task: TaskRequest, plan: WorkPlan): Promise<TaskContext> {
    // An agent given by path is read from there; a name is looked up like the app does.
    const requested = task.agent;
    const definition: AgentDefinition | undefined = requested?.endsWith(".md")
      ? await loadAgentDefinition(resolve(requested))
      : undefined;
    const material = await loadAgentMaterial({
      files: await this.repoFiles(),
      config: plan.config,
      appAgentsDir: this.o.appAgentsDir,
      requested: definition ? undefined : requested,
      definition,
    });
    for (const problem of material.problems) this.o.err(`warning: ${problem.file}: ${problem.message}`);
    return {
      task: { ...task, agent: material.definition.name },
      definition: material.definition,
      tools: material.tools,
      material: material.instructions,
    };
  }

  reportProgress(stage: JobStage, detail: string, p?: AgentProgress): void {
    const { err } = this.o;
    if (!p) {
      err(`▸ ${STAGE_LABELS[stage]}: ${detail}`);
      return;
    }
    const turn = `[turn ${p.turn}/${p.maxTurns}]`;
    if (p.event === "model_call") {
      err(`${turn} model replied · ${fmt.format(p.tokens)} tokens · $${p.costUsd.toFixed(4)}`);
    } else {
      err(`${turn}   ${p.tool}${p.detail ? ` ${p.detail}` : ""}${p.isError ? "  (error)" : ""}`);
    }
  }

  async publish(result: JobResult): Promise<Published> {
    const { out, err } = this.o;
    const { outcome, commit, verdict } = result;
    const u = outcome.usage;
    const spend = `${outcome.turns} turns · ${fmt.format(
      u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens,
    )} input / ${fmt.format(u.output_tokens)} output tokens · $${outcome.costUsd.toFixed(4)}`;
    if (outcome.kind === "completed") {
      out(`${outcome.report}\n`);
      err(`✓ completed: ${spend}`);
      if (verdict) err(`  verification: ${verdict.overall} (${verdict.summary})`);
      if (commit?.sha)
        err(
          `  committed ${commit.sha.slice(0, 12)} on branch ${commit.branch} (from ${commit.baseSha.slice(0, 12)})`,
        );
      else err(`  no files changed; branch ${commit?.branch ?? "?"} has no new commit`);
    } else if (outcome.kind === "needs_clarification") {
      out(
        `The agent needs answers before it can go on:\n${outcome.questions.map((q, i) => `${i + 1}. ${q}`).join("\n")}\n`,
      );
      err(`? needs clarification: ${spend}. Re-run with the answers in --task.`);
    } else {
      err(`✗ failed: ${outcome.reason}`);
      err(`  ${spend}${commit ? `; nothing committed (branch ${commit.branch})` : ""}`);
    }
    return {};
  }

  private async repoFiles(): Promise<RepoFiles> {
    // Read at HEAD, which is the base commit here: before the agent changed anything.
    this.files ??= await localGitRepoFiles(this.o.repoDir, "HEAD");
    return this.files;
  }
}
