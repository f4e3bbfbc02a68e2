// What every evidence row is given: the module, the change, the base, the limits.
import type { ToolAvailability } from "../../golang/install-go-tools.js";
import type { Toolchain } from "../../golang/toolchain.js";
import type { BaseTree } from "./base-tree.js";

export interface EvidenceContext {
  toolchain: Toolchain;
  /** The checkout root and the module directory in it (absolute). */
  root: string;
  dir: string;
  /** The base commit (full SHA) and its files, exported on first need. */
  baseSha: string;
  base: BaseTree;
  /** The change's files in this module (absolute paths). */
  changed: string[];
  /** The packages the verdict covered (scope.ts import paths); undefined: the whole module. */
  packages?: string[];
  /** The Go tools the rows use beyond go, installed on first need. */
  tools: EvidenceTools;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (detail: string) => void;
}

export interface EvidenceTools {
  /** golang.org/x/perf's benchstat, for the benchmark row; absent: the row says it is missing. */
  benchstat?: () => Promise<ToolAvailability>;
}

/** Per-repository settings of the evidence rows (`verify:` keys). */
export interface EvidenceSettings {
  /** Fail → pass of the tests the change adds or changes. */
  failPass: "on" | "off";
  /** `go test -race`: auto where cgo and a C compiler are available. */
  race: "auto" | "on" | "off";
  /** Exported API against the base: incompatible changes warn, or fail under strict. */
  api: "warn" | "strict" | "off";
  /** Benchmarks on the base and the change, compared by benchstat: on when the task asks for speed. */
  bench: "on" | "off";
}

export const DEFAULT_EVIDENCE: EvidenceSettings = { failPass: "on", race: "auto", api: "warn", bench: "off" };

/** The base commit as rows name it. */
export function short(sha: string): string {
  return sha.slice(0, 7);
}
