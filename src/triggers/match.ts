// The one place a trigger is matched against a repository's settings: its label must be one
// of the repository's trigger labels, its command word the repository's. The webhook asks
// with the app's defaults (or the repository's, when it looked them up); the job's gate asks
// again with the configuration it loaded, which is the one that counts.

import { isCommandTrigger, type Trigger } from "../pipeline/task.js";
import type { RepoConfig } from "../repo/config-schema.js";
import { triggerLabels } from "../repo/repo-config.js";

export interface RepoTriggers {
  /** Labels that start a job on an issue (the trigger label and the agent map's labels). */
  labels: readonly string[];
  commandWord: string;
}

export const DEFAULT_REPO_TRIGGERS: RepoTriggers = { labels: ["backend-go"], commandWord: "agent" };

export function repoTriggers(config: RepoConfig): RepoTriggers {
  return { labels: triggerLabels(config), commandWord: config.trigger.command };
}

/** Why the trigger is not one under these settings; undefined when it is. */
export function triggerMismatch(trigger: Trigger, settings: RepoTriggers): string | undefined {
  if (trigger.kind === "issue_label" && !settings.labels.includes(trigger.label)) {
    return `the label "${trigger.label}" is not a trigger here`;
  }
  if (isCommandTrigger(trigger) && trigger.command.toLowerCase() !== settings.commandWord.toLowerCase()) {
    return `/${trigger.command} is not this repository's command (/${settings.commandWord})`;
  }
  if (
    trigger.kind === "pr_review" &&
    trigger.reviewCommand !== undefined &&
    trigger.reviewCommand.toLowerCase() !== settings.commandWord.toLowerCase()
  ) {
    return `/${trigger.reviewCommand} is not this repository's command (/${settings.commandWord})`;
  }
  if (
    trigger.kind === "base_update" &&
    trigger.updateCommand !== undefined &&
    trigger.updateCommand.toLowerCase() !== settings.commandWord.toLowerCase()
  ) {
    return `/${trigger.updateCommand} is not this repository's command (/${settings.commandWord})`;
  }
  return undefined;
}

const SLASH_COMMAND = /^\s{0,3}\/([a-z][a-z0-9_-]{0,31})(?=\s|$)/gim;

/** Whether an event ignored under `defaults` could be a trigger under another label or command word. */
export function mightTriggerElsewhere(name: string, payload: unknown, defaults: RepoTriggers): boolean {
  const p = payload as {
    action?: string;
    label?: { name?: string };
    comment?: { body?: string };
    review?: { body?: string | null };
  };
  if (name === "issues" && p.action === "labeled") {
    return typeof p.label?.name === "string" && !defaults.labels.includes(p.label.name);
  }
  // A comment, or a submitted review's body.
  const body =
    p.action === "submitted" ? p.review?.body : p.action === "created" ? p.comment?.body : undefined;
  if (typeof body !== "string") return false;
  for (const m of body.matchAll(SLASH_COMMAND)) {
    if (m[1]!.toLowerCase() !== defaults.commandWord.toLowerCase()) return true;
  }
  return false;
}
