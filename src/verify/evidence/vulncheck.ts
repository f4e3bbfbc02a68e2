// Known vulnerabilities: govulncheck on the packages the change can affect, when go.mod or go.sum
// changed (or always, with verify.vulncheck: on). A vulnerability whose code the module reaches
// (a call path to the vulnerable symbol) is red, with the OSV id, the module, the fixed version
// and the call path; one only in a required module or an imported package, never called, is a
// note. It is a check like golangci-lint: when it fails, the base comparison runs it on the base
// and sets apart the vulnerabilities the base reaches too (keyed by OSV id).
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { ToolAvailability } from "../../golang/install-go-tools.js";
import { type GoInstallation, toolProcess } from "../../golang/tool-sandbox.js";
import { runProcess } from "../../process/run-process.js";
import { trimHead, trimTail } from "../../text.js";
import { type CheckContext, DETAIL_LIMITS } from "../checks.js";
import type { Finding } from "../findings.js";
import type { Check } from "../verdict-types.js";
import type { CustomCheck } from "../verify.js";

export const VULNCHECK_CHECK = "govulncheck";
export const DEFAULT_VULN_DB = "https://vuln.go.dev";

export type VulncheckMode = "auto" | "on" | "off";

export interface VulncheckOptions {
  go: GoInstallation;
  govulncheck: () => Promise<ToolAvailability>;
  mode: VulncheckMode;
  /** GOVULNDB: an https URL, a file:// URL or a directory. */
  db: string;
}

interface Frame {
  module?: string;
  version?: string;
  package?: string;
  function?: string;
  receiver?: string;
  position?: { filename?: string; line?: number };
}

interface Osv {
  id: string;
  summary?: string;
  aliases?: string[];
}

export interface Vulnerability {
  id: string;
  summary: string;
  module: string;
  version: string;
  fixed: string;
  /** From the module's code to the vulnerable symbol; empty when nothing calls it. */
  path: string[];
}

/** The JSON values of govulncheck's stream (pretty-printed, one after another). */
export function splitJsonStream(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && depth > 0 && --depth === 0) {
      try {
        out.push(JSON.parse(text.slice(start, i + 1)));
      } catch {
        // a cut stream: the rest says nothing
      }
    }
  }
  return out;
}

function frameName(f: Frame): string {
  const fn = f.receiver ? `${f.receiver.replace(/^\*/, "")}.${f.function}` : f.function;
  const at = f.position?.filename ? ` (${f.position.filename}:${f.position.line ?? 0})` : "";
  return `${f.package ?? f.module}.${fn}${at}`;
}

/** Reachable and unreachable vulnerabilities from a govulncheck -json stream. */
export function parseVulncheck(stdout: string): { reachable: Vulnerability[]; unreachable: Vulnerability[] } {
  const osvs = new Map<string, Osv>();
  const byId = new Map<string, Vulnerability>();
  const called = new Set<string>();
  for (const value of splitJsonStream(stdout)) {
    const v = value as { osv?: Osv; finding?: { osv: string; fixed_version?: string; trace?: Frame[] } };
    if (v.osv?.id) osvs.set(v.osv.id, v.osv);
    const f = v.finding;
    if (!f?.osv || !f.trace?.length) continue;
    const top = f.trace[0]!;
    const vuln = byId.get(f.osv) ?? {
      id: f.osv,
      summary: "",
      module: top.module ?? "?",
      version: top.version ?? "",
      fixed: f.fixed_version ?? "none",
      path: [],
    };
    byId.set(f.osv, vuln);
    if (top.function && !called.has(f.osv)) {
      called.add(f.osv);
      // govulncheck lists the trace from the vulnerable symbol up to the module's own code.
      vuln.path = [...f.trace].reverse().map(frameName);
    }
  }
  for (const v of byId.values()) {
    const o = osvs.get(v.id);
    const aliases = o?.aliases?.length ? ` (${o.aliases.join(", ")})` : "";
    v.summary = `${o?.summary ?? ""}${aliases}`.trim();
  }
  const all = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return {
    reachable: all.filter((v) => called.has(v.id)),
    unreachable: all.filter((v) => !called.has(v.id)),
  };
}

function vulnLine(v: Vulnerability): string {
  const fixed = v.fixed === "none" ? "no fixed version" : `fixed in ${v.fixed}`;
  return `${v.id} in ${v.module}${v.version ? `@${v.version}` : ""} (${fixed})${v.summary ? `: ${v.summary}` : ""}`;
}

