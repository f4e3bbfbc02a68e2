// Answers every tool_use block of one turn in one user message. Consecutive read-only
// calls run concurrently; calls that change things run one at a time, in the model's order.
// A call the model keeps repeating is refused, or ends the run (repeat-guard.ts).

import { truncateMiddle } from "../text.js";
import type { ToolResultBlock, ToolUseBlock } from "./model/model-client.js";
import type { TranscriptEntry } from "./outcome.js";
import type { RepeatGuard } from "./repeat-guard.js";
import { runTool, toolByName } from "./tools/registry.js";
import type { ToolContext, ToolResult } from "./tools/types.js";

const RESULT_CHARS = 30_000;
const TRANSCRIPT_CHARS = 4_000;

export interface ToolBatchResult {
  blocks: ToolResultBlock[];
  entries: TranscriptEntry[];
  clarification?: string[];
  /** Set when the model repeated one call so often that the run must end; nothing ran. */
  loop?: string;
}

export interface ToolCallEvent {
  name: string;
  input: unknown;
  isError: boolean;
}

async function runOne(call: ToolUseBlock, ctx: ToolContext): Promise<{ result: ToolResult; ms: number }> {
  const started = Date.now();
  const result = await runTool(call.name, call.input, ctx);
  return { result, ms: Date.now() - started };
}

export async function runToolBatch(
  calls: ToolUseBlock[],
  ctx: ToolContext,
  turn: number,
  onCall?: (event: ToolCallEvent) => void,
  repeats?: RepeatGuard,
): Promise<ToolBatchResult> {
  // Judged in the model's order before anything runs: a refused call is answered, not run.
  const verdicts = calls.map((c) => repeats?.check(c.name, c.input) ?? { kind: "run" as const });
  const stop = verdicts.find((v) => v.kind === "stop");
  if (stop) return { blocks: [], entries: [], loop: stop.reason };
  const refused = (k: number) => {
    const v = verdicts[k]!;
    return v.kind === "refuse" ? { result: { content: v.message, isError: true }, ms: 0 } : undefined;
  };
  const run = (k: number) => refused(k) ?? runOne(calls[k]!, ctx);
  const outcomes: { result: ToolResult; ms: number }[] = [];
  for (let i = 0; i < calls.length; ) {
    let j = i;
    while (j < calls.length && toolByName(calls[j]!.name)?.readOnly) j++;
    if (j > i) {
      const group = [...Array(j - i).keys()].map((n) => run(i + n));
      outcomes.push(...(await Promise.all(group)));
      i = j;
    } else {
      outcomes.push(await run(i));
      i++;
    }
  }
  const blocks: ToolResultBlock[] = [];
  const entries: TranscriptEntry[] = [];
  let clarification: string[] | undefined;
  calls.forEach((call, k) => {
    const { result, ms } = outcomes[k]!;
    const content = truncateMiddle(result.content, RESULT_CHARS);
    const isError = result.isError === true;
    blocks.push({
      type: "tool_result",
      tool_use_id: call.id,
      content,
      ...(isError ? { is_error: true } : {}),
    });
    entries.push({
      kind: "tool_call",
      turn,
      id: call.id,
      name: call.name,
      input: call.input,
      output: truncateMiddle(content, TRANSCRIPT_CHARS),
      isError,
      durationMs: ms,
    });
    if (result.clarification) clarification = [...(clarification ?? []), ...result.clarification];
    onCall?.({ name: call.name, input: call.input, isError });
  });
  return { blocks, entries, clarification };
}
