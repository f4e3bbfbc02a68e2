// Which tools an agent may use. An agent's `tools` front matter restricts the set; absent,
// it gets every tool. Claude Code subagent files name Claude Code's tools (Read, Grep, Bash…),
// so those names map onto ours; Claude Code tools with no counterpart here (WebFetch, Task,
// MCP tools…) are dropped rather than refused, so such a file still works. A name neither
// we nor Claude Code know is an error: a typo must not quietly widen or narrow the set.
import type { AgentDefinition } from "../agent/definition.js";

export class AgentToolsError extends Error {
  override name = "AgentToolsError";
}

const CLAUDE_CODE_EQUIVALENTS: Readonly<Record<string, readonly string[]>> = {
  Read: ["read_file"],
  Write: ["write_file"],
  Edit: ["edit_file"],
  MultiEdit: ["edit_file"],
  Grep: ["search_code"],
  Glob: ["list_files"],
  LS: ["list_files"],
  // The only command this agent runs is `go`.
  Bash: ["go"],
};

const CLAUDE_CODE_WITHOUT_EQUIVALENT = new Set([
  "WebFetch",
  "WebSearch",
  "Task",
  "Agent",
  "TodoWrite",
  "TodoRead",
  "NotebookRead",
  "NotebookEdit",
  "BashOutput",
  "KillBash",
  "KillShell",
  "ExitPlanMode",
  "SlashCommand",
  "Skill",
]);

/** Always available: an agent that cannot ask would have to guess. */
export const ALWAYS_ALLOWED_TOOLS: readonly string[] = ["ask_clarification"];

/** The tool names the agent may use, in the order of `allToolNames`. */
export function allowedTools(
  definition: Pick<AgentDefinition, "tools" | "source">,
  allToolNames: readonly string[],
): string[] {
  if (definition.tools === undefined) return [...allToolNames];
  const wanted = new Set<string>(ALWAYS_ALLOWED_TOOLS);
  const unknown: string[] = [];
  for (const raw of definition.tools) {
    // Claude Code allows a rule in parentheses, e.g. "Bash(go test:*)"; only the tool counts here.
    const name = raw.replace(/\(.*\)$/s, "").trim();
    if (allToolNames.includes(name)) wanted.add(name);
    else if (CLAUDE_CODE_EQUIVALENTS[name]) for (const n of CLAUDE_CODE_EQUIVALENTS[name]) wanted.add(n);
    else if (!CLAUDE_CODE_WITHOUT_EQUIVALENT.has(name) && !name.startsWith("mcp__")) unknown.push(raw);
  }
  if (unknown.length > 0) {
    throw new AgentToolsError(
      `${definition.source}: front matter field "tools" names unknown tool${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; the tools are ${allToolNames.join(", ")} (or Claude Code's ${Object.keys(CLAUDE_CODE_EQUIVALENTS).join(", ")})`,
    );
  }
  return allToolNames.filter((n) => wanted.has(n));
}
