// The race detector on the tests the change can affect. A race is known by the two functions
// whose accesses collide (positions shift with any edit); one the base commit has too is set
// apart, one the change brings is red, with both goroutines' stacks clipped for the reviewer.
// -race needs cgo and a C compiler; where they are missing the row says so.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { goInstallationOf } from "../../golang/tool-sandbox.js";
import { trimHead } from "../../text.js";
import type { Finding } from "../findings.js";
import { prepareModules } from "../prepare-modules.js";
import type { Check } from "../verdict-types.js";
import { type EvidenceContext, type EvidenceSettings, short } from "./evidence-context.js";
import { patternDir, touchedPackages } from "./go-files.js";
import { type PackageEvents, runTestEvents } from "./test-events.js";

/** Signs of concurrency in Go source: what a data race needs. */
const CONCURRENCY =
  /\bgo\s+(func\b|[\w.]+\()|\bchan\b|"sync"|"sync\/atomic"|errgroup|\.Parallel\(\)|httptest\.NewServer/;

/** Whether the package in dir (its tests included) starts goroutines, uses channels or sync, or runs tests in parallel. */
export function concurrent(dir: string): boolean {
  try {
    return readdirSync(dir).some(
      (f) => f.endsWith(".go") && CONCURRENCY.test(readFileSync(join(dir, f), "utf8")),
    );
  } catch {
    return true;
  }
}

export const RACE_CHECK = "go test -race";

export interface Race {
  /** The two colliding functions, sorted and joined: how the race compares with the base. */
  key: string;
  pkg: string;
  /** The report, paths relative to the module, clipped. */
  report: string;
}

const SEPARATOR = "==================";
const ACCESS =
  /^(?:Previous )?(?:Read|Write|read|write|Atomic \w+|atomic \w+)\b.* by (?:goroutine \d+|main goroutine):$/;
/** Frames of the runtime and the standard library's synchronisation say nothing about who raced. */
const PLUMBING = /^(runtime|internal\/|sync\/atomic|sync\.|testing\.)/;
const REPORT_LIMITS = { maxLines: 40, maxChars: 4000 };

/** The first frame of the module's (or any non-runtime) code under each access. */
function racingFunctions(block: string): string[] {
  const lines = block.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!ACCESS.test(lines[i]!.trim())) continue;
    for (let j = i + 1; j < lines.length && lines[j]!.trim(); j++) {
      const frame = lines[j]!.trim();
      if (frame.startsWith("/") || /^\S+\.go:\d+/.test(frame)) continue;
      const fn = frame.replace(/\(.*\)$/, "");
      if (PLUMBING.test(fn)) continue;
      out.push(fn);
      break;
    }
  }
  return out;
}

/** The race reports in a package's test output. */
export function parseRaces(pkg: string, output: string, dir: string): Race[] {
  const races = new Map<string, Race>();
  const parts = output.split(`${SEPARATOR}\nWARNING: DATA RACE\n`);
  for (const part of parts.slice(1)) {
    const block = part.split(`\n${SEPARATOR}`)[0] ?? part;
    const fns = racingFunctions(block);
    const key = fns.length ? [...new Set(fns)].sort().join(" ↔ ") : block.split("\n")[0]!;
    if (races.has(key)) continue;
    const report = trimHead(`WARNING: DATA RACE\n${block}`.split(`${dir}/`).join(""), REPORT_LIMITS);
    races.set(key, { key, pkg, report });
  }
  return [...races.values()];
}

function racesOf(packages: Map<string, PackageEvents>, dir: string): Race[] {
  return [...packages.values()].flatMap((p) => parseRaces(p.name, p.output, dir));
}

const baseCache = new Map<string, Set<string>>();

