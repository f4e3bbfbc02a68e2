// The verdict on repositories shaped like real ones (test/fixtures/shape-*): a package of
// only _test.go files in scope, a v1 .golangci.yml, several modules with and without go.work,
// a vendor/ tree, and a tool that cannot run on the base either. Each is a git repository whose
// base commit is the fixture; each gets a correct change (green) and a breaking one (red),
// through verifyChange with the real Go toolchain and the real pinned golangci-lint.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { goInstallationOf } from "../../src/golang/tool-sandbox.js";
import { clearBaseCache } from "../../src/verify/base-comparison.js";
import { downloadModules } from "../../src/verify/checks.js";
import { golangciLintCheck } from "../../src/verify/golangci-lint.js";
import type { Verdict } from "../../src/verify/verdict.js";
import { verifyChange } from "../../src/verify/verify-change.js";
import { verifyCommands } from "../../src/verify/verify-commands.js";
import { testGoTools } from "../golang/go-tools-support.js";
import { checkoutFixture, testToolchain } from "../golang/support.js";
import { git } from "../support/git-repos.js";

const tools = await testGoTools();
const withLint = tools.golangciLint ? describe : describe.skip;

let toolchain: GoToolchain;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  toolchain = await testToolchain();
});
afterEach(async () => {
  clearBaseCache();
  for (const c of cleanups.splice(0)) await c();
});

/** The fixture as a git repository: its one commit is the base. */
async function repository(name: string): Promise<{ dir: string; base: string }> {
  const checkout = await checkoutFixture(`shape-${name}`);
  cleanups.push(checkout.cleanup);
  await git(["init", "--quiet", "--initial-branch=main"], { cwd: checkout.dir });
  await git(["add", "-A"], { cwd: checkout.dir });
  await git(["commit", "--quiet", "-m", "base"], { cwd: checkout.dir });
  const base = (await git(["rev-parse", "HEAD"], { cwd: checkout.dir })).toString().trim();
  return { dir: checkout.dir, base };
}

function write(dir: string, files: Record<string, string>): string[] {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return Object.keys(files);
}

function rows(v: Verdict | undefined): Record<string, string> {
  return Object.fromEntries((v?.checks ?? []).map((c) => [c.name, `${c.status}: ${c.summary}`]));
}

const green = (v: Verdict | undefined) => expect(["pass", "skipped"]).toContain(v?.overall);

describe("a package of only _test.go files in the affected scope", () => {
  const CONVERT = `package rates

// Nominal returns the nominal rate compounded n times a year that gives the effective rate.
func Nominal(effective float64, n int) float64 {
	return float64(n) * (pow(1+effective, 1/float64(n)) - 1)
}
`;
  const correct = {
    "rates/nominal.go": CONVERT.replace("pow(", "math.Pow(").replace(
      "package rates\n",
      'package rates\n\nimport "math"\n',
    ),
    "rates/nominal_test.go": `package rates

import (
	"math"
	"testing"
)

func TestNominal(t *testing.T) {
	if got := Nominal(Effective(0.12, 12), 12); math.Abs(got-0.12) > 1e-9 {
		t.Fatalf("Nominal = %f", got)
	}
}
`,
  };

  it("is green for a correct change: go build leaves the test-only package to vet and test", async () => {
    const repo = await repository("test-only");
    const changed = write(repo.dir, correct);
    const v = await verifyChange({ toolchain, root: repo.dir, baseSha: repo.base, changed });
    green(v);
    expect(rows(v)["go build"]).toBe(
      "pass: all packages build; not built: example.com/rates/rates/regression (only _test.go files (go vet and go test cover it))",
    );
    expect(rows(v)["go vet"]).toBe("pass: no findings");
    expect(rows(v)["go test"]).toMatch(/^pass: 3 passed, 0 failed, 0 skipped in 2 packages/);
    expect(v?.baseline).toBeUndefined();
  }, 240_000);

  it("is red when the change breaks the regression suite", async () => {
    const repo = await repository("test-only");
    const changed = write(repo.dir, {
      ...correct,
      "rates/rates.go": `// Package rates converts between interest rate conventions.
package rates

import "math"

// Effective returns the effective annual rate of a nominal rate compounded n times a year.
func Effective(nominal float64, n int) float64 {
	return math.Pow(1+nominal/float64(n), float64(n+1)) - 1
}
`,
    });
    const v = await verifyChange({ toolchain, root: repo.dir, baseSha: repo.base, changed });
    expect(v?.overall).toBe("fail");
    expect(rows(v)["go test"]).toMatch(/^fail: /);
    expect(v?.checks.find((c) => c.name === "go test")?.findings?.map((f) => f.key)).toContain(
      "test example.com/rates/rates/regression TestKnownEffectiveRates",
    );
  }, 240_000);
});

