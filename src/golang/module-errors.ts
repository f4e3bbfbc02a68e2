// Go's module errors in plain words. `go mod tidy`, `go mod download` and offline builds
// report a module that cannot be had in many shapes (a proxy's 404/410, a checksum
// mismatch, git asking for a password, GOPROXY=off); this names the module and the reason
// in one line each, so the agent can act on it and the verdict can say which module failed.

export type ModuleProblemKind =
  | "not-found"
  | "gone"
  | "refused"
  | "auth"
  | "checksum-mismatch"
  | "bad-version"
  | "path-mismatch"
  | "needs-newer-go"
  | "unreachable"
  | "not-downloaded"
  | "missing-go-sum"
  | "not-required";

export interface ModuleProblem {
  /** "path@version", a module path, or a package path; "" when go did not name it. */
  module: string;
  kind: ModuleProblemKind;
  /** One line in plain words. */
  reason: string;
}

/** Kinds that mean "the module was never fetched for this checkout": `go mod tidy` fixes them. */
const NEEDS_TIDY = new Set<ModuleProblemKind>(["not-downloaded", "missing-go-sum", "not-required"]);

/** "path@v1.2.3", not the "…/@v/list" of a proxy URL. */
const MOD_AT_VERSION = /(?<![\w/.])([A-Za-z0-9][\w.~+\-/]*@v\d[\w.+-]*)/;
const DOWNLOADING = /^go: downloading (\S+) (\S+)$/gm;
/** Lines go test prints around a test's own output. */
const TEST_OUTPUT = /^(--- |=== |ok\s|FAIL\b|PASS\b|panic: |\?\s)/;

function clip(text: string, max = 160): string {
  const t = text.trim().replace(/\s+/g, " ");
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Splits go's output into error blocks: a line and the indented lines continuing it. */
function blocks(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (/^\s/.test(line) && out.length > 0) out[out.length - 1] += `\n${line}`;
    else if (line.trim()) out.push(line);
  }
  return out;
}

function statusProblem(status: number, statusText: string, response: string | undefined) {
  const said = response ? `: ${clip(response)}` : "";
  const code = `${status} ${statusText.trim()}`;
  if (status === 404)
    return { kind: "not-found" as const, reason: `not found on the module proxy (${code})${said}` };
  if (status === 410)
    return { kind: "gone" as const, reason: `the module proxy no longer serves it (${code})${said}` };
  if (status === 401)
    return { kind: "auth" as const, reason: `the server wants credentials (${code})${said}` };
  if (status === 403)
    return { kind: "refused" as const, reason: `the module proxy refused it (${code})${said}` };
  return { kind: "unreachable" as const, reason: `the module proxy answered ${code}${said}` };
}

type Found = Omit<ModuleProblem, "module">;

/** First match wins: the most specific message before the generic ones it may contain. */
const RULES: { re: RegExp; found: (m: RegExpExecArray) => Found }[] = [
  {
    re: /checksum mismatch/,
    found: () => ({
      kind: "checksum-mismatch",
      reason:
        "checksum mismatch: what was downloaded does not match go.sum (the published version changed, or go.sum is wrong)",
    }),
  },
  {
    re: /requires go >= (\S+) \(running go (\S+?)[;)]/,
    found: (m) => ({
      kind: "needs-newer-go",
      reason: `needs go >= ${m[1]}, this toolchain is go ${m[2]} and does not switch: use an older version of it`,
    }),
  },
  {
    re: /module lookup disabled by GOPROXY=off/,
    found: () => ({
      kind: "not-downloaded",
      reason: "not in the module cache, and builds and tests run offline",
    }),
  },
  {
    // Offline runs mount the module cache read-only: go tries to make the missing module's
    // download directory before it asks GOPROXY=off, and that is what it reports.
    re: /pkg\/mod\/cache\S*: read-only file system/,
    found: () => ({
      kind: "not-downloaded",
      reason: "not in the module cache, and builds and tests run offline",
    }),
  },
  {
    re: /missing go\.sum entry/,
    found: () => ({ kind: "missing-go-sum", reason: "go.sum has no entry for it" }),
  },
  {
    re: /no required module provides package/,
    found: () => ({ kind: "not-required", reason: "imported, but no module in go.mod provides it" }),
  },
  {
    re: /terminal prompts disabled|could not read (Username|Password)|Authentication failed|HTTP Basic: Access denied/,
    found: () => ({
      kind: "auth",
      reason: "authentication failed: the repository is private and no valid credentials were sent",
    }),
  },
  {
    re: /reading \S+: (\d{3}) ([^\n]*)(?:\n\s*server response:\s*([^\n]*))?/,
    found: (m) => statusProblem(Number(m[1]), m[2] ?? "", m[3]),
  },
  {
    re: /Repository not found|repository '[^']*' not found|does not appear to be a git repository/,
    found: () => ({ kind: "not-found", reason: "the git server has no such repository" }),
  },
  {
    re: /module declares its path as: (\S+)\s+but was required as: (\S+)/,
    found: (m) => ({ kind: "path-mismatch", reason: `its go.mod declares the path ${m[1]}, not ${m[2]}` }),
  },
  {
    re: /(unknown revision \S+|no matching versions for query "[^"]+")/,
    found: (m) => ({ kind: "bad-version", reason: `no such version (${m[1]})` }),
  },
  {
    re: /(Could not resolve host[^\n]*|no such host|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout)/,
    found: (m) => ({ kind: "unreachable", reason: `could not reach the server (${clip(m[1] ?? "", 80)})` }),
  },
  {
    re: /invalid version: ([^\n]+)/,
    found: (m) => ({ kind: "bad-version", reason: `invalid version: ${clip(m[1] ?? "")}` }),
  },
];

