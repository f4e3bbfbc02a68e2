// The ledger of a review: the agent answers each review comment it was given, by id, in a
// "## Review comments" section of its report — `- <id> addressed: what changed` or
// `- <id> declined: why not`. The report check requires a line for every id (a declined
// comment needs its reason), so each thread can get its own answer.

export const REVIEW_ANSWERS_SECTION = "Review comments";
export const REVIEW_ANSWERS_HEADING = /^#{2,3}[ \t]*Review comments[ \t]*:?[ \t]*$/im;

export interface ReviewAnswer {
  commentId: number;
  /** True when the agent says its change addresses the comment; false when it declined. */
  addressed: boolean;
  /** What was done, or why not. */
  text: string;
}

export interface ReviewAnswerCheck {
  answers: ReviewAnswer[];
  /** Ids given to the agent that have no answer with text. */
  unanswered: number[];
}

// "- 123 addressed: …", "* #123 — declined — …", "- comment 123: **addressed** …"
const LINE =
  /^[ \t]*[-*+][ \t]*(?:comment[ \t]*)?#?(\d+)[ \t]*[:.)\-–—]?[ \t]*[*_`]*(addressed|declined)[*_`]*[ \t]*[:.\-–—]?[ \t]*(.*)$/i;

/** The section's text, from its heading to the next heading of the same or a higher level. */
export function reviewAnswersText(report: string): string | undefined {
  const heading = REVIEW_ANSWERS_HEADING.exec(report);
  if (!heading) return undefined;
  const level = /^#+/.exec(heading[0])![0].length;
  const rest = report.slice(heading.index + heading[0].length);
  const next = new RegExp(`^#{1,${level}}[ \\t]`, "m").exec(rest);
  return (next ? rest.slice(0, next.index) : rest).trim();
}

export function parseReviewAnswers(section: string): ReviewAnswer[] {
  const answers: ReviewAnswer[] = [];
  for (const line of section.split("\n")) {
    const m = LINE.exec(line);
    if (!m) continue;
    answers.push({
      commentId: Number(m[1]),
      addressed: m[2]!.toLowerCase() === "addressed",
      text: m[3]!.trim(),
    });
  }
  return answers;
}

/** The answers to `ids` in the report (the first line per id), and the ids left unanswered. */
export function checkReviewAnswers(report: string, ids: readonly number[]): ReviewAnswerCheck {
  const wanted = new Set(ids);
  const byId = new Map<number, ReviewAnswer>();
  for (const a of parseReviewAnswers(reviewAnswersText(report) ?? "")) {
    if (wanted.has(a.commentId) && a.text && !byId.has(a.commentId)) byId.set(a.commentId, a);
  }
  return {
    answers: ids.filter((id) => byId.has(id)).map((id) => byId.get(id)!),
    unanswered: ids.filter((id) => !byId.has(id)),
  };
}

/** What the agent is told (by the bot, not the material) about answering a review. */
export function reviewAnswersRule(ids: readonly number[]): string {
  return [
    `This review has ${ids.length} line comment${ids.length === 1 ? "" : "s"} (ids ${ids.join(", ")}). Your report must answer each one in a section "## ${REVIEW_ANSWERS_SECTION}", one line per comment id:`,
    "- <id> addressed: <what you changed for it, in a sentence>",
    "- <id> declined: <why you did not change it>",
    "Declining is allowed when you disagree or the comment is out of scope; give the reason.",
  ].join("\n");
}

/** The repair turn's message when answers are missing. */
export function unansweredMessage(unanswered: readonly number[]): string {
  return `Your report does not answer every review comment: no answer (with its text) for ${unanswered.join(", ")}. Reply with the complete report again, with a "## ${REVIEW_ANSWERS_SECTION}" section holding one line per comment id: "- <id> addressed: <what changed>" or "- <id> declined: <why not>".`;
}
