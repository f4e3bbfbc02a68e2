// The job's toolchain with its services: every Go run (the agent's `go` tool, the verdict's
// go test, a repository's verify command) gets the services' variables, the socket directory
// mounted into the sandbox, the bridge to NATS (runWrapper), and the repository's build tags.
import type { RunOptions, Toolchain } from "../golang/toolchain.js";
import type { JobServices } from "./services.js";

/** GOFLAGS' -tags for `tags`, or "" for none. */
export function tagsFlag(tags: readonly string[]): string {
  return tags.length ? `-tags=${tags.join(",")}` : "";
}

export function withServices<T extends Toolchain>(
  toolchain: T,
  services: Pick<JobServices, "env" | "socketDirs" | "runWrapper"> | undefined,
  tags: readonly string[],
): T {
  const flag = tagsFlag(tags);
  if (!flag && !services?.socketDirs.length && !Object.keys(services?.env ?? {}).length) return toolchain;
  const options = (opts: RunOptions): RunOptions => {
    // The run's own GOFLAGS come after the tags: a later flag wins.
    const goflags = [flag, opts.env?.GOFLAGS].filter(Boolean).join(" ");
    return {
      ...opts,
      env: { ...services?.env, ...opts.env, ...(goflags ? { GOFLAGS: goflags } : {}) },
      binds: [...(opts.binds ?? []), ...(services?.socketDirs ?? [])],
      ...(services?.runWrapper && !opts.wrap ? { wrap: services.runWrapper } : {}),
    };
  };
  return {
    ...toolchain,
    buildTags: [...(toolchain.buildTags ?? []), ...tags],
    go: (args, opts) => toolchain.go(args, options(opts)),
    gofmt: (args, opts) => toolchain.gofmt(args, options(opts)),
    run: (command, args, opts) => toolchain.run(command, args, options(opts)),
  };
}
