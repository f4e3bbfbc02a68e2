// A real Probot Octokit pointed at nock: retries and throttling off so a test sees each request once.
import type nock from "nock";
import { ProbotOctokit } from "probot";
import type { GitHubClient } from "../../src/github/auth/client.js";

export const API = "https://api.github.com";

export function octokit(): GitHubClient {
  return new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } });
}

/** Serves `text` as a file through the contents API (raw media type, as the config plugin asks). */
export function serveFile(
  scope: nock.Scope,
  owner: string,
  repo: string,
  path: string,
  text: string,
  ref?: string,
) {
  return scope
    .get(`/repos/${owner}/${repo}/contents/${encodeURIComponent(path)}`)
    .query(ref ? { ref } : true)
    .reply(200, text, { "content-type": "application/vnd.github.raw; charset=utf-8" });
}

export function missingFile(scope: nock.Scope, owner: string, repo: string, path: string) {
  return scope
    .get(`/repos/${owner}/${repo}/contents/${encodeURIComponent(path)}`)
    .query(true)
    .reply(404, { message: "Not Found" });
}
