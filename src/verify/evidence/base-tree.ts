// The base commit's files, exported once per module verification and only when an evidence
// row needs them (git archive, as base-comparison.ts does: no hooks, no .git).
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { exportCommit } from "../base-comparison.js";

export interface BaseTree {
  /** The exported checkout root. Throws when the base cannot be exported. */
  root(): Promise<string>;
  /** The module's directory in it. */
  moduleDir(): Promise<string>;
  dispose(): Promise<void>;
}

export function baseTree(repoDir: string, baseSha: string, moduleRel: string): BaseTree {
  let exported: Promise<string> | undefined;
  const root = () => {
    exported ??= exportCommit(repoDir, baseSha);
    return exported;
  };
  return {
    root,
    moduleDir: async () => join(await root(), moduleRel),
    async dispose() {
      const dir = await exported?.catch(() => undefined);
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
