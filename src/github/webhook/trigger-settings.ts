// A repository may rename the trigger label, map more labels to agents, or change the
// command word (`.github/backend-go-agent.yml`). The webhook handler asks here only when an
// event does not match the app's defaults but might match the repository's, so most
// deliveries cost no API call; answers are cached briefly per repository.
import type { Context } from "probot";
import { RepoConfigError } from "../../repo/config-errors.js";
import type { ExtendsRule } from "../../repo/extends-policy.js";
import { loadRepoConfig } from "../../repo/repo-config.js";
import { type RepoTriggers, repoTriggers } from "../../triggers/match.js";
import type { GitHubClient } from "../auth/client.js";
import { githubConfigReader } from "../context/contents-api-files.js";
export type RepoTriggerLookup = (context: Context) => Promise<RepoTriggers | undefined>;

export interface RepoTriggerOptions {
  ttlMs?: number;
  /** Repositories remembered at once; the oldest is forgotten first. */
  maxEntries?: number;
  onError?: (repo: string, err: unknown) => void;
  /** CONFIG_EXTENDS_ALLOW. */
  extendsAllow?: readonly ExtendsRule[];
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
    const read = githubConfigReader(context.octokit as unknown as GitHubClient);
    const value = loadRepoConfig(read, repo, { extendsAllow: options.extendsAllow }).then(
      (config) => repoTriggers(config),
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
