import { describe, expect, it } from "@jest/globals";
import { parseTestJson } from "../../src/golang/test-json.js";
import { positionFindings, splitFindings, testFindings } from "../../src/verify/findings.js";

describe("findings", () => {
  it("keys vet findings by file and message, so a shifted line is the same finding", () => {
    const main =
      "# example.com/m/legacy\n# [example.com/m/legacy]\nlegacy/legacy.go:17:2: result of fmt.Sprintf call not used\n";
    const change =
      "# example.com/m/legacy\n# [example.com/m/legacy]\nlegacy/legacy.go:21:2: result of fmt.Sprintf call not used\n";
    const a = positionFindings("vet", main, "/tmp/base");
    const b = positionFindings("vet", change, "/tmp/change");
    expect(a.map((f) => f.key)).toEqual(["vet legacy/legacy.go: result of fmt.Sprintf call not used"]);
    expect(b[0]?.label).toBe("legacy/legacy.go:21:2: result of fmt.Sprintf call not used");
    expect(splitFindings(b, a)).toEqual({ introduced: [], preexisting: b, fixed: [] });
  });

  it("strips the checkout's absolute directory from paths", () => {
    const out = "# example.com/m/money\n/work/x/money/money.go:3:1: undefined: Foo\n";
    expect(positionFindings("build", out, "/work/x")[0]?.key).toBe("build money/money.go: undefined: Foo");
  });

  it("names failing tests by package and name, and packages whose tests did not build", () => {
    const events = [
      { Action: "run", Package: "m/a", Test: "TestOld" },
      { Action: "output", Package: "m/a", Test: "TestOld", Output: "    a_test.go:8: want 1.01\n" },
      { Action: "fail", Package: "m/a", Test: "TestOld", Elapsed: 0 },
      { Action: "fail", Package: "m/a", Elapsed: 0 },
      { Action: "run", Package: "m/b", Test: "TestNew" },
      { Action: "fail", Package: "m/b", Test: "TestNew", Elapsed: 0 },
      { Action: "fail", Package: "m/b", Elapsed: 0 },
    ];
    const report = parseTestJson(events.map((e) => JSON.stringify(e)).join("\n"));
    const change = testFindings(report, "/w");
    expect(change.map((f) => f.key)).toEqual(["test m/a TestOld", "test m/b TestNew"]);
    expect(change[0]?.detail).toContain("want 1.01");
    const base = [
      { key: "test m/a TestOld", label: "m/a TestOld" },
      { key: "test m/c TestGone", label: "" },
    ];
    const split = splitFindings(change, base);
    expect(split.introduced.map((f) => f.key)).toEqual(["test m/b TestNew"]);
    expect(split.preexisting.map((f) => f.key)).toEqual(["test m/a TestOld"]);
    expect(split.fixed.map((f) => f.key)).toEqual(["test m/c TestGone"]);
  });
});
