// What a tool is: a name, a JSON schema the model sees, and a function that never throws
// for anything the model did wrong; refusals come back as is_error results it can read.
import type { z } from "zod";
import type { Toolchain } from "../../golang/toolchain.js";
import type { SafePathPolicy } from "../../workspace/safe-path.js";
import type { CodeIntelligence } from "../code-intelligence.js";

export interface ToolContext {
  /** Real path of the checkout; also the policy's root. */
  root: string;
  policy: SafePathPolicy;
  toolchain: Toolchain;
  signal: AbortSignal;
  /** Limit for one `go` run. */
  goTimeoutMs: number;
  /** Largest file read or written, in bytes. */
  maxFileBytes: number;
  /** Paths (relative, `/`-separated) the tools created, changed or deleted. */
  touched: Set<string>;
  /** The tools this agent may use; absent means all. */
  allowedTools?: ReadonlySet<string>;
  /** gopls, for the go_* code tools; absent, they say it is not set up. */
  codeIntelligence?: CodeIntelligence;
}

export interface ToolResult {
  content: string;
  isError?: boolean;
  /** Set by ask_clarification: the run ends with these questions. */
  clarification?: string[];
}

export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: S;
  /** Read-only tools of one turn run concurrently; the others run one at a time, in order. */
  readOnly: boolean;
  run(input: z.infer<S>, ctx: ToolContext): Promise<ToolResult>;
}

export function defineTool<S extends z.ZodType>(tool: Tool<S>): Tool {
  return tool as unknown as Tool;
}

/** A failure the model caused; its message goes back as an is_error result. */
export class ToolInputError extends Error {
  override name = "ToolInputError";
}
