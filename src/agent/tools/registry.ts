// The Go engineer's tools, by name, with the JSON schemas the model sees.
import { z } from "zod";
import { PathRefusedError } from "../../workspace/safe-path.js";
import type { ToolSchema } from "../model/model-client.js";
import { askClarification } from "./ask-clarification.js";
import { deleteFile } from "./delete-file.js";
import { editFile } from "./edit-file.js";
import { goTool } from "./go.js";
import { GO_CODE_TOOLS } from "./go-code.js";
import { listFiles } from "./list-files.js";
import { readFile } from "./read-file.js";
import { searchCode } from "./search-code.js";
import { type Tool, type ToolContext, ToolInputError, type ToolResult } from "./types.js";
import { writeFileTool } from "./write-file.js";

export const TOOLS: readonly Tool[] = [
  listFiles,
  readFile,
  searchCode,
  writeFileTool,
  editFile,
  deleteFile,
  goTool,
  ...GO_CODE_TOOLS,
  askClarification,
];

export const TOOL_NAMES = TOOLS.map((t) => t.name);

export function toolByName(name: string): Tool | undefined {
  return TOOLS.find((t) => t.name === name);
}

export function toolSchemas(tools: readonly Tool[] = TOOLS): ToolSchema[] {
  return tools.map((t) => {
    const { $schema: _, ...schema } = z.toJSONSchema(t.input, { io: "input" }) as Record<string, unknown>;
    return { name: t.name, description: t.description, input_schema: schema };
  });
}

/** Runs one call. Anything the model got wrong comes back as an is_error result, never a throw. */
export async function runTool(name: string, input: unknown, ctx: ToolContext): Promise<ToolResult> {
  const tool = toolByName(name);
  const allowed = ctx.allowedTools ? TOOL_NAMES.filter((n) => ctx.allowedTools!.has(n)) : TOOL_NAMES;
  if (!tool || !allowed.includes(name)) {
    return { content: `There is no tool named "${name}" here. Tools: ${allowed.join(", ")}.`, isError: true };
  }
  const parsed = tool.input.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
    return { content: `Invalid input for ${name}: ${issues}`, isError: true };
  }
  try {
    return await tool.run(parsed.data, ctx);
  } catch (err) {
    if (err instanceof ToolInputError || err instanceof PathRefusedError) {
      return { content: `${name} refused: ${err.message}`, isError: true };
    }
    // Anything else (a filesystem race, the toolchain refusing a run) is still the model's to
    // read and work around; the run goes on.
    const code = (err as NodeJS.ErrnoException).code;
    const message = (err as Error).message.split(ctx.root).join("<repo>");
    return { content: `${name} failed: ${code ? `${code} ` : ""}${message}`, isError: true };
  }
}
