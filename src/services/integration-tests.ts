// Which tests the repository's build tags bring in (`//go:build integration`), and how they
// fared in the verdict's go test run: the "integration tests" the verdict names.
import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { TestRunReport } from "../golang/test-json.js";
import { defaultTag, evaluate, fileConstraint, parseConstraint } from "../verify/build-constraints.js";

export interface IntegrationCount {
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
}

const TEST_FUNC = /^func\s+(Test[A-Z0-9_]\w*|Test)\s*\(\s*\w+\s+\*testing\.T\s*\)/gm;

/** Whether a file's constraint keeps it out by default and lets it in with `tags`. */
function needsTags(source: string, tags: readonly string[]): boolean {
  const constraint = fileConstraint(source);
  if (!constraint) return false;
  try {
    const expr = parseConstraint(constraint);
    return !evaluate(expr, defaultTag) && evaluate(expr, (t) => tags.includes(t) || defaultTag(t));
  } catch {
    return false;
  }
}

/** Import path → test names of the tagged test files under root (one or more modules). */
export async function taggedTests(root: string, tags: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (tags.length === 0) return out;
  const walk = async (dir: string, module: string | undefined, rel: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const gomod = entries.some((e) => e.isFile() && e.name === "go.mod")
      ? /^module\s+"?([^"\s]+)"?/m.exec(await readFile(join(dir, "go.mod"), "utf8").catch(() => ""))?.[1]
      : undefined;
    const [mod, at] = gomod ? [gomod, ""] : [module, rel];
    for (const e of entries) {
      if (e.isDirectory() && !/^[._]/.test(e.name) && e.name !== "vendor" && e.name !== "testdata") {
        await walk(join(dir, e.name), mod, at ? `${at}/${e.name}` : e.name);
      } else if (mod && e.isFile() && e.name.endsWith("_test.go")) {
        const source = await readFile(join(dir, e.name), "utf8").catch(() => "");
        if (!needsTags(source, tags)) continue;
        const names = [...source.matchAll(TEST_FUNC)].map((m) => m[1]!);
        const pkg = at ? `${mod}/${at}` : mod;
        out.set(pkg, [...(out.get(pkg) ?? []), ...names]);
      }
    }
  };
  await walk(root, undefined, "");
  return out;
}

/** How the tagged tests fared in the run; undefined when there are none. */
export function countIntegration(
  tagged: Map<string, string[]>,
  report: TestRunReport | undefined,
): IntegrationCount | undefined {
  const count: IntegrationCount = { tests: 0, passed: 0, failed: 0, skipped: 0 };
  for (const [pkg, tests] of tagged) {
    const result = report?.packages.find((p) => p.name === pkg);
    if (!result) continue;
    for (const name of tests) {
      count.tests += 1;
      if (result.status === "build-fail") count.failed += 1;
      else if (result.failedTests.some((t) => t.name === name)) count.failed += 1;
      else if (result.skippedTests.some((t) => t.name === name)) count.skipped += 1;
      else if (result.status !== "incomplete") count.passed += 1;
    }
  }
  return count.tests ? count : undefined;
}
