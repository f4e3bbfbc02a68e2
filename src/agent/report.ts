// Checks the agent's final text against its definition's output_schema and splits it
// into sections, so the PR body and the tests can use them.
import type { OutputSchema } from "./definition.js";

export interface ReportSection {
  name: string;
  /** The section's text without its heading line. */
  body: string;
}

export interface ReportCheck {
  /** Names of required sections whose pattern did not match. */
  missing: string[];
  /** Sections found, in the order they appear in the report. */
  sections: ReportSection[];
}

export function checkReport(report: string, schema: OutputSchema): ReportCheck {
  const found: { name: string; start: number; bodyStart: number }[] = [];
  const missing: string[] = [];
  for (const spec of schema.required_sections) {
    const match = new RegExp(spec.pattern, "m").exec(report);
    if (!match) {
      if (spec.required) missing.push(spec.name);
      continue;
    }
    const lineEnd = report.indexOf("\n", match.index);
    found.push({
      name: spec.name,
      start: match.index,
      bodyStart: lineEnd === -1 ? report.length : lineEnd + 1,
    });
  }
  found.sort((a, b) => a.start - b.start);
  const sections = found.map((s, i) => ({
    name: s.name,
    body: report.slice(s.bodyStart, found[i + 1]?.start ?? report.length).trim(),
  }));
  return { missing, sections };
}
