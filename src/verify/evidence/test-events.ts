// A `go test -json` run for an evidence row, read event by event: which top-level tests
// passed, failed or were skipped, and each package's output in order (where the race detector
// writes its reports). checks.ts's report counts; an evidence row needs each test by name.
import type { RunResult, Toolchain } from "../../golang/toolchain.js";
import { innerTestTimeoutMs } from "../checks.js";
import { describeModule, moduleEnv } from "../go-modules.js";

export type TestOutcome = "pass" | "fail" | "skip" | "no-build" | "not-run";

export interface PackageEvents {
  /** Import path. */
  name: string;
  /** Top-level test → how it ended; a test that started and never ended counts as failed. */
  tests: Map<string, TestOutcome>;
  /** The package's test binary (or the package) did not build. */
  buildFailed: boolean;
  /** Every output line of the package and its tests, in order. */
  output: string;
}

export interface TestEventsRun {
  packages: Map<string, PackageEvents>;
  result: RunResult;
  command: string;
}

export interface TestEventsOptions {
  toolchain: Toolchain;
  /** The module directory and the checkout root it lies in. */
  dir: string;
  root: string;
  /** Package patterns (import paths or ./dir). */
  packages: string[];
  /** Only these top-level tests. */
  tests?: string[];
  race?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

interface Event {
  Action?: string;
  Package?: string;
  ImportPath?: string;
  Test?: string;
  Output?: string;
}

const OUTPUT_CAP = 64 * 1024 * 1024;

export function parseTestEvents(stdout: string): Map<string, PackageEvents> {
  const packages = new Map<string, PackageEvents>();
  const pkg = (name: string) => {
    const clean = name.replace(/\s+\[.*\]$/, "");
    let p = packages.get(clean);
    if (!p) {
      p = { name: clean, tests: new Map(), buildFailed: false, output: "" };
      packages.set(clean, p);
    }
    return p;
  };
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    let ev: Event;
    try {
      ev = JSON.parse(line) as Event;
    } catch {
      continue;
    }
    if (ev.Action === "build-fail" && ev.ImportPath) pkg(ev.ImportPath).buildFailed = true;
    if (ev.Action === "build-output" && ev.ImportPath) pkg(ev.ImportPath).output += ev.Output ?? "";
    if (!ev.Package) continue;
    const p = pkg(ev.Package);
    if (ev.Action === "output") {
      p.output += ev.Output ?? "";
      if (!ev.Test && /\[(build|setup) failed\]/.test(ev.Output ?? "")) p.buildFailed = true;
    }
    if (!ev.Test || ev.Test.includes("/")) continue;
    if (ev.Action === "run" && !p.tests.has(ev.Test)) p.tests.set(ev.Test, "fail");
    if (ev.Action === "pass" || ev.Action === "fail" || ev.Action === "skip") p.tests.set(ev.Test, ev.Action);
  }
  return packages;
}

/** How one test ended in a run, as the evidence rows name it. */
export function outcomeOf(run: Map<string, PackageEvents>, pkg: string, test: string): TestOutcome {
  const p = run.get(pkg);
  if (!p) return "not-run";
  if (p.buildFailed) return "no-build";
  return p.tests.get(test) ?? "not-run";
}

export async function runTestEvents(o: TestEventsOptions): Promise<TestEventsRun> {
  const module = describeModule(o.root, o.dir);
  const env = moduleEnv(module);
  const args = [
    "test",
    ...(module.vendored ? ["-mod=vendor"] : []),
    "-json",
    "-count=1",
    `-timeout=${Math.floor(innerTestTimeoutMs(o.timeoutMs) / 1000)}s`,
    ...(o.race ? ["-race"] : []),
    ...(o.tests ? ["-run", `^(${o.tests.join("|")})$`] : []),
    ...o.packages,
  ];
  const result = await o.toolchain.go(args, {
    cwd: o.dir,
    root: o.root,
    timeoutMs: o.timeoutMs,
    outputCap: OUTPUT_CAP,
    ...(Object.keys(env).length ? { env } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const shown = o.packages.length > 3 ? [`<${o.packages.length} packages>`] : o.packages;
  const command = ["go", ...args.slice(0, args.length - o.packages.length), ...shown].join(" ");
  return { packages: parseTestEvents(result.stdout), result, command };
}
