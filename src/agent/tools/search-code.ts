import { z } from "zod";
import { runProcess } from "../../process/run-process.js";
import { orEmpty, truncateMiddle } from "../../text.js";
import { hostGitArgs, hostGitEnv } from "../../workspace/git-env.js";
import { resolveSafePath } from "../../workspace/safe-path.js";
import { defineTool, ToolInputError } from "./types.js";

const MAX_MATCHES = 200;

export const searchCode = defineTool({
  name: "search_code",
  description:
    "Search the repository's files (tracked and new, not ignored) for a regular expression (POSIX extended, " +
    "as git grep -E). Returns path:line:text, at most 200 matches.",
  readOnly: true,
  input: z.object({
    pattern: z.string().min(1).describe("Regular expression."),
    path: z.string().optional().describe("Directory or file to search in; default the whole repository."),
    glob: z.string().optional().describe('File name glob such as "*.go" or "**/*_test.go".'),
  }),
  async run({ pattern, path, glob }, ctx) {
    let base = "";
    if (path) {
      const resolved = await resolveSafePath(ctx.policy, path, { write: false });
      if (!resolved.exists) throw new ToolInputError(`"${path}" does not exist`);
      base = resolved.rel === "." ? "" : resolved.rel;
    }
    if (glob && (glob.startsWith("/") || glob.split("/").includes(".."))) {
      throw new ToolInputError("glob must be relative and stay inside the repository");
    }
    const pathspec = glob
      ? `:(glob)${base ? `${base}/` : ""}${glob.includes("/") ? glob : `**/${glob}`}`
      : base || ".";
    // The pattern follows -e so it can never be read as an option.
    const res = await runProcess(
      {
        command: "git",
        args: hostGitArgs([
          "grep",
          "--untracked",
          "-n",
          "-I",
          "-E",
          "--no-color",
          "-e",
          pattern,
          "--",
          pathspec,
        ]),
        env: hostGitEnv(),
        outputCap: 1024 * 1024,
      },
      { cwd: ctx.root, timeoutMs: 30_000, signal: ctx.signal },
    );
    if (res.exitCode === 1) return { content: `No matches for /${pattern}/${path ? ` in ${path}` : ""}.` };
    if (res.exitCode !== 0)
      throw new ToolInputError(`search failed: ${orEmpty(res.stderr.trim(), "error text")}`);
    const lines = res.stdout.split("\n").filter(Boolean);
    const shown = lines.slice(0, MAX_MATCHES).map((l) => (l.length > 400 ? `${l.slice(0, 400)} [...]` : l));
    const more =
      lines.length > MAX_MATCHES
        ? `\n[... ${lines.length - MAX_MATCHES} more matches not shown; narrow the pattern, path or glob]`
        : "";
    return { content: truncateMiddle(`${lines.length} matches\n${shown.join("\n")}${more}`) };
  },
});