function classify(block: string): Found | undefined {
  for (const rule of RULES) {
    const m = rule.re.exec(block);
    if (m) return rule.found(m);
  }
  return undefined;
}

/** Where each kind of message names the module, most specific first. */
const MODULE_NAMES: RegExp[] = [
  /(?:providing|provides) package ([^\s;:(]+)/,
  MOD_AT_VERSION,
  /module (\S+?): /,
];

function moduleOf(block: string, kind: ModuleProblemKind): string {
  const verifying = /verifying (?:module: )?(\S+?)(?:\/go\.mod)?:/.exec(block);
  if (kind === "checksum-mismatch" && verifying) return verifying[1] ?? "";
  for (const re of MODULE_NAMES) {
    const m = re.exec(block);
    if (m) return m[1] ?? "";
  }
  return "";
}

/** The module problems in go's output (stderr, or build output from `go test -json`). */
export function parseModuleProblems(output: string): ModuleProblem[] {
  const found: ModuleProblem[] = [];
  const seen = new Set<string>();
  const downloading = [...output.matchAll(DOWNLOADING)].map((m) => `${m[1]}@${m[2]}`);
  for (const block of blocks(output)) {
    // A test's own output (a failing test that dialled out) is not a module problem.
    if (TEST_OUTPUT.test(block) || block.includes('"Test":"')) continue;
    const problem = classify(block);
    if (!problem) continue;
    let modules = [moduleOf(block, problem.kind)];
    // "file.go:3:8: module lookup disabled by GOPROXY=off" names no module; the
    // "go: downloading" lines go printed just before say which ones it was missing.
    if (!modules[0] && problem.kind === "not-downloaded" && downloading.length) modules = downloading;
    // Anything else that names no module is not go talking about modules.
    if (!modules[0] && problem.kind !== "not-downloaded") continue;
    for (const module of modules) {
      const key = `${module}\0${problem.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ module, ...problem });
    }
  }
  return found;
}

/** Whether `go mod tidy` is the fix for every problem. */
export function needsTidy(problems: ModuleProblem[]): boolean {
  return problems.length > 0 && problems.every((p) => NEEDS_TIDY.has(p.kind));
}

/** "github.com/x/y@v1.2.3: not found on the module proxy (404 Not Found)" */
export function problemLine(p: ModuleProblem): string {
  return `${p.module || "a required module"}: ${p.reason}`;
}

/** A few lines for the agent: each problem, then what to do. */
export function describeForAgent(problems: ModuleProblem[]): string {
  if (problems.length === 0) return "";
  const lines = problems.slice(0, 8).map((p) => `- ${problemLine(p)}`);
  if (problems.length > 8) lines.push(`- … and ${problems.length - 8} more`);
  const kinds = new Set(problems.map((p) => p.kind));
  const hints: string[] = [];
  if ([...kinds].some((k) => NEEDS_TIDY.has(k))) {
    hints.push(
      'Builds and tests run offline; only go mod commands may download. Run the go tool with ["mod", "tidy"] first (it also writes go.sum).',
    );
  }
  if (kinds.has("not-found") || kinds.has("gone") || kinds.has("bad-version") || kinds.has("refused")) {
    hints.push(
      "Check the module path and version (a typo, or a version that was never published or was retracted).",
    );
  }
  if (kinds.has("needs-newer-go"))
    hints.push("Require an older version of that module in go.mod, then run go mod tidy.");
  if (kinds.has("auth"))
    hints.push("The bot has no access to that private repository; say so in your report.");
  if (kinds.has("checksum-mismatch")) {
    hints.push("Do not delete the go.sum lines to make it pass: report the mismatch, it may be tampering.");
  }
  return [`module problems:`, ...lines, ...hints].join("\n");
}
