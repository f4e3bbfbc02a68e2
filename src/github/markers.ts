// Hidden markers in the bot's own comments, so it can find (and never obey) them later.
export const TRACKING_MARKER = "<!-- backend-go-agent:tracking -->";
export const UNAUTHORIZED_MARKER = "<!-- backend-go-agent:unauthorized -->";
export const FORK_MARKER = "<!-- backend-go-agent:fork -->";
export const REPORT_MARKER = "<!-- backend-go-agent:report -->";
export const QUESTIONS_MARKER = "<!-- backend-go-agent:questions -->";
export const STOP_MARKER = "<!-- backend-go-agent:stop -->";
