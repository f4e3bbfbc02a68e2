// Failures normalized so the same problem on the change and on its base compare equal:
// tests by package and test name, vet findings and build errors by file and message (line
// and column numbers shift with any edit above them, so they are not part of the key), a
// repository command as a whole.
import { parseBuildStderr, type TestRunReport } from "../golang/test-json.js";
import { trimTail } from "../text.js";

export interface Finding {
  /** What compares: "test example.com/m/pkg TestName", "vet pkg/file.go: message". */
  key: string;
  /** One line for people, positions kept. */
  label: string;
  /** Output that explains it (a failing test's log), clipped. */
  detail?: string;
}

const POSITION = /^\s*(?:vet: )?(\S+\.go):\d+(?::\d+)?: (.*)$/;
const DETAIL_LIMITS = { maxLines: 40, maxChars: 4000 };

/** Paths as the module sees them: a base checkout lives in another directory. */
function relativeTo(dir: string, text: string): string {
  return text.split(`${dir}/`).join("").replace(/^\.\//, "");
}

/** `file.go:12:3: message` lines of vet or build output, each a finding of its package. */
export function positionFindings(kind: "vet" | "build", stderr: string, dir: string): Finding[] {
  const out = new Map<string, Finding>();
  const { blocks, loose } = parseBuildStderr(stderr);
  const sections: [string, string][] = [...blocks.entries()];
  if (loose.length) sections.push(["", loose.join("\n")]);
  for (const [pkg, text] of sections) {
    let matched = false;
    for (const line of text.split("\n")) {
      const m = POSITION.exec(line);
      if (!m) continue;
      matched = true;
      const file = relativeTo(dir, m[1]!);
      const message = relativeTo(dir, m[2]!.trim());
      const key = `${kind} ${file}: ${message}`;
      if (!out.has(key)) out.set(key, { key, label: relativeTo(dir, line.trim()) });
    }
    if (!matched && pkg && kind === "build") {
      const key = `build ${pkg}`;
      out.set(key, { key, label: `${pkg} does not build`, detail: trimTail(text, DETAIL_LIMITS) });
    }
  }
  return [...out.values()];
}

/** Failing tests by package and name; packages whose tests did not build. */
export function testFindings(report: TestRunReport, dir: string): Finding[] {
  const out: Finding[] = [];
  for (const p of report.packages) {
    if (p.status === "build-fail") {
      out.push({
        key: `test-build ${p.name}`,
        label: `${p.name}: tests did not build`,
        detail: trimTail(relativeTo(dir, p.buildOutput ?? ""), DETAIL_LIMITS),
      });
      continue;
    }
    for (const t of p.failedTests) {
      out.push({
        key: `test ${p.name} ${t.name}`,
        label: `${p.name} ${t.name} (${t.reason})`,
        detail: trimTail(relativeTo(dir, t.output), DETAIL_LIMITS),
      });
    }
    if (p.status === "fail" && p.failedTests.length === 0) {
      out.push({
        key: `test ${p.name}`,
        label: `${p.name} failed`,
        detail: trimTail(relativeTo(dir, p.output ?? ""), DETAIL_LIMITS),
      });
    }
  }
  return out;
}

export interface FindingSplit {
  introduced: Finding[];
  preexisting: Finding[];
  /** Failing on the base, passing on the change. */
  fixed: Finding[];
}

export function splitFindings(change: Finding[], base: Finding[]): FindingSplit {
  const onBase = new Set(base.map((f) => f.key));
  const onChange = new Set(change.map((f) => f.key));
  return {
    introduced: change.filter((f) => !onBase.has(f.key)),
    preexisting: change.filter((f) => onBase.has(f.key)),
    fixed: base.filter((f) => !onChange.has(f.key)),
  };
}