withLint("a v1 .golangci.yml", () => {
  const lint = () => {
    const go = goInstallationOf(toolchain)!;
    const found = tools.golangciLint!;
    return [golangciLintCheck({ go, golangciLint: async () => ({ ok: true, tool: found }), mode: "auto" })];
  };
  const LOAD = `package store

import "os"

// Load reads the snapshot at path.
func Load(path string) ([]byte, error) {
	return os.ReadFile(path)
}
`;

  it("is migrated on a copy and lints a correct change green, the repository's file untouched", async () => {
    const repo = await repository("lint-v1");
    const changed = write(repo.dir, { "store/load.go": LOAD });
    const v = await verifyChange({
      toolchain,
      root: repo.dir,
      baseSha: repo.base,
      changed,
      extraChecks: lint(),
    });
    green(v);
    const row = v?.checks.find((c) => c.name === "golangci-lint");
    expect(row?.status).toBe("pass");
    expect(row?.summary).toBe("no findings in ./store (v1 configuration migrated)");
    expect(row?.note).toMatch(/^v1 configuration migrated to v2/);
    const status = (await git(["status", "--porcelain"], { cwd: repo.dir })).toString();
    expect(status).not.toContain(".golangci");
  }, 240_000);

  it("is red for a change that leaves an error unchecked, with the repository's own rules", async () => {
    const repo = await repository("lint-v1");
    const changed = write(repo.dir, {
      "store/protect.go": `package store

import "os"

// Protect makes the snapshot at path readable by its owner only.
func Protect(path string) {
	os.Chmod(path, 0o600)
}
`,
    });
    const v = await verifyChange({
      toolchain,
      root: repo.dir,
      baseSha: repo.base,
      changed,
      extraChecks: lint(),
    });
    expect(v?.overall).toBe("fail");
    expect(rows(v)["golangci-lint"]).toMatch(/^fail: 1 finding: errcheck ×1 \(v1 configuration migrated\)/);
  }, 240_000);

  it("says it is installing golangci-lint while the first job waits for the build", async () => {
    const repo = await repository("lint-v1");
    const changed = write(repo.dir, { "store/load.go": LOAD });
    const go = goInstallationOf(toolchain)!;
    let built = false;
    const check = golangciLintCheck({
      go,
      // The build finishes while the job waits; the real one takes minutes.
      golangciLint: async () => {
        built = true;
        return { ok: true, tool: tools.golangciLint! };
      },
      installed: () => built,
      mode: "auto",
    });
    const progress: string[] = [];
    const v = await verifyChange({
      toolchain,
      root: repo.dir,
      baseSha: repo.base,
      changed,
      extraChecks: [check],
      onProgress: (d) => progress.push(d),
    });
    green(v);
    expect(progress).toContain("installing golangci-lint (first use)");
    expect(progress.indexOf("installing golangci-lint (first use)")).toBeGreaterThan(
      progress.indexOf("golangci-lint"),
    );
  }, 240_000);

  it("notes a configuration golangci-lint cannot load, without blaming the change", async () => {
    const repo = await repository("lint-v1");
    writeFileSync(join(repo.dir, ".golangci.yml"), 'version: "2"\nlinters:\n  enable: [nosuchlinter]\n');
    await git(["commit", "--quiet", "-am", "a broken lint configuration"], { cwd: repo.dir });
    const base = (await git(["rev-parse", "HEAD"], { cwd: repo.dir })).toString().trim();
    const changed = write(repo.dir, { "store/load.go": LOAD });
    const v = await verifyChange({ toolchain, root: repo.dir, baseSha: base, changed, extraChecks: lint() });
    green(v);
    expect(rows(v)["golangci-lint"]).toMatch(
      /^skipped: golangci-lint cannot load the configuration \(unknown linters: 'nosuchlinter'/,
    );
  }, 240_000);
});

describe.each([
  ["multi-module", "without go.work"],
  ["workspace", "with go.work"],
])("several modules (%s, %s)", (fixture) => {
  const FORMAT = {
    "internal/common/money/format.go": `package money

import "fmt"

// String formats the amount as units and cents.
func (c Cents) String() string { return fmt.Sprintf("%d.%02d", c/100, c%100) }
`,
    "internal/common/money/format_test.go": `package money

import "testing"

func TestString(t *testing.T) {
	if got := Cents(1234).String(); got != "12.34" {
		t.Fatalf("String = %q", got)
	}
}
`,
  };

  it("verifies each touched module in its own directory: green for a correct change", async () => {
    const repo = await repository(fixture);
    const changed = write(repo.dir, {
      ...FORMAT,
      "internal/billing/invoice/count.go": `package invoice

import "example.com/shop/common/money"

// Count is the number of lines that are not zero.
func Count(lines []money.Cents) int {
	n := 0
	for _, l := range lines {
		if l != 0 {
			n++
		}
	}
	return n
}
`,
    });
    const v = await verifyChange({ toolchain, root: repo.dir, baseSha: repo.base, changed });
    green(v);
    expect(v?.summary).toMatch(/in 2 modules$/);
    expect(rows(v)["go test (internal/common)"]).toMatch(/^pass: 1 passed/);
    expect(rows(v)["go build (internal/billing)"]).toBe("pass: all packages build");
  }, 240_000);

  it("is red when the change breaks a module", async () => {
    const repo = await repository(fixture);
    const changed = write(repo.dir, {
      "internal/billing/invoice/invoice.go": `// Package invoice totals invoice lines.
package invoice

import "example.com/shop/common/money"

// Total is the sum of the lines.
func Total(lines []money.Cents) money.Cents {
	return money.Sum(lines)
}
`,
    });
    const v = await verifyChange({ toolchain, root: repo.dir, baseSha: repo.base, changed });
    expect(v?.overall).toBe("fail");
    expect(rows(v)["go build"]).toMatch(
      /^fail: 1 package failed to build: example.com\/shop\/billing\/invoice/,
    );
  }, 240_000);
});

describe("a vendor/ tree", () => {
  it("is read offline with -mod=vendor: green for a correct change", async () => {
    const repo = await repository("vendored");
    const changed = write(repo.dir, {
      "greeting/shout.go": `package greeting

import (
	"strings"

	"example.com/words"
)

// Shout greets name loudly.
func Shout(name string) string { return strings.ToUpper(words.Hello) + ", " + name + "!" }
`,
    });
    const v = await verifyChange({ toolchain, root: repo.dir, baseSha: repo.base, changed });
    green(v);
    expect(v?.checks.map((c) => c.name)).not.toContain("go mod download");
    expect(rows(v)["go build"]).toBe("pass: all packages build");
    expect(v?.checks.find((c) => c.name === "go build")?.command).toBe("go build <1 packages>");
  }, 240_000);

  it("is red when the change uses what the vendored module does not have", async () => {
    const repo = await repository("vendored");
    const changed = write(repo.dir, {
      "greeting/bye.go": `package greeting

import "example.com/words"

// Bye says goodbye to name.
func Bye(name string) string { return words.Goodbye + ", " + name }
`,
    });
    const v = await verifyChange({ toolchain, root: repo.dir, baseSha: repo.base, changed });
    expect(v?.overall).toBe("fail");
    expect(rows(v)["go build"]).toMatch(/^fail: 1 package failed to build: example.com\/greeter\/greeting/);
  }, 240_000);
});

describe("a tool that cannot run on the base either", () => {
  // The repository's verify commands name a linter this machine does not have.
  const commands = () =>
    verifyCommands([
      ["go", "vet", "./..."],
      ["go", "build", "./..."],
      ["staticcheck", "./..."],
    ]);

  it("is pre-existing, not the change's: the correct change is green", async () => {
    const repo = await repository("test-only");
    const changed = write(repo.dir, {
      "rates/simple.go": `package rates

// Simple returns the interest on principal at rate for years, without compounding.
func Simple(principal, rate float64, years int) float64 { return principal * rate * float64(years) }
`,
    });
    const v = await verifyChange({ toolchain, root: repo.dir, baseSha: repo.base, changed, ...commands() });
    green(v);
    const row = v?.checks.find((c) => c.name === "staticcheck ./...");
    expect(row?.status).toBe("skipped");
    expect(row?.summary).toMatch(
      /^could not run, the same way on [0-9a-f]{7} \(pre-existing\): "staticcheck" was not found on PATH/,
    );
    expect(v?.baseline?.preexisting.map((p) => p.check)).toEqual(["staticcheck ./..."]);
  }, 240_000);

  it("leaves a change that really breaks the build red", async () => {
    const repo = await repository("test-only");
    const changed = write(repo.dir, {
      "rates/simple.go": `package rates

// Simple returns the interest on principal at rate for years, without compounding.
func Simple(principal, rate float64, years int) float64 { return principal * rate * years }
`,
    });
    const v = await verifyChange({ toolchain, root: repo.dir, baseSha: repo.base, changed, ...commands() });
    expect(v?.overall).toBe("fail");
    expect(rows(v)["go build"]).toMatch(/^fail: /);
    expect(rows(v)["staticcheck ./..."]).toMatch(/^skipped: could not run, the same way/);
  }, 240_000);
});

describe("the module download", () => {
  it("fills the cache and leaves go.mod and go.sum as the repository has them", async () => {
    const repo = await repository("multi-module");
    const dir = join(repo.dir, "tools", "report");
    const goMod = "module example.com/shop/report\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n";
    write(repo.dir, { "tools/report/go.mod": goMod, "tools/report/go.sum": "" });
    const check = await downloadModules({ toolchain, dir, root: repo.dir, timeoutMs: 120_000 });
    expect(check.status).toBe("pass");
    expect(readFileSync(join(dir, "go.mod"), "utf8")).toBe(goMod);
    // go mod download adds the module's sums to go.sum; the verdict must not edit the repository.
    expect(readFileSync(join(dir, "go.sum"), "utf8")).toBe("");
  }, 240_000);
});
