// The base commit with the change's test files and test data laid over it: where fail → pass
// and the benchmark row run the change's tests against the old code. The key names what was
// laid (for the rows' base caches); prepare() makes the base's modules ready, once a row knows
// it must run there.
import { relative } from "node:path";
import { prepareModules } from "../prepare-modules.js";
import { layOver } from "./base-tree.js";
import type { EvidenceContext } from "./evidence-context.js";
import { isTestData, isTestFile } from "./go-files.js";

export interface TestsOverBase {
  /** The exported checkout root and the module's directory in it. */
  root: string;
  dir: string;
  /** The base commit, the module, what was laid and `keyParts`: a base run's cache key. */
  key: string;
  prepare(): Promise<void>;
}

export async function testsOverBase(ctx: EvidenceContext, ...keyParts: string[]): Promise<TestsOverBase> {
  const root = await ctx.base.root();
  const dir = await ctx.base.moduleDir();
  const laid = ctx.changed.filter((f) => isTestFile(ctx.dir, f) || isTestData(ctx.dir, f));
  const digest = await layOver(ctx.base, ctx.dir, laid);
  return {
    root,
    dir,
    key: [ctx.baseSha, relative(ctx.root, ctx.dir), digest, ...keyParts].join("\0"),
    async prepare() {
      await prepareModules(ctx.toolchain, dir, {
        root,
        timeoutMs: ctx.timeoutMs,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    },
  };
}
