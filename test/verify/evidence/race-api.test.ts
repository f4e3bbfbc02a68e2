// The race detector and the exported-API comparison through verifyChange, on real modules.
import { describe, expect, it } from "@jest/globals";
import { API_CHECK } from "../../../src/verify/evidence/api-diff.js";
import { RACE_CHECK } from "../../../src/verify/evidence/race.js";
import { introducedFailures, repairMessage } from "../../../src/verify/repair-feedback.js";
import { evidenceHarness, rowOf } from "./support.js";

const h = evidenceHarness();
const repo = h.repo;
const verdictOf = h.verdict;
const row = rowOf;

/** Two goroutines on one map: the race the detector must see. */
const racy = (pkg: string, fn: string) => `package ${pkg}

import "sync"

// ${fn} counts words from two goroutines at once.
func ${fn}(words []string) map[string]int {
	counts := map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, w := range words {
				counts[w]++
			}
		}()
	}
	wg.Wait()
	return counts
}
`;

const racyTest = (pkg: string, fn: string) => `package ${pkg}

import "testing"

func Test${fn}(t *testing.T) {
	_ = ${fn}([]string{"a", "b", "a"})
}
`;

const itWithCgo = () => ((h.toolchain()?.cgo ?? true) ? it : it.skip);

describe("go test -race", () => {
  itWithCgo()(
    "is red for a race the change brings, with both goroutines' stacks, and sets apart the base's own",
    async () => {
      const r = await repo({
        "legacy/legacy.go": racy("legacy", "Tally"),
        "legacy/legacy_test.go": racyTest("legacy", "Tally"),
      });
      const changed = r.change({
        "legacy/legacy.go": `${racy("legacy", "Tally")}\n// Version names the package's version.\nconst Version = "2"\n`,
        "words/words.go": racy("words", "Count"),
        "words/words_test.go": racyTest("words", "Count"),
      });
      const v = await verdictOf(r, changed, { race: "on" });
      const race = row(v, RACE_CHECK);
      expect(race.status).toBe("fail");
      expect(race.summary).toMatch(
        /^1 data race the change brings: example\.com\/evidence\/words\.Count\.func1; 1 already on the base set apart$/,
      );
      // Both accesses with their stacks, paths relative to the module.
      expect(race.details).toContain("WARNING: DATA RACE");
      expect(race.details).toMatch(/Previous (write|read) at/);
      expect(race.details).toContain("words/words.go:");
      expect(race.details).not.toContain(r.dir);
      expect(race.details).toContain("Already on the base");
      expect(race.details).toContain("example.com/evidence/legacy.Tally.func1");
      expect(v.overall).toBe("fail");
      // What the repair round tells the agent: the race, not the base's.
      expect(introducedFailures(v).map((c) => c.name)).toEqual([RACE_CHECK]);
      const message = repairMessage(v, 1, 2);
      expect(message).toContain("data race in example.com/evidence/words");
      expect(message).not.toContain("legacy.Tally");
    },
    240_000,
  );

  itWithCgo()(
    "passes a change without races; under auto, runs only where the package is concurrent",
    async () => {
      const r = await repo({ "words/words.go": "package words\n\nfunc One() int { return 1 }\n" });
      const changed = r.change({
        "words/words_test.go":
          'package words\n\nimport "testing"\n\nfunc TestOne(t *testing.T) {\n\tif One() != 1 {\n\t\tt.Fatal("One")\n\t}\n}\n',
      });
      // Nothing concurrent in the package: auto does not pay for an instrumented build.
      const auto = row(await verdictOf(r, changed, { race: "auto" }), RACE_CHECK);
      expect(auto.status).toBe("skipped");
      expect(auto.summary).toMatch(/^not run: no goroutine, channel, sync or parallel test/);
      const race = row(await verdictOf(r, changed, { race: "on" }), RACE_CHECK);
      expect(race.status).toBe("pass");
      expect(race.summary).toBe("no data race in the tests of 1 package");
    },
    240_000,
  );
});

