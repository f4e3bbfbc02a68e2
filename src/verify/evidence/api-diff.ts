// The exported API of the packages the change touched, against the base: what a user of the
// package can name (functions, methods, types, struct fields, interface methods, constants,
// variables) with its type, read by the evidence helper with go/parser. Removing or changing
// one is incompatible, and so is adding a method to an interface (its implementations outside
// break); anything else new is a compatible addition. internal/ and main packages have no
// users outside the module and are never compared.
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { trimHead } from "../../text.js";
import type { Check } from "../verdict-types.js";
import { type EvidenceContext, type EvidenceSettings, short } from "./evidence-context.js";
import { type PackageApi, packageApis } from "./evidence-helper.js";
import { importPathOf, isCodeFile, packagePattern, patternDir } from "./go-files.js";

export const API_CHECK = "exported API";

export interface ApiDiff {
  incompatible: string[];
  added: string[];
}

function label(key: string): string {
  return key.replace(/^imethod /, "interface method ").replace(/^embed /, "interface embedding ");
}

/** Incompatible changes and additions from one package's elements on the base and the change. */
export function diffApi(
  base: Record<string, string> | undefined,
  head: Record<string, string> | undefined,
): ApiDiff {
  const was = base ?? {};
  const now = head ?? {};
  const incompatible: string[] = [];
  const added: string[] = [];
  for (const [key, text] of Object.entries(was)) {
    if (!(key in now)) incompatible.push(`removed ${label(key)}`);
    else if (now[key] !== text)
      incompatible.push(`changed ${label(key)}: ${text || "(untyped)"} → ${now[key] || "(untyped)"}`);
  }
  for (const key of Object.keys(now)) {
    if (key in was) continue;
    const iface = /^(imethod|embed) ([^.]+)\./.exec(key);
    // A method added to an interface that was there already: every implementation outside breaks.
    if (iface && was[`type ${iface[2]}`]?.endsWith("interface")) incompatible.push(`added ${label(key)}`);
    else added.push(label(key));
  }
  return { incompatible: incompatible.sort(), added: added.sort() };
}

/** `./a/internal/b` and the like: not importable from outside the module. */
function isInternal(pattern: string): boolean {
  return pattern.split("/").includes("internal");
}

export async function apiCheck(
  ctx: EvidenceContext,
  mode: EvidenceSettings["api"],
): Promise<Check | undefined> {
  const name = API_CHECK;
  if (mode === "off") return undefined;
  const patterns = [
    ...new Set(ctx.changed.filter((f) => isCodeFile(ctx.dir, f)).map((f) => packagePattern(ctx.dir, f))),
  ]
    .filter((p) => !isInternal(p))
    .sort();
  if (patterns.length === 0) return undefined;
  const started = Date.now();
  let head: PackageApi[];
  let base: PackageApi[];
  let baseDir: string;
  try {
    const baseRoot = await ctx.base.root();
    baseDir = await ctx.base.moduleDir();
    const headDirs = patterns.map((p) => patternDir(ctx.dir, p)).filter((d) => existsSync(d));
    const baseDirs = patterns.map((p) => patternDir(baseDir, p)).filter((d) => existsSync(d));
    const all = await packageApis(
      ctx.toolchain,
      [...headDirs, ...baseDirs],
      [ctx.root, baseRoot],
      ctx.signal,
    );
    head = all.slice(0, headDirs.length);
    base = all.slice(headDirs.length);
  } catch (err) {
    return {
      name,
      status: "skipped",
      summary: `could not compare: ${(err as Error).message}`,
      details: "",
      evidence: true,
    };
  }
  const at = (list: PackageApi[], dir: string, p: string) =>
    list.find((a) => relative(dir, a.dir) === relative(dir, patternDir(dir, p)));
  const incompatible: string[] = [];
  const added: string[] = [];
  const unreadable: string[] = [];
  let compared = 0;
  for (const p of patterns) {
    const h = at(head, ctx.dir, p);
    const b = at(base, baseDir, p);
    if (h?.main || b?.main) continue;
    if (h?.error || b?.error) unreadable.push(`${importPathOf(ctx.dir, p)}: ${h?.error ?? b?.error}`);
    if (!h?.package && !b?.package) continue;
    compared++;
    const pkg = importPathOf(ctx.dir, p);
    const d = diffApi(b?.package ? b.elements : undefined, h?.package ? h.elements : undefined);
    incompatible.push(...d.incompatible.map((c) => `${pkg}: ${c}`));
    added.push(...d.added.map((c) => `${pkg}: ${c}`));
  }
  if (compared === 0) return undefined;
  const strict = mode === "strict";
  const pkgs = `${compared} package${compared === 1 ? "" : "s"}`;
  const addText = added.length ? `${added.length} addition${added.length === 1 ? "" : "s"}` : "";
  const summary = incompatible.length
    ? `${incompatible.length} incompatible change${incompatible.length === 1 ? "" : "s"}: ${incompatible.slice(0, 3).join("; ")}${incompatible.length > 3 ? "; …" : ""}${addText ? `; ${addText}` : ""}${strict ? "" : " (a warning; verify.api: strict makes it fail)"}`
    : addText
      ? `compatible: ${addText} in ${pkgs}`
      : `no change to the exported API of ${pkgs}`;
  const details = [
    incompatible.length
      ? `Incompatible with ${short(ctx.baseSha)}:\n${incompatible.map((c) => `- ${c}`).join("\n")}`
      : "",
    added.length ? `Added (compatible):\n${added.map((c) => `+ ${c}`).join("\n")}` : "",
    unreadable.length ? `Not fully read:\n${unreadable.map((c) => `- ${c}`).join("\n")}` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  const warnings =
    incompatible.length && !strict
      ? [
          `Your change breaks the exported API that code outside the package may use: ${incompatible.join("; ")}. Keep the old API (deprecate it, add beside it) unless the task asks for the break, and say so in your report.`,
        ]
      : [];
  return {
    name,
    status: incompatible.length && strict ? "fail" : "pass",
    summary,
    details: trimHead(details, { maxLines: 80, maxChars: 6000 }),
    durationMs: Date.now() - started,
    evidence: true,
    ...(warnings.length ? { warnings } : {}),
    ...(incompatible.length && strict
      ? { findings: incompatible.map((c) => ({ key: `api ${c}`, label: c })) }
      : {}),
  };
}
