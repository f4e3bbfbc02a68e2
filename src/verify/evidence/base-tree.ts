// The base commit's files, exported once per module verification and only when an evidence
// row needs them (git archive, as base-comparison.ts does: no hooks, no .git).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
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

/**
 * The change's files (test files, test data) laid over the base module: the old code, the new
 * tests. Returns a digest of what was laid, for the rows' base caches.
 */
export async function layOver(base: BaseTree, dir: string, files: string[]): Promise<string> {
  const baseDir = await base.moduleDir();
  const h = createHash("sha256");
  for (const file of [...files].sort()) {
    const to = join(baseDir, relative(dir, file));
    h.update(relative(dir, file)).update("\0");
    if (existsSync(file)) {
      h.update(readFileSync(file));
      await mkdir(dirname(to), { recursive: true });
      await copyFile(file, to);
    } else {
      h.update("deleted");
      await rm(to, { force: true });
    }
  }
  return h.digest("hex");
}
