// A repository may rename the trigger label, map more labels to agents, or change the
// command word (`.github/backend-go-agent.yml`). The webhook handler asks here only when an
// event does not match the app's defaults but might match the repository's, so most
// deliveries cost no API call; answers are cached briefly per repository.
import type { Context } from "probot";
import { RepoConfigError } from "../repo/config-errors.js";
import { loadRepoConfig, triggerLabels } from "../repo/repo-config.js";
import type { TriggerSettings } from "../triggers/parse-event.js";
import type { GitHubClient } from "./client.js";

export type RepoTriggers = Pick<TriggerSettings, "labels" | "commandWord">;
export type RepoTriggerLookup = (context: Context) => Promise<RepoTriggers | undefined>;

export interface RepoTriggerOptions {
  ttlMs?: number;
  /** Repositories remembered at once; the oldest is forgotten first. */
  maxEntries?: number;
  onError?: (repo: string, err: unknown) => void;
}

export function repoTriggerLookup(options: RepoTriggerOptions = {}): RepoTriggerLookup {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 1000;
  const cache = new Map<string, { at: number; value: Promise<RepoTriggers | undefined> }>();
  return (context) => {
    const repo = context.repo();
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = loadRepoConfig(context.octokit as unknown as GitHubClient, repo).then(
      (config) => ({ labels: triggerLabels(config), commandWord: config.trigger.command }),
      (err: unknown) => {
        // An invalid file triggers nothing new here; a job on the default trigger reports it.
        if (!(err instanceof RepoConfigError)) options.onError?.(key, err);
        cache.delete(key);
        return undefined;
      },
    );
    cache.delete(key);
    cache.set(key, { at: Date.now(), value });
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return value;
  };
}

const SLASH_COMMAND = /^\s{0,3}\/([a-z][a-z0-9_-]{0,31})(?=\s|$)/gim;

/** Whether an ignored event could be a trigger under another label or command word. */
export function mightTriggerElsewhere(name: string, payload: unknown, defaults: RepoTriggers): boolean {
  const p = payload as { action?: string; label?: { name?: string }; comment?: { body?: string } };
  if (name === "issues" && p.action === "labeled") {
    return typeof p.label?.name === "string" && !defaults.labels.includes(p.label.name);
  }
  if (p.action !== "created" || typeof p.comment?.body !== "string") return false;
  for (const m of p.comment.body.matchAll(SLASH_COMMAND)) {
    if (m[1]!.toLowerCase() !== defaults.commandWord.toLowerCase()) return true;
  }
  return false;
}