export async function raceCheck(
  ctx: EvidenceContext,
  mode: EvidenceSettings["race"],
): Promise<Check | undefined> {
  const name = RACE_CHECK;
  if (mode === "off") return undefined;
  const cgo = goInstallationOf(ctx.toolchain)?.cgo === true;
  if (!cgo) {
    const summary = "not run: the race detector needs cgo and a C compiler, which this worker lacks";
    return { name, status: mode === "on" ? "error" : "skipped", summary, details: "", evidence: true };
  }
  // The packages whose files the change touched: their tests exercise what it wrote. Every
  // importer too would instrument and rerun the whole affected scope (minutes, cold) for races
  // that the touched package's own tests nearly always show first.
  const packages = touchedPackages(ctx.dir, ctx.changed);
  if (packages.length === 0) return undefined;
  if (mode === "auto" && !packages.some((p) => concurrent(patternDir(ctx.dir, p)))) {
    // The first -race run of a repository instruments its whole dependency graph (a minute or
    // more, cold): under auto, only where the code or its tests are concurrent.
    const summary =
      "not run: no goroutine, channel, sync or parallel test in the touched packages (verify.race: on runs it anyway)";
    return { name, status: "skipped", summary, details: "", evidence: true };
  }
  const started = Date.now();
  ctx.onProgress?.(`${name} — ${packages.length} package${packages.length === 1 ? "" : "s"}`);
  const run = {
    toolchain: ctx.toolchain,
    packages,
    race: true,
    timeoutMs: ctx.timeoutMs,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const head = await runTestEvents({ ...run, dir: ctx.dir, root: ctx.root });
  const base = { name, command: head.command, durationMs: head.result.durationMs, evidence: true };
  if (head.result.aborted) return { ...base, status: "error", summary: "aborted", details: "" };
  const races = racesOf(head.packages, ctx.dir);
  if (races.length === 0) {
    if (head.result.exitCode !== 0 && head.packages.size === 0) {
      return {
        ...base,
        status: "error",
        summary: "go test -race could not run",
        details: trimHead(head.result.stderr, REPORT_LIMITS),
      };
    }
    const timedOut = head.result.timedOut ? " (timed out before every test ran)" : "";
    return {
      ...base,
      status: "pass",
      summary: `no data race in the tests of ${packages.length} package${packages.length === 1 ? "" : "s"}${timedOut}`,
      details: "",
    };
  }

  // Races on the change: which of them the base has too.
  let onTheBase: Set<string> | undefined;
  let unavailable = "";
  const key = [ctx.baseSha, ctx.dir.slice(ctx.root.length), packages.join(",")].join("\0");
  try {
    onTheBase = baseCache.get(key);
    if (!onTheBase) {
      ctx.onProgress?.(`${name} on the base ${short(ctx.baseSha)}`);
      const baseRoot = await ctx.base.root();
      const baseDir = await ctx.base.moduleDir();
      const there = packages.filter((p) => existsSync(patternDir(baseDir, p)));
      onTheBase = new Set();
      if (there.length) {
        await prepareModules(ctx.toolchain, baseDir, {
          root: baseRoot,
          timeoutMs: ctx.timeoutMs,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        const res = await runTestEvents({ ...run, packages: there, dir: baseDir, root: baseRoot });
        for (const r of racesOf(res.packages, baseDir)) onTheBase.add(r.key);
      }
      if (!ctx.signal?.aborted) baseCache.set(key, onTheBase);
    }
  } catch (err) {
    unavailable = `; the base ${short(ctx.baseSha)} could not be checked: ${(err as Error).message}`;
  }
  const introduced = races.filter((r) => !onTheBase?.has(r.key));
  const preexisting = races.filter((r) => onTheBase?.has(r.key));
  const apart = preexisting.length
    ? `\n\nAlready on the base ${short(ctx.baseSha)} (not the change's):\n${preexisting.map((r) => `- ${r.key} (${r.pkg})`).join("\n")}`
    : "";
  const durationMs = Date.now() - started;
  if (introduced.length === 0) {
    return {
      ...base,
      durationMs,
      status: "pass",
      summary: `no new data race; ${preexisting.length} already on the base ${short(ctx.baseSha)} set apart`,
      details: apart.trim(),
    };
  }
  const shown = introduced.slice(0, 3);
  const findings: Finding[] = introduced.map((r) => ({
    key: `race ${r.key}`,
    label: `data race in ${r.pkg}: ${r.key}`,
    detail: r.report,
  }));
  const more =
    introduced.length > shown.length
      ? `\n\n… ${introduced.length - shown.length} more race${introduced.length - shown.length === 1 ? "" : "s"} …`
      : "";
  return {
    ...base,
    durationMs,
    status: "fail",
    summary: `${introduced.length} data race${introduced.length === 1 ? "" : "s"} the change brings: ${shown.map((r) => r.key).join("; ")}${preexisting.length ? `; ${preexisting.length} already on the base set apart` : ""}${unavailable}`,
    details: `${shown.map((r) => `${r.pkg}\n${r.report}`).join("\n\n")}${more}${apart}`,
    findings,
  };
}

/** Forgets cached base runs (tests). */
export function clearRaceCache(): void {
  baseCache.clear();
}
