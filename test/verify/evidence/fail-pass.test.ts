// Fail → pass through verifyChange, on real modules with the real Go toolchain: the tests a
// change adds or modifies run on the base (with the change's tests laid over it) and on the change.
import { describe, expect, it } from "@jest/globals";
import { renderCheckRunOutput, renderVerdictMarkdown } from "../../../src/github/publish/render-verdict.js";
import { FAIL_PASS_CHECK } from "../../../src/verify/evidence/fail-pass.js";
import type { Verdict } from "../../../src/verify/verdict.js";
import { evidenceHarness, type Repo, rowOf } from "./support.js";

const h = evidenceHarness();

const CALC = `package calc

// Add returns a+b.
func Add(a, b int) int { return a + b }

// Abs returns |n|.
func Abs(n int) int { return n }
`;

const CALC_TEST = `package calc

import "testing"

func TestAdd(t *testing.T) {
	if Add(2, 3) != 5 {
		t.Fatal("Add(2, 3) != 5")
	}
}

func TestAbs(t *testing.T) {
	if Abs(2) != 2 {
		t.Fatal("Abs(2) != 2")
	}
}
`;

const STRS = `package strs

import "strings"

// Upper returns s in upper case.
func Upper(s string) string { return strings.ToUpper(s) }
`;

function calcRepo(): Promise<Repo> {
  return h.repo({ "calc/calc.go": CALC, "calc/calc_test.go": CALC_TEST, "strs/strs.go": STRS });
}

const verdictOf = (repo: Repo, changed: string[]) => h.verdict(repo, changed, { failPass: "on" });
const row = (v: Verdict) => rowOf(v, FAIL_PASS_CHECK);

describe("fail → pass", () => {
  it("proves a new test that fails without the change, and flags one that passes without it", async () => {
    const repo = await calcRepo();
    const changed = repo.change({
      "calc/calc.go": `${CALC}\n// Sub returns a-b.\nfunc Sub(a, b int) int { return a - b }\n`,
      "calc/sub_test.go": `package calc

import "testing"

func TestSub(t *testing.T) {
	if Sub(5, 3) != 2 {
		t.Fatal("Sub(5, 3) != 2")
	}
}
`,
      "strs/strs_test.go": `package strs

import "testing"

func TestUpperEmpty(t *testing.T) {
	if Upper("") != "" {
		t.Fatal("Upper of nothing is not nothing")
	}
}
`,
    });
    const v = await verdictOf(repo, changed);
    const fp = row(v);
    expect(fp.status).toBe("pass");
    expect(fp.summary).toBe(
      "1 of 2 new or changed tests fail without the change and pass with it; 1 passes without it (may not test the change)",
    );
    expect(fp.details).toContain(
      "✓ TestSub (example.com/evidence/calc, added): does not compile without the change, passes with it",
    );
    expect(fp.details).toContain(
      "⚠ TestUpperEmpty (example.com/evidence/strs, added): passes without the change, passes with it — it may not test the change",
    );
    expect(fp.warnings).toHaveLength(1);
    expect(fp.warnings![0]).toContain(
      "TestUpperEmpty in example.com/evidence/strs passes on the base commit",
    );
    // Evidence never turns a green verdict red by itself.
    expect(v.overall).toBe("pass");
    // The PR shows the row as a warning, its list folded, though the verdict passed.
    const md = renderVerdictMarkdown(v);
    expect(md).toContain("| fail → pass | 🟡 warning | 1 of 2 new or changed tests fail");
    expect(md).toContain("<details><summary>fail → pass: 1 of 2 new or changed tests");
    expect(md).toContain("✓ TestSub (example.com/evidence/calc, added)");
    expect(renderCheckRunOutput(v).conclusion).toBe("success");
  }, 240_000);

  it("proves a modified test that fails on the old code: a bug fix with its regression case", async () => {
    const repo = await calcRepo();
    const changed = repo.change({
      "calc/calc.go": CALC.replace(
        "func Abs(n int) int { return n }",
        "func Abs(n int) int {\n\tif n < 0 {\n\t\treturn -n\n\t}\n\treturn n\n}",
      ),
      "calc/calc_test.go": CALC_TEST.replace(
        'if Abs(2) != 2 {\n\t\tt.Fatal("Abs(2) != 2")\n\t}',
        'if Abs(2) != 2 || Abs(-2) != 2 {\n\t\tt.Fatal("Abs is not |n|")\n\t}',
      ),
    });
    const fp = row(await verdictOf(repo, changed));
    expect(fp.summary).toBe("1 of 1 new or changed test fails without the change and passes with it");
    expect(fp.details).toBe(
      "✓ TestAbs (example.com/evidence/calc, changed): fails without the change, passes with it",
    );
    expect(fp.warnings).toBeUndefined();
  }, 240_000);

  it("names a change to code that no test shows", async () => {
    const repo = await calcRepo();
    const changed = repo.change({
      "calc/calc.go": `${CALC}\n// Mul returns a*b.\nfunc Mul(a, b int) int { return a * b }\n`,
    });
    const fp = row(await verdictOf(repo, changed));
    expect(fp.status).toBe("skipped");
    expect(fp.summary).toBe(
      "no test added or changed, though Go code changed: no test shows what the change does",
    );
  }, 240_000);

  it("says a new test fails with the change, and a test whose only change is a comment is not new", async () => {
    const repo = await calcRepo();
    const changed = repo.change({
      "calc/calc_test.go": CALC_TEST.replace("func TestAdd(", "// TestAdd checks Add.\nfunc TestAdd("),
      "calc/broken_test.go":
        'package calc\n\nimport "testing"\n\nfunc TestBroken(t *testing.T) { t.Fatal("wrong") }\n',
    });
    const v = await verdictOf(repo, changed);
    const fp = row(v);
    expect(fp.summary).toBe(
      "0 of 1 new or changed test fails without the change and passes with it; 1 fails with it",
    );
    expect(fp.details).toBe(
      "⚠ TestBroken (example.com/evidence/calc, added): fails without the change, fails with it",
    );
    // The go test row is red for it and carries it to repair; no second message.
    expect(fp.warnings).toBeUndefined();
    expect(v.checks.find((c) => c.name === "go test")?.status).toBe("fail");
  }, 240_000);
});
