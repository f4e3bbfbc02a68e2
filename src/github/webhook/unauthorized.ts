// The one reply for someone who may not trigger the bot, in the repository's own words (its
// command, label and minimum permission).
import type { RepoConfig } from "../../repo/index.js";

export function unauthorizedReply(config: RepoConfig, action: "run" | "stop"): string {
  const { min_permission: minimum, command, label } = config.trigger;
  return action === "run"
    ? `Only people with **${minimum}** permission or higher on this repository can use \`/${command}\` or the \`${label}\` label here, so nothing was run.`
    : `Only people with **${minimum}** permission or higher on this repository can use \`/${command}\` here, so nothing was stopped.`;
}
