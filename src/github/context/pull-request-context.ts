// What a PR job tells the agent about the pull request beyond its title and body: the
// branches and the files it changes, with their patches while they fit. Untrusted material:
// the PR's author wrote all of it.
import { capText, sanitizeUntrusted } from "../../triggers/sanitize.js";
import type { GitHubClient, RepoRef } from "../auth/client.js";
import type { PullRequestInfo } from "./thread.js";

export interface PullRequestContextOptions {
  /** Patches are given until this many characters are spent; file names always are. */
  maxPatchChars?: number;
  maxFiles?: number;
}

const neutralise = (text: string) => text.replace(/<(\/?)(pull_request|changed_file)/gi, "<$1 $2");

export async function pullRequestContext(
  gh: GitHubClient,
  repo: RepoRef,
  pr: PullRequestInfo,
  options: PullRequestContextOptions = {},
): Promise<{ text: string; paths: string[] }> {
  const maxFiles = options.maxFiles ?? 300;
  let left = options.maxPatchChars ?? 40_000;
  const files = await gh.paginate(gh.rest.pulls.listFiles, {
    ...repo,
    pull_number: pr.number,
    per_page: 100,
  });
  const shown = files.slice(0, maxFiles);
  const parts = [
    `<pull_request number="${pr.number}" head="${neutralise(pr.headRef)}" base="${neutralise(pr.baseRef)}">`,
    `You work on the pull request's head branch; your commit is added to it. It changes ${files.length} file${files.length === 1 ? "" : "s"}:`,
  ];
  for (const f of shown) {
    const patch = f.patch ? sanitizeUntrusted(f.patch) : "";
    if (patch && left > 200) {
      const cut = capText(patch, left);
      left -= cut.length;
      parts.push(
        `<changed_file path="${neutralise(f.filename)}" status="${f.status}">\n${neutralise(cut)}\n</changed_file>`,
      );
    } else {
      parts.push(`<changed_file path="${neutralise(f.filename)}" status="${f.status}" />`);
    }
  }
  if (files.length > shown.length) parts.push(`[… ${files.length - shown.length} more files not listed]`);
  parts.push("</pull_request>");
  return { text: parts.join("\n"), paths: files.map((f) => f.filename) };
}
