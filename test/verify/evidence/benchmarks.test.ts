// The benchmark row through verifyChange, on real modules with the real toolchain and the pinned
// benchstat: a change that makes a function faster shows benchstat's table, base against change;
// one that makes it allocate more is a warning for the agent; a benchmark the base cannot run, no
// benchmark at all, or no benchstat on the worker each say so.
import { describe, expect, it } from "@jest/globals";
import { ensureGoTool } from "../../../src/golang/install-go-tools.js";
import { BENCHSTAT } from "../../../src/golang/tool-versions.js";
import {
  asksForSpeed,
  BENCH_CHECK,
  parseBenchstatCsv,
  regressions,
} from "../../../src/verify/evidence/benchmarks.js";
import type { EvidenceTools } from "../../../src/verify/evidence/evidence.js";
import { repairMessage } from "../../../src/verify/repair-feedback.js";
import type { Check, Verdict } from "../../../src/verify/verdict.js";
import { testGoToolsSettings } from "../../golang/go-tools-support.js";
import { fastJoin, joinTests, slowJoin } from "./join-fixture.js";
import { evidenceHarness, type Repo } from "./support.js";

const installed = await ensureGoTool(BENCHSTAT, testGoToolsSettings());
if (!installed.ok && process.env.GO_TOOLS_REQUIRED === "1") throw new Error(installed.reason);
const describeWithTool = installed.ok ? describe : describe.skip;
const tools: EvidenceTools = { benchstat: () => ensureGoTool(BENCHSTAT, testGoToolsSettings()) };

const h = evidenceHarness();
const SLOW_JOIN = slowJoin("words");
const FAST_JOIN = fastJoin("words");
const JOIN_BENCH = joinTests("words");

async function benchRow(r: Repo, changed: string[], withTools = tools): Promise<{ v: Verdict; c?: Check }> {
  const v = await h.verdict(r, changed, { bench: "on" }, withTools);
  return { v, c: v.checks.find((x) => x.name === BENCH_CHECK) };
}

describe("what asks for speed", () => {
  it("reads an issue or a command that asks for performance, and not one that asks for behaviour", () => {
    for (const text of [
      "Speed up Join",
      "Make ParseAmount 2x faster",
      "Reduce allocations in the ledger hot path",
      "The settlement batch is too slow",
      "optimise the price lookup",
      "/agent improve the latency of GetAccount",
    ])
      expect([text, asksForSpeed(text)]).toEqual([text, true]);
    for (const text of [
      "Add a Clamp function",
      "Fix the typo in the README",
      "Return 404 for unknown accounts",
    ])
      expect([text, asksForSpeed(text)]).toEqual([text, false]);
  });

  it("reads benchstat's CSV: a significant rise in time, bytes or allocations is worse; a rise in a rate is better", () => {
    const csv = [
      "goos: linux",
      "pkg: example.com/m/words",
      ",base,,change,,,",
      ",sec/op,CI,sec/op,CI,vs base,P",
      "Join-2,1e-05,2%,1.3e-05,1%,+30.00%,p=0.002 n=6",
      "Split-2,1e-06,2%,1.03e-06,1%,+3.00%,p=0.002 n=6",
      "Trim-2,1e-06,2%,1e-06,1%,~,p=0.485 n=6",
      "geomean,1e-06,,1e-06,,+10.00%,",
      "",
      ",base,,change,,,",
      ",B/s,CI,B/s,CI,vs base,P",
      "Join-2,1e+06,2%,1.5e+06,1%,+50.00%,p=0.002 n=6",
    ].join("\n");
    const deltas = parseBenchstatCsv(csv);
    expect(deltas).toHaveLength(4);
    expect(regressions(deltas).map((d) => `${d.pkg} ${d.name} ${d.unit}`)).toEqual([
      "example.com/m/words Join-2 sec/op",
    ]);
  });
});

