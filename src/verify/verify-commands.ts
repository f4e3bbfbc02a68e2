// A repository's `verify.commands` as verify() options. The four default commands are the
// built-in checks (which know more than an exit code: gofmt on the changed files, vet
// findings, per-package build errors, go test -json); any other command, e.g. `make test`,
// runs as a check of its own in the same sandbox, environment and time limit, executed
// directly (never through a shell) and only if it is a program on the toolchain's PATH.

import { trimTail } from "../text.js";
import { type CheckContext, DETAIL_LIMITS, interrupted, runOptions } from "./checks.js";
import type { Check } from "./verdict.js";
import type { BuiltinCheck, CustomCheck, VerifyOptions } from "./verify.js";

const BUILTIN = new Map<string, BuiltinCheck>([
  [["gofmt", "-l", "."].join("\0"), "gofmt"],
  [["go", "vet", "./..."].join("\0"), "vet"],
  [["go", "build", "./..."].join("\0"), "build"],
  [["go", "test", "./..."].join("\0"), "test"],
]);

export class VerifyCommandError extends Error {
  override name = "VerifyCommandError";
}

/**
 * The verify() options for a repository's commands (RepoConfig["verify"]["commands"]):
 *   verify(toolchain, { dir, changedFiles, signal, ...verifyCommands(config.verify.commands) })
 * Built-in checks run first, in the order listed; the other commands then run in theirs.
 */
export function verifyCommands(
  commands: readonly (readonly string[])[],
): Required<Pick<VerifyOptions, "checks" | "extraChecks">> {
  const checks: BuiltinCheck[] = [];
  const extraChecks: CustomCheck[] = [];
  for (const argv of commands) {
    if (argv.length === 0 || !argv[0]) throw new VerifyCommandError("a verify command is empty");
    const builtin = BUILTIN.get(argv.join("\0"));
    if (builtin) {
      if (!checks.includes(builtin)) checks.push(builtin);
    } else {
      extraChecks.push(commandCheck(argv));
    }
  }
  return { checks, extraChecks };
}

/** The command's own last words; make's "*** [Makefile:7: lint] Error 3" says less. */
function lastLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^make(\[\d+\])?: \*\*\*/.test(l));
  return lines.at(-1) ?? "";
}

/** One repository command as a check: pass on exit 0, fail otherwise (and on a timeout). */
export function commandCheck(argv: readonly string[]): CustomCheck {
  const [command = "", ...args] = argv;
  const name = argv.join(" ");
  return {
    name,
    async run(ctx: CheckContext): Promise<Check> {
      const res = await ctx.toolchain.run(command, args, runOptions(ctx));
      const stopped = interrupted(name, name, res, ctx);
      // A repository's command is its tests more often than not: running out of time fails.
      if (stopped) return stopped.timedOut ? { ...stopped, status: "fail" } : stopped;
      const output = trimTail(`${res.stdout}${res.stderr}`.split(`${ctx.dir}/`).join(""), DETAIL_LIMITS);
      const base = { name, command: name, durationMs: res.durationMs };
      // gofmt -l exits 0 even when it lists files: the list is the failure.
      if (command === "gofmt" && args.includes("-l") && res.exitCode === 0 && res.stdout.trim()) {
        const files = res.stdout.trim().split("\n").length;
        return {
          ...base,
          status: "fail",
          summary: `${files} file${files === 1 ? " needs" : "s need"} gofmt`,
          details: output,
        };
      }
      if (res.exitCode === 0) return { ...base, status: "pass", summary: "exit 0", details: "" };
      const said = lastLine(res.stderr) || lastLine(res.stdout);
      return {
        ...base,
        status: "fail",
        summary: `exit ${res.exitCode}${said ? `: ${said.slice(0, 200)}` : ""}`,
        details: output,
      };
    },
  };
}
