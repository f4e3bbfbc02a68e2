// The tool loop: the model and the tools take turns until the model produces a report that
// passes the definition's output_schema, asks a clarifying question, or a budget runs out.
import { realpath } from "node:fs/promises";
import type { Toolchain } from "../golang/toolchain.js";
import type { TaskRequest } from "../pipeline/task.js";
import { redactSecrets } from "../secrets.js";
import { truncateMiddle } from "../text.js";
import { BUILTIN_PROTECTED_GLOBS } from "../workspace/safe-path.js";
import {
  ABORTED,
  type BudgetExhausted,
  type Budgets,
  checkSpend,
  DEFAULT_BUDGETS,
  exhaustedTurns,
  exhaustedWallClock,
} from "./budget.js";
import type { CodeIntelligence } from "./code-intelligence.js";
import type { AgentDefinition } from "./definition.js";
import {
  addUsage,
  type MessageParam,
  ModelCallError,
  type ModelClient,
  type ModelResponse,
  type ToolUseBlock,
  totalTokens,
  ZERO_USAGE,
} from "./model/model-client.js";
import { costUsd } from "./model/pricing.js";
import type { AgentOutcome, AgentProgress, TranscriptEntry } from "./outcome.js";
import { buildSystemPrompt, buildTaskMessage } from "./prompt.js";
import { RepeatGuard } from "./repeat-guard.js";
import { checkReport } from "./report.js";
import { buildRequest, cachedSystem, cachedTools } from "./request.js";
import { unansweredMessage } from "./review-answers.js";
import { runToolBatch } from "./tool-batch.js";
import { TOOLS, toolSchemas } from "./tools/registry.js";
import type { ToolContext } from "./tools/types.js";

export interface RunAgentOptions {
  definition: AgentDefinition;
  /** Concrete model id (aliases already resolved). */
  model: string;
  task: TaskRequest;
  checkoutDir: string;
  modelClient: ModelClient;
  toolchain: Toolchain;
  budgets?: Partial<Budgets>;
  signal?: AbortSignal;
  onProgress?: (progress: AgentProgress) => void;
  /** Each transcript entry as it is made (the job page's live log). */
  onTranscript?: (entry: TranscriptEntry) => void;
  /** Added to the built-in protected globs (`.github/workflows/**`). */
  protectedGlobs?: string[];
  /** More untrusted material for the first message (repository instructions, a PR diff). */
  extraContext?: string;
  /** A review's line comment ids: the report must answer each one (review-answers.ts). */
  reviewCommentIds?: readonly number[];
  goTimeoutMs?: number;
  maxFileBytes?: number;
  /** Restricts the tools (e.g. from the definition's `tools` field); default all. */
  allowedTools?: readonly string[];
  /** Backs the go_* code tools (gopls); absent, they say so. */
  codeIntelligence?: CodeIntelligence;
  /**
   * The conversation, kept by the caller so a later run can continue it: empty to start with
   * the task, or a finished run's messages to go on (see `resume`).
   */
  conversation?: MessageParam[];
  /**
   * Continue `conversation` with this user message (the verdict's failures, for a repair
   * round) instead of starting over; the prior run's facts count against the same budgets.
   */
  resume?: {
    message: string;
    prior: Pick<AgentOutcome, "usage" | "costUsd" | "turns" | "transcript" | "changedFiles">;
  };
}

const MAX_CONTINUATIONS = 3;

/** Overload, rate limits, server errors and lost connections may pass; a refused request will not. */
function isTransientModelFailure(err: unknown): boolean {
  if (!(err instanceof ModelCallError)) return true;
  if (err.aborted) return false;
  const s = err.status;
  return s === undefined || s === 408 || s === 429 || s >= 500;
}

function detailOf(input: unknown): string | undefined {
  if (!input || typeof input !== "object") return undefined;
  const i = input as Record<string, unknown>;
  if (Array.isArray(i.args)) return i.args.join(" ");
  if (typeof i.path === "string") return i.path;
  if (typeof i.pattern === "string") return `/${i.pattern}/`;
  if (typeof i.file === "string") return i.file;
  if (typeof i.query === "string") return i.query;
  return undefined;
}

