// The eval's words for people: one progress line per finished run, a table at the end, and
// results.md (the same table with the totals) next to results.json.
import type { EvalResults, RunRecord, Totals } from "./results.js";

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const usd = (x: number): string => `$${x.toFixed(x < 1 ? 4 : 2)}`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** "[3/13] rest-orders #1  PASS  12 turns  $0.4210  85.0 s  bot: pass" (+ why, on a failure). */
export function progressLine(r: RunRecord, done: number, total: number): string {
  const head = `[${done}/${total}] ${r.task} #${r.repeat}  ${r.judged.toUpperCase()}  ${r.turns} turns  ${usd(r.costUsd)}  ${secs(r.wallMs)}  bot: ${r.botVerdict}${r.asked ? "  (asked)" : ""}`;
  if (r.judged === "pass") return head;
  const why = r.failingTests.length
    ? `failing: ${r.failingTests.slice(0, 5).join(", ")}${r.failingTests.length > 5 ? ` (+${r.failingTests.length - 5})` : ""}`
    : r.judgeSummary;
  return `${head}\n      ${why}${r.reason ? `\n      run: ${r.reason}` : ""}`;
}

function rate(t: Totals): string {
  return `${t.passed}/${t.runs} ${pct(t.passRate)} [${pct(t.interval95.low)}–${pct(t.interval95.high)}]`;
}

const HEADER = ["task", "passed", "median cost", "median time", "bot green", "asked", "failing tests"];

function rows(results: EvalResults): string[][] {
  const out = Object.entries(results.perTask).map(([id, t]) => {
    const failing = [...new Set(results.runs.filter((r) => r.task === id).flatMap((r) => r.failingTests))];
    return [
      id,
      rate(t),
      usd(t.medianCostUsd),
      secs(t.medianWallMs),
      `${t.botGreen}/${t.runs}`,
      `${t.asked}/${t.runs}`,
      failing.slice(0, 3).join(", ") + (failing.length > 3 ? ` (+${failing.length - 3})` : ""),
    ];
  });
  const t = results.totals;
  out.push([
    "**all**",
    rate(t),
    usd(t.medianCostUsd),
    secs(t.medianWallMs),
    `${t.botGreen}/${t.runs}`,
    `${t.asked}/${t.runs}`,
    "",
  ]);
  return out;
}

function totalsLine(t: Totals): string {
  const perSolved =
    t.costPerSolvedUsd === null ? "nothing solved" : `${usd(t.costPerSolvedUsd)} per solved task`;
  return `pass rate ${rate(t)} (95% Wilson interval) · total ${usd(t.totalCostUsd)} · ${perSolved}`;
}

export function renderTable(results: EvalResults): string {
  const all = [HEADER, ...rows(results).map((r) => r.map((c) => c.replace(/\*\*/g, "")))];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(all[0]!), ...all.slice(1).map(line), "", totalsLine(results.totals)].join("\n");
}

export function renderMarkdown(results: EvalResults): string {
  const table = [HEADER, ...rows(results)];
  const cell = (c: string) => c.replace(/\|/g, "\\|");
  const lines = [
    `# Eval: ${results.suite}`,
    "",
    `Model \`${results.model}\` (${results.provider}), ${results.repeat} run${results.repeat === 1 ? "" : "s"} per task, started ${results.startedAt}.`,
    "",
    totalsLine(results.totals),
    "",
    `| ${table[0]!.join(" | ")} |`,
    `| ${table[0]!.map(() => "---").join(" | ")} |`,
    ...table.slice(1).map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
  ];
  const failed = results.runs.filter((r) => r.judged === "fail");
  if (failed.length) {
    lines.push("## Failed runs", "");
    for (const r of failed) {
      lines.push(`- **${r.task} #${r.repeat}**: ${r.judgeSummary}${r.reason ? ` (run: ${r.reason})` : ""}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
