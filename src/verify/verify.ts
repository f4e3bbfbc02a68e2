// Verification: the bot's own checks on a change, run after the agent and before anything
// is published. Modules are downloaded first (the one step with network); gofmt on the
// changed files, go vet, go build and go test -json then run offline in the sandbox.
import { existsSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { TestRunReport } from "../golang/test-json.js";
import type { Toolchain } from "../golang/toolchain.js";
import { buildCheck, type CheckContext, downloadModules, gofmtCheck, testCheck, vetCheck } from "./checks.js";
import { describeModule, moduleEnv } from "./go-modules.js";
import { prepareModules } from "./prepare-modules.js";
import { type ServiceNeed, serviceDetails, serviceSummary } from "./service-needs.js";
import { diffSnapshots, snapshotTree } from "./tree-snapshot.js";
import { type Check, overallStatus, overallSummary, skippedVerdict, type Verdict } from "./verdict.js";

export type BuiltinCheck = "gofmt" | "vet" | "build" | "test";

/** A repository-configured command (e.g. `make test`, see verify-commands.ts); runs after the built-ins. */
export interface CustomCheck {
  name: string;
  /** Undefined: nothing to say about this change (no row at all, e.g. govulncheck when go.mod is unchanged). */
  run(ctx: CheckContext): Promise<Check | undefined>;
}

export interface VerifyOptions {
  /** The module directory: holds go.mod. */
  dir: string;
  /** The checkout root when dir is a subdirectory of it; writable in the sandbox. Default dir. */
  root?: string;
  /**
   * Files the change touched, relative to root (or absolute). Decides whether there is any
   * Go to check and which files gofmt looks at. Omit to check the whole module.
   */
  changedFiles?: string[];
  /** Limit for each command, go test included. Default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Which built-in checks run, in this order. Default all four. */
  checks?: BuiltinCheck[];
  extraChecks?: CustomCheck[];
  /** Package import paths vet, build and test cover (scope.ts); default the whole module. */
  packages?: string[];
  /** The packages of `packages` go build can name (scope.ts buildable); default `packages`. */
  buildPackages?: string[];
  /** Packages left out of go build, and why (named in its row). */
  notBuilt?: { pkg: string; reason: string }[];
  /** Which check is running ("go test — 3 of 5 packages"), for the tracking comment. */
  onProgress?: (detail: string) => void;
}

export const NOT_A_GO_MODULE = "not a Go module — checks skipped";
export const NO_GO_CHANGE = "no Go change — checks skipped";
/** The verdict row for tests that need a service the sandbox does not have. */
export const SERVICES_CHECK = "integration tests";

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const ALL_CHECKS: BuiltinCheck[] = ["gofmt", "vet", "build", "test"];

/**
 * A change "has Go in it" when it touches Go or assembly source, module files, test data, or
 * SQL (migrations and queries the code embeds or its tests apply).
 */
export function isGoRelevant(path: string): boolean {
  const p = path.replace(/\\/g, "/");
  return (
    p.endsWith(".go") ||
    p.endsWith(".sql") ||
    p.endsWith(".s") ||
    /(^|\/)go\.(mod|sum|work|work\.sum)$/.test(p) ||
    /(^|\/)testdata\//.test(p)
  );
}

function insideDir(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

export async function verify(toolchain: Toolchain, opts: VerifyOptions): Promise<Verdict> {
  const started = Date.now();
  const dir = resolve(opts.dir);
  const root = resolve(opts.root ?? dir);
  const meta = {
    isolation: toolchain.isolation,
    goVersion: "goVersion" in toolchain ? String(toolchain.goVersion) : undefined,
  };
  if (!existsSync(join(dir, "go.mod"))) return skippedVerdict(NOT_A_GO_MODULE, meta);

  const changed = opts.changedFiles?.map((f) => resolve(root, f)).filter((f) => insideDir(dir, f));
  if (changed && !changed.some((f) => isGoRelevant(relative(dir, f)))) {
    return skippedVerdict(NO_GO_CHANGE, meta);
  }
  const goFiles = changed?.filter(
    (f) => f.endsWith(".go") && existsSync(f) && !/(^|\/)vendor\//.test(relative(dir, f)),
  );

  const module = describeModule(root, dir);
  const env = moduleEnv(module);
  const ctx: CheckContext = {
    toolchain,
    dir,
    root,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal: opts.signal,
    ...(changed ? { changedFiles: changed } : {}),
    ...(opts.packages ? { packages: opts.packages } : {}),
    ...(opts.buildPackages ? { buildPackages: opts.buildPackages } : {}),
    ...(opts.notBuilt?.length ? { notBuilt: opts.notBuilt } : {}),
    ...(module.vendored ? { vendored: true } : {}),
    ...(Object.keys(env).length ? { env } : {}),
  };
  const checks: Check[] = [];
  const scopeText = opts.packages
    ? ` — ${opts.packages.length} package${opts.packages.length === 1 ? "" : "s"}`
    : "";
  let tests: TestRunReport | undefined;
  let services: ServiceNeed[] = [];
  const before = await snapshotTree(root);

  // Vendored modules need no download; otherwise fetch before the offline steps.
  // The same go.mod and go.sum downloaded before (prepare-modules.ts's marker) cost no Go
  // process; a module outside its go.work needs GOWORK=off, which only ctx carries.
  if (!module.vendored) {
    const download = module.outsideWorkspace
      ? await downloadModules(ctx)
      : ((
          await prepareModules(toolchain, dir, {
            root,
            timeoutMs: ctx.timeoutMs,
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          })
        ).check ?? { name: "go mod download", status: "pass", summary: "", details: "" });
    // Shown only when it went wrong: a reviewer cares about the four checks.
    if (download.status !== "pass") {
      checks.push(download);
      ctx.downloadFailed = true;
    }
  }
  for (const step of opts.checks ?? ALL_CHECKS) {
    if (ctx.signal?.aborted) {
      checks.push({ name: stepName(step), status: "error", summary: "aborted", details: "" });
      continue;
    }
    opts.onProgress?.(`${stepName(step)}${step === "gofmt" ? "" : scopeText}`);
    if (step === "gofmt") checks.push(await gofmtCheck(ctx, goFiles ?? "all"));
    if (step === "vet") checks.push(await vetCheck(ctx));
    if (step === "build") checks.push(await buildCheck(ctx));
    if (step === "test") {
      const result = await testCheck(ctx);
      checks.push(result.check);
      tests = result.report;
      services = result.services;
    }
  }
  if (opts.onProgress) ctx.onProgress = opts.onProgress;
  for (const extra of opts.extraChecks ?? []) {
    opts.onProgress?.(extra.name);
    try {
      const row = await extra.run(ctx);
      if (row) checks.push(row);
    } catch (err) {
      checks.push({ name: extra.name, status: "error", summary: (err as Error).message, details: "" });
    }
  }
  if (services.length) {
    // Shown as its own row, never folded into a green "go test": those tests did not run.
    checks.push({
      name: SERVICES_CHECK,
      status: "skipped",
      summary: serviceSummary(services),
      details: serviceDetails(services),
    });
  }
  const leftovers = diffSnapshots(before, await snapshotTree(root));
  const summary = overallSummary(checks);
  return {
    overall: overallStatus(checks),
    summary: services.length ? `${summary}; ${serviceSummary(services)}` : summary,
    checks,
    tests,
    ...(services.length ? { services } : {}),
    ...meta,
    durationMs: Date.now() - started,
    ...(leftovers.length ? { leftovers } : {}),
  };
}

function stepName(step: BuiltinCheck): string {
  return step === "gofmt" ? "gofmt" : `go ${step}`;
}