const SHAPES = `package shapes

// Square is a square.
type Square struct {
	Side  float64
	Label string
}

// Area is the square's area.
func (s Square) Area() float64 { return s.Side * s.Side }

// Shape is anything with an area.
type Shape interface {
	Area() float64
}

// Scale scales a square.
func Scale(s Square, by float64) Square { return Square{Side: s.Side * by} }

// Perimeter is the square's perimeter.
func Perimeter(s Square) float64 { return 4 * s.Side }
`;

describe("exported API", () => {
  async function shapes() {
    const r = await repo({
      "shapes/shapes.go": SHAPES,
      "internal/geo/geo.go": "package geo\n\n// Pi is π.\nconst Pi = 3.14\n",
      "cmd/tool/main.go": "package main\n\n// Run runs.\nfunc Run() {}\n\nfunc main() { Run() }\n",
    });
    const changed = r.change({
      "shapes/shapes.go": SHAPES.replace(/\/\/ Perimeter[\s\S]*$/, "")
        .replace("\tLabel string\n", "")
        .replace("Area() float64\n}", "Area() float64\n\tName() string\n}")
        .replace("func Scale(s Square, by float64) Square", "func Scale(s Square, by int) Square")
        .replace("{Side: s.Side * by}", "{Side: s.Side * float64(by)}")
        .concat(
          "\n// Diagonal is the square's diagonal.\nfunc Diagonal(s Square) float64 { return s.Side * 1.4142 }\n",
        ),
      "internal/geo/geo.go": null,
      "internal/geo/tau.go": "package geo\n\n// Tau is τ.\nconst Tau = 6.28\n",
      "cmd/tool/main.go": "package main\n\nfunc main() {}\n",
    });
    return { r, changed };
  }

  it("names incompatible changes as a warning for the agent, lists additions, and ignores internal/ and main", async () => {
    const { r, changed } = await shapes();
    const v = await verdictOf(r, changed, { api: "warn" });
    const api = row(v, API_CHECK);
    expect(api.status).toBe("pass");
    expect(api.summary).toMatch(
      /^4 incompatible changes: .*; 1 addition \(a warning; verify\.api: strict makes it fail\)$/,
    );
    expect(api.details).toContain("- example.com/evidence/shapes: removed func Perimeter");
    expect(api.details).toContain("- example.com/evidence/shapes: removed field Square.Label");
    expect(api.details).toContain(
      "- example.com/evidence/shapes: changed func Scale: func(Square, float64) (Square) → func(Square, int) (Square)",
    );
    expect(api.details).toContain("- example.com/evidence/shapes: added interface method Shape.Name");
    expect(api.details).toContain("+ example.com/evidence/shapes: func Diagonal");
    expect(api.details).not.toContain("geo");
    expect(api.details).not.toContain("Run");
    expect(api.warnings?.[0]).toContain("removed func Perimeter");
    expect(v.overall).toBe("pass");
  });

  it("fails under verify.api: strict", async () => {
    const { r, changed } = await shapes();
    const v = await verdictOf(r, changed, { api: "strict" });
    const api = row(v, API_CHECK);
    expect(api.status).toBe("fail");
    expect(api.summary).toMatch(/^4 incompatible changes: .*; 1 addition$/);
    expect(v.overall).toBe("fail");
    expect(repairMessage(v, 1, 2)).toContain("removed func Perimeter");
  });

  it("lists a compatible addition alone", async () => {
    const r = await repo({ "shapes/shapes.go": SHAPES });
    const changed = r.change({
      "shapes/shapes.go": `${SHAPES}\n// Unit is the unit square.\nvar Unit = Square{Side: 1}\n`,
    });
    const api = row(await verdictOf(r, changed, { api: "warn" }), API_CHECK);
    expect(api.summary).toBe("compatible: 1 addition in 1 package");
    expect(api.details).toBe("Added (compatible):\n+ example.com/evidence/shapes: var Unit");
    expect(api.warnings).toBeUndefined();
  });
});
