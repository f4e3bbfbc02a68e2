// How a job someone stopped (`/agent stop`) reads in its tracking comment.
import type { TrackingState } from "./tracking-comment.js";

const DOING: Record<string, string> = {
  queued: "it was waiting to start",
  cloning: "it was preparing the workspace",
  agent: "the agent was at work",
  verifying: "it was verifying",
  pushing: "it was about to push",
};

/** `reason` is the stop's own words ("stopped by @alice"); `last` is where the job was. */
export function stoppedState(reason: string, last: TrackingState, command: string): TrackingState {
  const where = DOING[last.stage];
  return {
    stage: "stopped",
    conclusion:
      `**This job was ${reason}**${where ? ` while ${where}` : ""}. Nothing was committed or pushed.\n\n` +
      `To run it again, comment \`/${command} <instructions>\` here.`,
  };
}
