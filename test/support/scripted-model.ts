// The scripted Anthropic-compatible server for tests, with small builders for script steps.
// The server itself lives in model-server.mjs so it can also run as its own process.
import type {
  RecordedRequest,
  ScriptedBlock,
  ScriptedError,
  ScriptedMessage,
  ScriptedResponse,
  ScriptStep,
} from "./model-server.mjs";

export type {
  RecordedRequest,
  ScriptedBlock,
  ScriptedError,
  ScriptedMessage,
  ScriptedModelServer,
  ScriptStep,
} from "./model-server.mjs";
export { startScriptedModel } from "./model-server.mjs";

/** An assistant message that calls tools (stop_reason tool_use). */
export function callTools(...calls: { name: string; input: unknown; text?: string }[]): ScriptedMessage {
  const content: ScriptedBlock[] = [];
  for (const c of calls) {
    if (c.text) content.push({ type: "text", text: c.text });
    content.push({ type: "tool_use", name: c.name, input: c.input });
  }
  return { content, stop_reason: "tool_use" };
}

/** One tool call. */
export function tool(name: string, input: unknown): ScriptedMessage {
  return callTools({ name, input });
}

/** A final text answer (stop_reason end_turn). */
export function say(text: string, stopReason = "end_turn"): ScriptedMessage {
  return { content: [{ type: "text", text }], stop_reason: stopReason };
}

/** An HTTP error with Anthropic's error body. */
export function httpError(status: number, message?: string): ScriptedError {
  return { error: { status, message } };
}

export interface SeenToolResult {
  tool_use_id: string;
  content: string;
  is_error: boolean;
}

/** The tool results in the last user message of a request. */
export function toolResults(request: RecordedRequest): SeenToolResult[] {
  const last = request.messages?.at(-1);
  if (last?.role !== "user" || !Array.isArray(last.content)) return [];
  return last.content
    .filter((b: { type: string }) => b.type === "tool_result")
    .map((b: { tool_use_id: string; content: unknown; is_error?: boolean }) => ({
      tool_use_id: b.tool_use_id,
      content:
        typeof b.content === "string"
          ? b.content
          : (b.content as { text?: string }[]).map((p) => p.text ?? "").join(""),
      is_error: b.is_error === true,
    }));
}

/** A report with the given sections, each with a line of text. */
export function report(sections: string[], body = "Done."): string {
  return sections.map((s) => `## ${s}\n${body}\n`).join("\n");
}

export const GO_ENGINEER_SECTIONS = ["Summary", "Implementation", "Files Changed", "Testing", "Next Steps"];

/**
 * A model call that hangs until `release` (if ever); `reached` resolves when the request
 * arrives. A run that ends while it is never released must have aborted the request.
 */
export function heldStep(then: ScriptedResponse = say("released")): {
  step: ScriptStep;
  reached: Promise<void>;
  release: () => void;
} {
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((r) => {
    reach = r;
  });
  const released = new Promise<void>((r) => {
    release = r;
  });
  return {
    step: async () => {
      reach();
      await released;
      return then;
    },
    reached,
    release,
  };
}