describeWithTool("the benchmark row", () => {
  it("shows benchstat's table for a change that makes a benchmarked function faster", async () => {
    const r = await h.repo({ "words/words.go": SLOW_JOIN, "words/words_test.go": JOIN_BENCH });
    const { c } = await benchRow(r, r.change({ "words/words.go": FAST_JOIN }));
    expect(c?.status).toBe("pass");
    expect(c!.summary).toMatch(
      new RegExp(
        `^1 benchmark, base ${r.base.slice(0, 7)} → change \\(benchstat, 6 runs each\\); better: Join sec/op −\\d`,
      ),
    );
    expect(c!.summary).toContain("Join allocs/op −");
    expect(c!.details).toContain("pkg: example.com/evidence/words");
    expect(c!.details).toMatch(/│\s+base\s+│\s+change\s+│/);
    expect(c!.details).toMatch(/Join-\d+\s+.*-\d+\.\d+% \(p=0\.\d+ n=6\)/);
    expect(c!.warnings).toBeUndefined();
    expect(c!.command).toContain("-bench=^(BenchmarkJoin)$ -benchmem -count=6");
  }, 240_000);

  it("warns the agent when the change makes a benchmark allocate more", async () => {
    const r = await h.repo({ "words/words.go": FAST_JOIN, "words/words_test.go": JOIN_BENCH });
    const { v, c } = await benchRow(r, r.change({ "words/words.go": SLOW_JOIN }));
    expect(c?.status).toBe("pass");
    expect(c!.summary).toContain("worse beyond the noise: Join sec/op +");
    const allocs = c!.warnings?.find((w) => w.includes("allocs/op"));
    expect(allocs).toMatch(
      /^BenchmarkJoin \(example\.com\/evidence\/words\) is worse in allocs\/op by \+\d+\.\d+% than on the base/,
    );
    expect(repairMessage(v, 1, 2)).toContain(`${BENCH_CHECK}: BenchmarkJoin`);
  }, 240_000);

  it("says so when the change's benchmark cannot run on the base, and asks for one that can", async () => {
    const r = await h.repo({ "words/words.go": SLOW_JOIN });
    const faster = FAST_JOIN.replace(
      "// Join puts",
      "// JoinFast is Join without the copies.\nfunc JoinFast(w []string, sep string) string { return Join(w, sep) }\n\n// Join puts",
    );
    const { c } = await benchRow(
      r,
      r.change({
        "words/words.go": faster,
        "words/words_test.go": JOIN_BENCH.replace("_ = Join(", "_ = JoinFast("),
      }),
    );
    expect(c?.status).toBe("pass");
    expect(c!.summary).toBe(
      `1 benchmark ran on the change; none on the base ${r.base.slice(0, 7)} (they do not build or run there), so nothing to compare`,
    );
    expect(c!.details).toMatch(/│\s+change\s+│/);
    expect(c!.warnings?.[0]).toContain("do not run on the base commit");
  }, 240_000);

  it("asks for a benchmark when the touched packages have none", async () => {
    const r = await h.repo({ "words/words.go": SLOW_JOIN });
    const { c } = await benchRow(r, r.change({ "words/words.go": FAST_JOIN }));
    expect(c?.status).toBe("skipped");
    expect(c!.summary).toBe("the task asks for speed, and no Benchmark function is in the touched packages");
    expect(c!.warnings?.[0]).toContain("(example.com/evidence/words) have no Benchmark function");
  }, 120_000);
});

describe("the benchmark row without benchstat", () => {
  it("names the missing tool and runs nothing", async () => {
    const r = await h.repo({ "words/words.go": SLOW_JOIN, "words/words_test.go": JOIN_BENCH });
    const { c } = await benchRow(r, r.change({ "words/words.go": FAST_JOIN }), {});
    expect(c?.status).toBe("skipped");
    expect(c!.summary).toBe("not run: benchstat is not available on this worker");
  }, 120_000);
});
