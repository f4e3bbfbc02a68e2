// Small real Go modules as git repositories for the evidence rows: a base commit written from
// files, then the change written over the checkout (uncommitted, as the agent leaves it).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeAll } from "@jest/globals";
import type { GoToolchain } from "../../../src/golang/go-toolchain.js";
import { clearBaseCache } from "../../../src/verify/base-comparison.js";
import { clearBenchCache } from "../../../src/verify/evidence/benchmarks.js";
import type { EvidenceSettings, EvidenceTools } from "../../../src/verify/evidence/evidence.js";
import { clearFailPassCache } from "../../../src/verify/evidence/fail-pass.js";
import { clearRaceCache } from "../../../src/verify/evidence/race.js";
import type { Check, Verdict } from "../../../src/verify/verdict.js";
import { verifyChange } from "../../../src/verify/verify-change.js";
import { testToolchain } from "../../golang/support.js";
import { git } from "../../support/git-repos.js";

export interface Repo {
  dir: string;
  base: string;
  /** Writes (or, with null, removes) files; returns their paths, the change's files. */
  change(files: Record<string, string | null>): string[];
  cleanup(): Promise<void>;
}

export const GO_MOD = "module example.com/evidence\n\ngo 1.21\n";

export async function goRepo(files: Record<string, string>): Promise<Repo> {
  const dir = await mkdtemp(join(tmpdir(), "bga-evidence-"));
  const write = (all: Record<string, string | null>) => {
    for (const [path, content] of Object.entries(all)) {
      if (content === null) rmSync(join(dir, path), { force: true });
      else {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
    }
    return Object.keys(all);
  };
  write({ "go.mod": GO_MOD, ...files });
  await git(["init", "--quiet", "--initial-branch=main"], { cwd: dir });
  await git(["add", "-A"], { cwd: dir });
  await git(["commit", "--quiet", "-m", "base"], { cwd: dir });
  const base = (await git(["rev-parse", "HEAD"], { cwd: dir })).toString().trim();
  return { dir, base, change: write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The evidence rows' tests: the real toolchain, modules made per test and removed after it, the
 * rows' base caches cleared between tests, and the verdict with only the rows a test names.
 */
export function evidenceHarness() {
  let toolchain: GoToolchain | undefined;
  const repos: Repo[] = [];
  beforeAll(async () => {
    toolchain = await testToolchain();
  });
  afterEach(async () => {
    clearBaseCache();
    clearFailPassCache();
    clearRaceCache();
    clearBenchCache();
    for (const r of repos.splice(0)) await r.cleanup();
  });
  return {
    /** The toolchain, once beforeAll made it. */
    toolchain: () => toolchain,
    async repo(files: Record<string, string>): Promise<Repo> {
      const r = await goRepo(files);
      repos.push(r);
      return r;
    },
    /** go build and go test, then the evidence rows `evidence` turns on (all off otherwise). */
    async verdict(
      r: Repo,
      changed: string[],
      evidence: Partial<EvidenceSettings>,
      tools?: EvidenceTools,
    ): Promise<Verdict> {
      const v = await verifyChange({
        toolchain: toolchain!,
        root: r.dir,
        baseSha: r.base,
        changed,
        checks: ["build", "test"],
        evidence: { failPass: "off", race: "off", api: "off", bench: "off", ...evidence },
        ...(tools ? { evidenceTools: tools } : {}),
      });
      if (!v) throw new Error("no verdict");
      return v;
    },
  };
}

/** The row named `name` of a verdict; throws, naming the rows there are, when it is missing. */
export function rowOf(v: Verdict, name: string): Check {
  const c = v.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name} row in ${v.checks.map((x) => x.name).join(", ")}`);
  return c;
}
