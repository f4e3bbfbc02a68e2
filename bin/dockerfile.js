// A small Dockerfile reader for the checks that run where no Docker daemon does
// (bin/check-dockerfile.js, bin/dockerfile-dry-run.js): instructions with their continuation
// lines joined, grouped into stages. It understands what this project's Dockerfile uses, not
// the whole syntax (no heredocs, no ARG substitution).

/**
 * @typedef {{ keyword: string, args: string, flags: Record<string, string>, line: number }} Instruction
 * @typedef {{ image: string, name: string | undefined, line: number, instructions: Instruction[] }} Stage
 */

/** @returns {Stage[]} */
export function parseDockerfile(text) {
  const stages = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? "";
    if (/^\s*(#.*)?$/.test(line)) continue;
    // A trailing backslash continues the instruction; comment lines inside it are dropped.
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? "";
      if (/^\s*#/.test(next)) continue;
      line = `${line.replace(/\\\s*$/, "")} ${next.trim()}`;
    }
    const match = /^\s*(\w+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const keyword = (match[1] ?? "").toUpperCase();
    let args = (match[2] ?? "").trim();
    const flags = {};
    for (let flag = /^--([\w-]+)=(\S+)\s*/.exec(args); flag; flag = /^--([\w-]+)=(\S+)\s*/.exec(args)) {
      flags[flag[1] ?? ""] = flag[2] ?? "";
      args = args.slice(flag[0].length);
    }
    const instruction = { keyword, args, flags, line: start + 1 };
    if (keyword === "FROM") {
      const [image = "", as, name] = args.split(/\s+/);
      stages.push({
        image,
        name: as?.toUpperCase() === "AS" ? name : undefined,
        line: start + 1,
        instructions: [],
      });
    } else if (stages.length > 0) {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** COPY/ADD arguments as sources and destination (JSON-array form included). */
export function copyPaths(args) {
  const words = args.startsWith("[") ? JSON.parse(args) : args.split(/\s+/).filter(Boolean);
  return { sources: words.slice(0, -1), dest: words.at(-1) ?? "" };
}

/** ENV instructions of a stage as a map, `KEY=value` pairs (quotes removed) and `KEY value`. */
export function stageEnv(stage) {
  const env = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== "ENV") continue;
    const pairs = [...args.matchAll(/([\w.]+)=("[^"]*"|'[^']*'|\S*)/g)];
    if (pairs.length === 0) {
      const [key = "", ...value] = args.split(/\s+/);
      env[key] = value.join(" ");
      continue;
    }
    for (const [, key = "", raw = ""] of pairs) env[key] = raw.replace(/^["']|["']$/g, "");
  }
  return env;
}
