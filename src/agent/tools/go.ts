// The `go` tool: an allowlist of subcommands, run through the Toolchain port (which owns
// the sandbox and the scrubbed environment). Flags that would run other programs, change
// directory or write outside the checkout are refused here as well.
import { isAbsolute } from "node:path";
import { z } from "zod";
import { describeForAgent, parseModuleProblems } from "../../golang/module-errors.js";
import { orEmpty, truncateMiddle } from "../../text.js";
import { defineTool, ToolInputError } from "./types.js";

const SIMPLE = new Set(["build", "test", "vet", "fmt", "list", "doc", "version", "env"]);
const MOD = new Set(["tidy", "download", "why", "graph"]);
/** -exec/-toolexec run arbitrary programs; -C changes directory; -modfile/-overlay read outside inputs. */
const REFUSED_FLAGS = new Set(["exec", "toolexec", "C", "modfile", "overlay", "pkgdir"]);

export function checkGoArgs(args: string[]): void {
  const [sub, second] = args;
  if (!sub) throw new ToolInputError('args is empty; e.g. ["test", "./..."]');
  const allowed = SIMPLE.has(sub) || (sub === "mod" && second !== undefined && MOD.has(second));
  if (!allowed) {
    throw new ToolInputError(
      `"go ${args.slice(0, 2).join(" ")}" is not allowed. Allowed: go build, test, vet, fmt, list, doc, version, env, ` +
        "and go mod tidy, download, why, graph.",
    );
  }
  for (const arg of args) {
    const flag = /^--?([A-Za-z][\w.-]*)(=.*)?$/.exec(arg);
    if (flag) {
      const name = flag[1]!;
      if (REFUSED_FLAGS.has(name)) throw new ToolInputError(`the flag -${flag[1]} is not allowed`);
      if (sub === "env" && (name === "w" || name === "u"))
        throw new ToolInputError("go env -w/-u is not allowed");
    }
    const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : arg;
    if (isAbsolute(value) || value.split(/[\\/]/).includes("..")) {
      throw new ToolInputError(`"${arg}" points outside the repository; use paths relative to it`);
    }
  }
}

export const goTool = defineTool({
  name: "go",
  description:
    "Run the Go toolchain in the repository root: go build, test, vet, fmt, list, doc, version, env, and " +
    'go mod tidy/download/why/graph. Pass the arguments after `go`, e.g. ["test", "./..."]. ' +
    "Only go mod commands may use the network.",
  readOnly: false,
  input: z.object({
    args: z.array(z.string()).describe('Arguments after "go", e.g. ["test", "-run", "TestX", "./..."].'),
  }),
  async run({ args }, ctx) {
    checkGoArgs(args);
    const res = await ctx.toolchain.go(args, {
      cwd: ctx.root,
      root: ctx.root,
      timeoutMs: ctx.goTimeoutMs,
      signal: ctx.signal,
      network: args[0] === "mod",
    });
    const command = `$ go ${args.join(" ")}`;
    const output = truncateMiddle(
      orEmpty(
        [res.stdout, res.stderr]
          .map((s) => s.trimEnd())
          .filter(Boolean)
          .join("\n"),
      ),
    );
    if (res.timedOut) {
      return {
        content: `${command}\ntimed out after ${Math.round(ctx.goTimeoutMs / 1000)} s and was killed\n${output}`,
        isError: true,
      };
    }
    if (res.aborted) return { content: `${command}\ncancelled`, isError: true };
    const cut = res.truncated ? "\n[output went past the capture limit and was cut]" : "";
    // A module that cannot be had is named up front: go's own message is often pages down.
    const problems =
      res.exitCode === 0 ? "" : describeForAgent(parseModuleProblems(`${res.stderr}\n${res.stdout}`));
    const head = problems ? `${problems}\n\n` : "";
    return {
      content: `${command}\nexit code ${res.exitCode}\n${head}${output}${cut}`,
      isError: res.exitCode !== 0,
    };
  },
});
