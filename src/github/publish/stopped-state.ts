// How a job someone stopped (`/agent stop`), or one that failed part-way, reads in its tracking comment.
import type { JobStage, JobStep } from "../../pipeline/ports.js";
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

/**
 * Where a failed job stopped, for the tracking comment: the listed steps it reached and
 * the step (or what between steps) it was in. `lastStage` is the last stage it reported.
 */
export function stoppedAt(
  step: JobStep,
  lastStage: TrackingState["stage"],
): Pick<TrackingState, "detail" | "reached"> {
  const inStage: Record<JobStage, string> = {
    cloning: "preparing the workspace",
    agent: "the agent was at work",
    verifying: "verifying",
    pushing: "pushing",
  };
  if (step === "gate")
    return {
      detail: "checking the trigger and the repository's configuration",
      reached: { stage: "queued", stoppedIn: false },
    };
  if (step === "context")
    return {
      detail: "reading the thread and the repository's instructions",
      reached: { stage: "queued", stoppedIn: false },
    };
  if (step === "publishing")
    return { detail: "publishing the result", reached: { stage: lastStage, stoppedIn: false } };
  return { detail: inStage[step], reached: { stage: step, stoppedIn: true } };
}
