// Finds an `/agent` command in a comment: a line that starts with the command word,
// outside code fences and block quotes (quoting someone's command must not run it).

export interface AgentCommand {
  /** Everything after the command word: the rest of its line and the lines below it. */
  instruction: string;
  /** `/agent @name …` picks an agent by name. */
  agent?: string;
}

const AGENT_NAME = /^@([a-z0-9][a-z0-9._-]*)(?:\s+|$)/i;

export function parseAgentCommand(body: string | null | undefined, word = "agent"): AgentCommand | null {
  if (!body) return null;
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const start = new RegExp(`^\\s{0,3}/${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=\\s|$)(.*)$`);
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fenceMatch = /^\s{0,3}(```+|~~~+)/.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === null) fence = marker[0]!.repeat(marker.length);
      else if (marker.startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const match = start.exec(line);
    if (!match) continue;
    let instruction = [match[1]!.trim(), ...lines.slice(i + 1)].join("\n").trim();
    let agent: string | undefined;
    const named = AGENT_NAME.exec(instruction);
    if (named) {
      agent = named[1]!;
      instruction = instruction.slice(named[0].length).trim();
    }
    return { instruction, agent };
  }
  return null;
}
