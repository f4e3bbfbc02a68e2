// What an installation token of the stand-in may reach, as GitHub decides it: a token minted
// with `repository_ids`/`repositories` opens only those repositories (another private one
// answers 404, as if it did not exist; a public one can still be read), and one minted with
// `permissions` only what they allow (403 "Resource not accessible by integration").
// Minting refuses (422) repositories outside the installation and permissions it was not granted.
import { HttpError, type Reply } from "./github-routes.js";
import type { GitHubState, InstallationToken, RepoState } from "./github-state.js";

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

export interface TokenScopeRequest {
  repositoryIds?: number[];
  permissions?: Record<string, string>;
}

/** The scope a POST /app/installations/:id/access_tokens body asks for, checked as GitHub does. */
export function tokenScope(
  body: Record<string, unknown>,
  installed: RepoState[],
  granted: Record<string, string>,
): TokenScopeRequest {
  const out: TokenScopeRequest = {};
  const ids = body.repository_ids;
  const names = body.repositories;
  if (ids !== undefined || names !== undefined) {
    const wanted = [
      ...(Array.isArray(ids) ? ids.map((id) => installed.find((r) => r.id === id)) : []),
      ...(Array.isArray(names)
        ? names.map((n) => installed.find((r) => r.name.toLowerCase() === String(n).toLowerCase()))
        : []),
    ];
    if (wanted.length === 0 || wanted.some((r) => !r)) {
      throw new HttpError(
        422,
        "There is at least one repository that does not exist or is not accessible to the parent installation.",
      );
    }
    out.repositoryIds = [...new Set(wanted.map((r) => r!.id))];
  }
  if (body.permissions !== undefined) {
    const asked = body.permissions as Record<string, string>;
    for (const [name, level] of Object.entries(asked)) {
      if ((RANK[granted[name] ?? ""] ?? 0) < (RANK[level] ?? 9)) {
        throw new HttpError(422, "The permissions requested are not granted to this installation.");
      }
    }
    out.permissions = { ...asked };
  }
  return out;
}

/** The permission a REST call needs: [name, level], or undefined when none is checked. */
export function permissionFor(method: string, rest: string): [string, "read" | "write"] | undefined {
  const level = method === "GET" || method === "HEAD" ? "read" : "write";
  const area = (re: RegExp) => re.test(rest);
  if (area(/^\/(commits\/[^/]+\/check-runs|check-runs|check-suites)(\/|$)/)) return ["checks", level];
  if (area(/^\/(contents|git|commits|branches|compare)(\/|$)/)) return ["contents", level];
  if (area(/^\/pulls(\/|$)/)) return ["pull_requests", level];
  if (area(/^\/(issues|labels)(\/|$)/)) return ["issues", level];
  if (area(/^\/actions(\/|$)/)) return ["actions", level];
  if (area(/^(\/collaborators(\/.*)?|\/installation)?$/)) return ["metadata", "read"];
  return undefined;
}

/** Whether a token may read (or write) a repository at all, as git and REST both ask. */
export function tokenOpens(t: InstallationToken, repo: RepoState, write: boolean): boolean {
  if (repo.installationId !== t.installationId) return !repo.private && !write;
  if (!t.repositoryIds || t.repositoryIds.includes(repo.id)) return true;
  return !repo.private && !write;
}

/** The refusal GitHub gives a token for a call on `/repos/:owner/:repo<rest>`, if any. */
export function scopeRefusal(
  state: GitHubState,
  token: InstallationToken,
  method: string,
  path: string,
): Reply | undefined {
  const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return undefined;
  const repo = state.repo(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
  if (!repo) return undefined;
  const rest = m[3] ?? "";
  const need = permissionFor(method, rest);
  const write = need?.[1] === "write" || (need === undefined && method !== "GET");
  if (!tokenOpens(token, repo, write)) {
    return repo.private
      ? { status: 404, body: { message: "Not Found" } }
      : { status: 403, body: { message: "Resource not accessible by integration" } };
  }
  if (need && token.permissions) {
    const has = token.permissions[need[0]] ?? (need[0] === "metadata" ? "read" : undefined);
    if ((RANK[has ?? ""] ?? 0) < (RANK[need[1]] ?? 9)) {
      return { status: 403, body: { message: "Resource not accessible by integration" } };
    }
  }
  return undefined;
}
