// Checks on what reaches git from outside: the clone URL (from a webhook payload), the
// owner/repo path segments it names, job ids, and commit identities.

import type { GitPerson } from "./git-workspace-types.js";
import { GitWorkspaceError, printable } from "./workspace-errors.js";

const SAFE_SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** A single path segment we may join under DATA_DIR: no separators, no dot-names. */
export function isSafeSegment(part: string | undefined): part is string {
  return !!part && SAFE_SEGMENT.test(part) && !part.startsWith(".");
}

/** The bot identity GitHub shows for an App's commits. */
export function botIdentity(slug: string, appUserId: number): GitPerson {
  return { name: `${slug}[bot]`, email: `${appUserId}+${slug}[bot]@users.noreply.github.com` };
}

export function parseCloneUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GitWorkspaceError("invalid-url", `"${printable(raw)}" is not a URL.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new GitWorkspaceError(
      "invalid-url",
      `Only http and https clone URLs are supported, got ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new GitWorkspaceError("invalid-url", "A clone URL must not carry credentials.");
  }
  if (url.search || url.hash) {
    throw new GitWorkspaceError("invalid-url", "A clone URL must not have a query or fragment.");
  }
  return url;
}

/** owner and repo from the URL's last two path segments (`…/owner/repo.git`). */
export function repoSegments(url: URL): { owner: string; repo: string } {
  const parts = url.pathname.split("/").filter(Boolean);
  const repo = parts.at(-1)?.replace(/\.git$/, "");
  const owner = parts.at(-2);
  for (const part of [owner, repo]) {
    if (!isSafeSegment(part)) {
      throw new GitWorkspaceError("invalid-url", `Cannot tell owner and repository from ${url.pathname}.`);
    }
  }
  return { owner: owner!, repo: repo! };
}

export function checkPerson(person: GitPerson, role: string): GitPerson {
  const name = person.name.trim();
  const email = person.email.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
  const bad = /[<>\u0000-\u001f\u007f]/;
  if (!name || !email || bad.test(name) || bad.test(email)) {
    throw new GitWorkspaceError(
      "invalid-argument",
      `The ${role} "${printable(name)}" <${printable(email)}> is not usable.`,
    );
  }
  return { name, email };
}
