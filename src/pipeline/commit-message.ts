// The commit message of a job: the report's summary as subject and body, so `git log` reads
// like the pull request.
import type { ReportSection } from "../agent/report.js";

/** A commit subject from the report's summary: its first sentence, at most 72 characters. */
export function commitMessage(sections: ReportSection[], fallback: string, coAuthor?: string): string {
  const summary = sections.find((s) => s.name === "Summary")?.body ?? "";
  const firstLine =
    summary
      .replace(/[*_`#>]/g, "")
      .split("\n")
      .map((l) => l.replace(/^[-\s]+/, "").trim())
      .find(Boolean) ?? "";
  const sentence = (firstLine.split(/(?<=[.!?])\s/)[0] ?? "").replace(/\.$/, "");
  let subject = sentence || fallback;
  if (subject.length > 72) subject = `${subject.slice(0, 71).trimEnd()}…`;
  const body = summary && summary !== sentence ? `\n\n${summary}` : "";
  return `${subject}${body}${coAuthor ? `\n\nCo-authored-by: ${coAuthor}` : ""}\n`;
}
