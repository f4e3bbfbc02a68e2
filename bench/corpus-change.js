// The corpus's shared parts: which bundles to run, and the small correct change every run makes
// (a new leaf package: clamp.Int and its table test, written to strict linters' taste).
import { readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./stand-in.js";

const { findModuleDirs } = await import(pathToFileURL(join(REPO_ROOT, "dist/verify/go-modules.js")).href);

/** The corpus's bundles, smallest first; `smallest: n` the n smallest, `only` a comma list of names. */
export function corpusBundles(dir, { smallest, only } = {}) {
  const all = readdirSync(dir)
    .filter((n) => n.endsWith(".bundle"))
    .map((n) => ({ name: n.replace(/\.bundle$/, ""), path: join(dir, n), size: statSync(join(dir, n)).size }))
    .sort((a, b) => a.size - b.size);
  if (smallest) return all.slice(0, smallest);
  const names = only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return names?.length ? all.filter((b) => names.includes(b.name)) : all;
}

export /** The change the scripted model makes: a new leaf package in the first module. */
async function changeFor(source) {
  const modules = findModuleDirs(source);
  const dir = modules[0];
  const goMod = await readFile(join(dir, "go.mod"), "utf8");
  const module = /^module\s+(\S+)/m.exec(goMod)?.[1];
  const parent = statSync(join(dir, "internal"), { throwIfNoEntry: false })?.isDirectory() ? "internal/" : "";
  const pkgDir = `${relative(source, dir) ? `${relative(source, dir)}/` : ""}${parent}clamp`;
  const importPath = `${module}/${parent}clamp`;
  // Before Go 1.22 a loop variable is shared by the iterations: a parallel subtest needs its copy
  // (go vet's loopclosure says so); from 1.22 on, the copy is noise (copyloopvar says so).
  const [, major = "1", minor = "22"] = /^go\s+(\d+)\.(\d+)/m.exec(goMod) ?? [];
  const shared = Number(major) === 1 && Number(minor) < 22;
  const code = `// Package clamp limits values to a range.
package clamp

// Int returns value limited to the range [low, high].
func Int(value, low, high int) int {
	if value < low {
		return low
	}

	if value > high {
		return high
	}

	return value
}
`;
  const test = `package clamp_test

import (
	"testing"

	"${importPath}"
)

func TestInt(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name             string
		value, low, high int
		want             int
	}{
		{name: "below", value: -5, low: 0, high: 10, want: 0},
		{name: "inside", value: 7, low: 0, high: 10, want: 7},
		{name: "above", value: 42, low: 0, high: 10, want: 10},
	}
	for _, testCase := range tests {
${shared ? "\t\ttestCase := testCase\n" : ""}		t.Run(testCase.name, func(t *testing.T) {
			t.Parallel()

			got := clamp.Int(testCase.value, testCase.low, testCase.high)
			if got != testCase.want {
				t.Errorf("Int(%d, %d, %d) = %d, want %d", testCase.value, testCase.low, testCase.high, got, testCase.want)
			}
		})
	}
}
`;
  return { files: { [`${pkgDir}/clamp.go`]: code, [`${pkgDir}/clamp_test.go`]: test }, pkgDir };
}
