// Checks the agent's final text against its definition's output_schema and splits it
// into sections, so the PR body and the tests can use them. A review job's report must also
// answer each review comment by id (review-answers.ts).
import type { OutputSchema } from "./definition.js";
import {
  checkReviewAnswers,
  REVIEW_ANSWERS_HEADING,
  REVIEW_ANSWERS_SECTION,
  type ReviewAnswer,
} from "./review-answers.js";

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
  /** With `reviewCommentIds`: the answer to each comment found, and the ids without one. */
  reviewAnswers?: ReviewAnswer[];
  unanswered?: number[];
}

export function checkReport(
  report: string,
  schema: OutputSchema,
  reviewCommentIds: readonly number[] = [],
): ReportCheck {
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
  const answersHeading = reviewCommentIds.length ? REVIEW_ANSWERS_HEADING.exec(report) : null;
  if (answersHeading && !found.some((f) => f.name === REVIEW_ANSWERS_SECTION)) {
    const lineEnd = report.indexOf("\n", answersHeading.index);
    found.push({
      name: REVIEW_ANSWERS_SECTION,
      start: answersHeading.index,
      bodyStart: lineEnd === -1 ? report.length : lineEnd + 1,
    });
  }
  found.sort((a, b) => a.start - b.start);
  const sections = found.map((s, i) => ({
    name: s.name,
    body: report.slice(s.bodyStart, found[i + 1]?.start ?? report.length).trim(),
  }));
  if (!reviewCommentIds.length) return { missing, sections };
  const { answers, unanswered } = checkReviewAnswers(report, reviewCommentIds);
  return { missing, sections, reviewAnswers: answers, unanswered };
}
