// Hidden markers in the bot's own comments, so it can find (and never obey) them later.
export const TRACKING_MARKER = "<!-- backend-go-agent:tracking -->";
export const UNAUTHORIZED_MARKER = "<!-- backend-go-agent:unauthorized -->";
export const RATE_LIMITED_MARKER = "<!-- backend-go-agent:rate-limited -->";
export const FORK_MARKER = "<!-- backend-go-agent:fork -->";
export const REPORT_MARKER = "<!-- backend-go-agent:report -->";
export const QUESTIONS_MARKER = "<!-- backend-go-agent:questions -->";
export const STOP_MARKER = "<!-- backend-go-agent:stop -->";
export const CI_FIX_ATTEMPT_MARKER = "<!-- backend-go-agent:ci-fix-attempt -->";
export const CI_FIX_LIMIT_MARKER = "<!-- backend-go-agent:ci-fix-limit -->";
export const UPDATE_PERSONS_PR_MARKER = "<!-- backend-go-agent:update-persons-pr -->";
/** Followed by the check's name (URI-encoded) and ` -->`: one "pre-existing" reply per check. */
export const CI_PREEXISTING_MARKER_PREFIX = "<!-- backend-go-agent:ci-preexisting:";

/** In everything a job publishes (PR body, report, questions): a retried publish finds its own. */
export const jobMarker = (jobId: string) => `<!-- backend-go-agent:job:${jobId} -->`;
