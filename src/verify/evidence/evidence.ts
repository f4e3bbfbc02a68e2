// The evidence rows of one module's verdict, after its checks and their base comparison: each
// row compares with the base itself, so the base comparison never re-runs it. They share one
// export of the base commit; the rows that only read it run before the one that lays the
// change's tests over it.
import { relative } from "node:path";
import type { Toolchain } from "../../golang/toolchain.js";
import type { Check } from "../verdict-types.js";
import { apiCheck } from "./api-diff.js";
import { baseTree } from "./base-tree.js";
import { benchCheck } from "./benchmarks.js";
import type { EvidenceContext, EvidenceSettings, EvidenceTools } from "./evidence-context.js";
import { failPassCheck } from "./fail-pass.js";
import { raceCheck } from "./race.js";

export { DEFAULT_EVIDENCE, type EvidenceSettings, type EvidenceTools } from "./evidence-context.js";

export interface EvidenceOptions {
  toolchain: Toolchain;
  root: string;
  dir: string;
  /** The git repository holding baseSha (the checkout). */
  repoDir: string;
  baseSha: string;
  changed: string[];
  packages?: string[];
  settings: EvidenceSettings;
  tools?: EvidenceTools;
  /** Whether the verdict's go test passed: -race on tests that fail anyway adds nothing. */
  testsPass: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (detail: string) => void;
}

function notRun(name: string, summary: string): Check {
  return { name, status: "skipped", summary, details: "", evidence: true };
}

/** The evidence rows, in the order the verdict shows them (fail → pass, race, API, benchmarks). */
export async function gatherEvidence(o: EvidenceOptions): Promise<Check[]> {
  const base = baseTree(o.repoDir, o.baseSha, relative(o.root, o.dir));
  const ctx: EvidenceContext = {
    toolchain: o.toolchain,
    root: o.root,
    dir: o.dir,
    baseSha: o.baseSha,
    base,
    changed: o.changed,
    tools: o.tools ?? {},
    ...(o.packages ? { packages: o.packages } : {}),
    timeoutMs: o.timeoutMs,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  };
  const guarded = async (name: string, row: () => Promise<Check | undefined>): Promise<Check | undefined> => {
    if (o.signal?.aborted) return undefined;
    try {
      return await row();
    } catch (err) {
      // Evidence that could not be gathered is said, never a reason the verdict itself fails.
      return {
        name,
        status: "skipped",
        summary: `could not run: ${(err as Error).message}`,
        details: "",
        evidence: true,
      };
    }
  };
  try {
    const api =
      o.settings.api !== "off"
        ? await guarded("exported API", () => apiCheck(ctx, o.settings.api))
        : undefined;
    const race =
      o.settings.race === "off" || o.testsPass
        ? await guarded("go test -race", () => raceCheck(ctx, o.settings.race))
        : notRun("go test -race", "not run: go test does not pass");
    const failPass =
      o.settings.failPass === "on" ? await guarded("fail → pass", () => failPassCheck(ctx)) : undefined;
    // After fail → pass: both lay the change's tests over the same base export.
    const bench = o.settings.bench === "on" ? await guarded("benchmarks", () => benchCheck(ctx)) : undefined;
    return [failPass, race, api, bench].filter((c): c is Check => c !== undefined);
  } finally {
    await base.dispose();
  }
}