/** The database as govulncheck's -db takes it, and the local directory to mount, if any. */
export function vulnDb(db: string): { url: string; dir?: string } {
  if (db.startsWith("/")) return { url: `file://${db}`, dir: db };
  if (db.startsWith("file://")) return { url: db, dir: fileURLToPath(db) };
  return { url: db };
}

const MODULE_FILES = /(^|\/)go\.(mod|sum)$/;

export function vulncheckCheck(options: VulncheckOptions): CustomCheck {
  return {
    name: VULNCHECK_CHECK,
    async run(ctx: CheckContext): Promise<Check | undefined> {
      const name = VULNCHECK_CHECK;
      if (options.mode === "off") return undefined;
      // The base comparison runs it without changed files: there it always runs.
      const moduleFiles = ctx.changedFiles?.some((f) => MODULE_FILES.test(relative(ctx.dir, f)));
      if (options.mode === "auto" && ctx.changedFiles && !moduleFiles) return undefined;
      const found = await options.govulncheck();
      if (!found.ok) {
        return {
          name,
          status: options.mode === "on" ? "error" : "skipped",
          summary: found.reason,
          details: "",
          evidence: true,
        };
      }
      const db = vulnDb(options.db);
      if (db.dir && !existsSync(db.dir)) {
        return {
          name,
          status: "error",
          summary: `the vulnerability database ${db.dir} (GOVULNDB) does not exist`,
          details: "",
          evidence: true,
        };
      }
      const packages = ctx.packages?.length ? ctx.packages : ["./..."];
      ctx.onProgress?.(
        `${name}${ctx.packages ? ` — ${packages.length} package${packages.length === 1 ? "" : "s"}` : ""}`,
      );
      const args = ["-json", "-db", db.url, ...packages];
      const command = `govulncheck -json -db ${db.url} ${ctx.packages ? `<${packages.length} packages>` : "./..."}`;
      const proc = await toolProcess(options.go, {
        binary: found.tool.path,
        args,
        root: ctx.root,
        cwd: ctx.dir,
        ...(db.dir ? { readOnly: [db.dir] } : { network: true }),
        ...(ctx.env ? { env: ctx.env } : {}),
      });
      let res: Awaited<ReturnType<typeof runProcess>>;
      try {
        res = await runProcess(
          { command: proc.command, args: proc.args, env: proc.env, outputCap: 64 * 1024 * 1024 },
          { cwd: proc.cwd, timeoutMs: ctx.timeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) },
        );
      } finally {
        await proc.cleanup();
      }
      const base = {
        name,
        command,
        durationMs: res.durationMs,
        tool: { name, version: found.tool.version },
        evidence: true,
      };
      if (res.timedOut)
        return {
          ...base,
          status: "error",
          timedOut: true,
          summary: "timed out (killed)",
          details: trimTail(res.stderr, DETAIL_LIMITS),
        };
      if (res.aborted) return { ...base, status: "error", summary: "aborted", details: "" };
      // -json exits 0 whatever it finds; anything else is a failure to load or to read the database.
      if (res.exitCode !== 0) {
        return {
          ...base,
          status: "error",
          summary: `govulncheck could not run (exit ${res.exitCode ?? "killed"})`,
          details: trimTail(res.stderr, DETAIL_LIMITS),
        };
      }
      const { reachable, unreachable } = parseVulncheck(res.stdout);
      const notes = unreachable.length
        ? `Not reached by the code (a note):\n${unreachable.map((v) => `- ${vulnLine(v)}`).join("\n")}`
        : "";
      const noteSummary = unreachable.length
        ? `; ${unreachable.length} in a required module the code does not call: ${unreachable.map((v) => v.id).join(", ")}`
        : "";
      if (reachable.length === 0) {
        return {
          ...base,
          status: "pass",
          summary: `no reachable vulnerability${noteSummary}`,
          details: notes,
        };
      }
      const findings: Finding[] = reachable.map((v) => ({
        key: `vuln ${v.id} ${v.module}`,
        label: vulnLine(v),
        detail: `call path:\n${v.path.map((p, i) => `${"  ".repeat(i)}${p}`).join("\n")}`,
      }));
      const details = [...reachable.map((v, i) => `${vulnLine(v)}\n${findings[i]!.detail}`), notes]
        .filter(Boolean)
        .join("\n\n");
      return {
        ...base,
        status: "fail",
        summary: `${reachable.length} reachable vulnerabilit${reachable.length === 1 ? "y" : "ies"}: ${reachable.map((v) => `${v.id} (${v.module}, ${v.fixed === "none" ? "no fix" : `fixed in ${v.fixed}`})`).join("; ")}${noteSummary}`,
        details: trimHead(details, DETAIL_LIMITS),
        findings,
      };
    },
  };
}
