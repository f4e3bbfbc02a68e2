import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { runProcess } from "../../process/run-process.js";
import { hostGitArgs, hostGitEnv } from "../../workspace/git-env.js";
import { resolveForRead } from "./file-guards.js";
import { defineTool, ToolInputError } from "./types.js";

const MAX_ENTRIES = 500;

export const listFiles = defineTool({
  name: "list_files",
  description:
    "List files and directories under a path of the repository (default: the root), as an indented tree. " +
    "Honours .gitignore. Directories deeper than `depth` are summarised with a file count.",
  readOnly: true,
  input: z.object({
    path: z.string().optional().describe("Directory relative to the repository root; default the root."),
    depth: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe("How many directory levels to show; default 3."),
  }),
  async run({ path, depth }, ctx) {
    const dir = await resolveForRead(ctx, path ?? ".");
    if (!(await stat(dir.abs)).isDirectory()) throw new ToolInputError(`"${path}" is a file; use read_file`);
    const maxDepth = depth ?? 3;
    const prefix = dir.rel === "." ? "" : `${dir.rel}/`;
    const res = await runProcess(
      {
        command: "git",
        args: hostGitArgs([
          "ls-files",
          "--cached",
          "--others",
          "--exclude-standard",
          "-z",
          "--",
          prefix || ".",
        ]),
        env: hostGitEnv(),
      },
      { cwd: ctx.root, timeoutMs: 30_000, signal: ctx.signal },
    );
    if (res.exitCode !== 0) throw new ToolInputError(`listing failed: ${res.stderr.trim()}`);
    // Deleted tracked files still appear in the index listing; keep what exists.
    const files = res.stdout
      .split("\0")
      .filter((f) => f && existsSync(join(ctx.root, f)))
      .map((f) => f.slice(prefix.length));
    const shown = new Set<string>();
    const hidden = new Map<string, number>();
    for (const f of files) {
      const parts = f.split("/");
      if (parts.length > maxDepth) {
        const d = `${parts.slice(0, maxDepth).join("/")}/`;
        hidden.set(d, (hidden.get(d) ?? 0) + 1);
        for (let i = 1; i < maxDepth; i++) shown.add(`${parts.slice(0, i).join("/")}/`);
        continue;
      }
      for (let i = 1; i < parts.length; i++) shown.add(`${parts.slice(0, i).join("/")}/`);
      shown.add(f);
    }
    for (const d of hidden.keys()) shown.add(d);
    const entries = [...shown].sort();
    const lines = entries.slice(0, MAX_ENTRIES).map((e) => {
      const trimmed = e.endsWith("/") ? e.slice(0, -1) : e;
      const level = trimmed.split("/").length - 1;
      const name = trimmed.split("/").at(-1);
      const count = hidden.get(e);
      return `${"  ".repeat(level)}${name}${e.endsWith("/") ? "/" : ""}${count ? ` (${count} files)` : ""}`;
    });
    if (entries.length > MAX_ENTRIES)
      lines.push(`[... ${entries.length - MAX_ENTRIES} more entries not shown; list a subdirectory]`);
    const header = `${dir.rel === "." ? "Repository root" : dir.rel}: ${files.length} files`;
    return {
      content:
        files.length === 0 ? `${header} (empty or everything is ignored)` : `${header}\n${lines.join("\n")}`,
    };
  },
});