export async function runAgent(options: RunAgentOptions): Promise<AgentOutcome> {
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...options.budgets };
  const { model, definition, modelClient } = options;
  const root = await realpath(options.checkoutDir);
  const controller = new AbortController();
  let stopCause: BudgetExhausted | undefined;
  const stop = (cause: BudgetExhausted) => {
    stopCause ??= cause;
    controller.abort();
  };
  // Read through a function: TypeScript cannot see the timer and listener set it.
  const stopped = (): BudgetExhausted | undefined => stopCause;
  const onOuterAbort = () => stop(ABORTED);
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const timer = setTimeout(() => stop(exhaustedWallClock(budgets.maxWallClockMs)), budgets.maxWallClockMs);

  const ctx: ToolContext = {
    root,
    policy: { root, protectedGlobs: [...BUILTIN_PROTECTED_GLOBS, ...(options.protectedGlobs ?? [])] },
    toolchain: options.toolchain,
    signal: controller.signal,
    goTimeoutMs: options.goTimeoutMs ?? 5 * 60_000,
    maxFileBytes: options.maxFileBytes ?? 512 * 1024,
    touched: new Set(),
    ...(options.allowedTools ? { allowedTools: new Set(options.allowedTools) } : {}),
    ...(options.codeIntelligence ? { codeIntelligence: options.codeIntelligence } : {}),
  };
  const system = cachedSystem(buildSystemPrompt(definition));
  const tools = cachedTools(
    toolSchemas(TOOLS.filter((t) => !ctx.allowedTools || ctx.allowedTools.has(t.name))),
  );
  const messages: MessageParam[] = options.conversation ?? [];
  const prior = options.resume?.prior;
  if (options.resume && messages.length > 0) {
    messages.push({ role: "user", content: [{ type: "text", text: options.resume.message }] });
  } else {
    messages.push({
      role: "user",
      content: [
        {
          type: "text",
          text: buildTaskMessage(options.task, options.extraContext, options.reviewCommentIds),
        },
      ],
    });
  }
  for (const f of prior?.changedFiles ?? []) ctx.touched.add(f);
  const transcript: TranscriptEntry[] = [...(prior?.transcript ?? [])];
  let usage = prior?.usage ?? ZERO_USAGE;
  let cost = prior?.costUsd ?? 0;
  let turns = prior?.turns ?? 0;
  let turnAllowance = budgets.maxTurns;
  let repaired = false;
  let continuations = 0;
  let pendingText = "";

  const progress = (p: Omit<AgentProgress, "turn" | "maxTurns" | "tokens" | "costUsd">) =>
    options.onProgress?.({
      ...p,
      turn: turns,
      maxTurns: budgets.maxTurns,
      tokens: totalTokens(usage),
      costUsd: cost,
    });
  const facts = () => ({
    usage,
    costUsd: cost,
    turns,
    model,
    transcript,
    changedFiles: [...ctx.touched].sort(),
  });
  const fail = (reason: string, budget?: BudgetExhausted["budget"], transient = false): AgentOutcome => ({
    kind: "failed",
    reason,
    ...(budget ? { budget } : {}),
    ...(transient ? { transient } : {}),
    ...facts(),
  });
  const record = (...entries: TranscriptEntry[]) => {
    transcript.push(...entries);
    for (const e of entries) options.onTranscript?.(e);
  };
  const note = (text: string) => record({ kind: "note", turn: turns, text });
  const repeats = new RepeatGuard();

  try {
    for (;;) {
      if (stopped()) return fail(stopped()!.reason, stopped()!.budget);
      if (turns >= turnAllowance) {
        const t = exhaustedTurns(turns, budgets.maxTurns);
        return fail(t.reason, t.budget);
      }
      const request = buildRequest(model, budgets.maxOutputTokensPerCall, system, tools, messages);
      const started = Date.now();
      let response: ModelResponse;
      try {
        response = await modelClient.create(request, { signal: controller.signal });
      } catch (err) {
        if (stopped()) return fail(stopped()!.reason, stopped()!.budget);
        const message =
          err instanceof ModelCallError ? err.message : `model call failed: ${(err as Error).message}`;
        return fail(
          `the model API failed and retries did not help: ${redactSecrets(message)}`,
          undefined,
          isTransientModelFailure(err),
        );
      }
      turns++;
      usage = addUsage(usage, response.usage);
      const callCost = costUsd(model, response.usage);
      cost += callCost;
      const text = response.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");
      const calls = response.content.filter((b): b is ToolUseBlock => b.type === "tool_use");
      record({
        kind: "model_call",
        turn: turns,
        stopReason: response.stop_reason,
        usage: response.usage,
        costUsd: callCost,
        durationMs: Date.now() - started,
        text: truncateMiddle(text, 4000),
        toolCalls: calls.length,
      });
      progress({ event: "model_call" });
      if (response.content.length > 0) messages.push({ role: "assistant", content: response.content });
      const spent = checkSpend(budgets, usage, cost);
      if (spent) return fail(spent.reason, spent.budget);

      const stopReason = response.stop_reason;
      if (stopReason === "refusal") return fail("the model declined the task (stop_reason: refusal)");
      if (stopReason === "pause_turn") {
        note("pause_turn: sending the conversation back so the model can continue");
        continue;
      }
      if (stopReason === "max_tokens") {
        if (++continuations > MAX_CONTINUATIONS) {
          return fail(
            `the model hit the ${budgets.maxOutputTokensPerCall}-token output limit ${MAX_CONTINUATIONS + 1} times in a row`,
          );
        }
        pendingText += text;
        const content: MessageParam["content"] = calls.map((c) => ({
          type: "tool_result",
          tool_use_id: c.id,
          content: "This call was cut off by the output token limit and did not run. Send it again, smaller.",
          is_error: true,
        }));
        content.push({
          type: "text",
          text: "Your reply was cut off by the output token limit. Continue exactly where you stopped.",
        });
        messages.push({ role: "user", content });
        note(`max_tokens: asked the model to continue (${continuations}/${MAX_CONTINUATIONS})`);
        continue;
      }
      continuations = 0;
      if (calls.length > 0) {
        pendingText = "";
        const batch = await runToolBatch(
          calls,
          ctx,
          turns,
          (e) =>
            progress({ event: "tool_call", tool: e.name, detail: detailOf(e.input), isError: e.isError }),
          repeats,
        );
        if (batch.loop) {
          note(batch.loop);
          return fail(batch.loop);
        }
        record(...batch.entries);
        if (stopped()) return fail(stopped()!.reason, stopped()!.budget);
        if (batch.clarification)
          return { kind: "needs_clarification", questions: batch.clarification, ...facts() };
        messages.push({ role: "user", content: batch.blocks });
        continue;
      }

      // end_turn (or stop_sequence): the text is the report.
      const reportText = (pendingText + text).trim();
      pendingText = "";
      const check = checkReport(reportText, definition.output_schema, options.reviewCommentIds);
      const unanswered = check.unanswered ?? [];
      if (check.missing.length === 0 && unanswered.length === 0 && reportText) {
        return {
          kind: "completed",
          report: reportText,
          sections: check.sections,
          ...(check.reviewAnswers ? { reviewAnswers: check.reviewAnswers } : {}),
          ...facts(),
        };
      }
      const missing = [
        ...check.missing,
        ...(unanswered.length ? [`answers to review comments ${unanswered.join(", ")}`] : []),
      ].join(", ");
      if (repaired)
        return fail(`the report is still missing required sections after a repair turn: ${missing}`);
      repaired = true;
      turnAllowance = Math.max(turnAllowance, turns + 1);
      note(`report missing sections (${missing}); asking once for a complete report`);
      const headings = definition.output_schema.required_sections
        .filter((s) => s.required)
        .map((s) => s.name);
      messages.push({
        role: "user",
        content: [
          {
            type: "text",
            text:
              check.missing.length === 0
                ? unansweredMessage(unanswered)
                : `Your report is missing these required sections: ${check.missing.join(", ")}. Reply with the complete report again, with every required section (${headings.join(", ")}), each under its own Markdown heading (for example "## ${headings[0]}").${unanswered.length ? ` ${unansweredMessage(unanswered)}` : ""}`,
          },
        ],
      });
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
}
