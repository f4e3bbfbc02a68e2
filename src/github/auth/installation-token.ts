// Installation tokens scoped to the repositories a job works on and the permissions it
// uses, never the whole installation: a prompt-injected `go mod download` or a leaked token
// then reaches one repository, not every private repository the App is installed on.
// Minted through the App's own client (JWT) with createInstallationAccessToken, which
// honours GHE_HOST, and renewed before they expire.
import { registerSecret } from "../../secrets.js";
import { type GitHubClient, statusOf } from "./client.js";

/** `refused`: a token GitHub answered 401 to; it is dropped and a new one minted. */
export type InstallationToken = (opts?: { refused?: string }) => Promise<string>;

export type PermissionLevel = "read" | "write";
export type TokenPermissions = Readonly<Record<string, PermissionLevel>>;

/**
 * What a job's own token may do: exactly what the code calls (see docs/SECURITY.md).
 * contents: clone, push, the Git database (signed commits), configuration files;
 * pull_requests: open and update PRs, reviewers, review replies; issues: comments, labels,
 * reactions; checks: the check run and the PR's other checks; actions: CI job logs for a
 * CI fix; metadata: the repository and collaborator permissions. Not `workflows`: the bot
 * never writes .github/workflows.
 */
export const JOB_PERMISSIONS: TokenPermissions = {
  contents: "write",
  pull_requests: "write",
  issues: "write",
  checks: "write",
  actions: "read",
  metadata: "read",
};

/** Reading files of another repository: configuration it extends, private Go modules. */
export const READ_CONTENTS: TokenPermissions = { contents: "read", metadata: "read" };

/** Which repositories a token opens: ids where the webhook gave them, names otherwise. */
export interface TokenScope {
  repositoryIds?: number[];
  /** Repository names (without the owner) of the installation's account. */
  repositories?: string[];
  permissions: TokenPermissions;
}

export interface TokenLog {
  warn(obj: object, msg?: string): void;
}

/** Renew a token this long before GitHub says it expires. */
const RENEW_BEFORE_MS = 5 * 60_000;

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

/** The request's permissions lowered to what the installation was granted. */
export function grantedPart(
  wanted: TokenPermissions,
  granted: Readonly<Record<string, string | undefined>>,
): Record<string, PermissionLevel> {
  const out: Record<string, PermissionLevel> = {};
  for (const [name, level] of Object.entries(wanted)) {
    const has = granted[name];
    if (!has || !RANK[has]) continue;
    out[name] = (RANK[has] ?? 0) < (RANK[level] ?? 0) ? (has as PermissionLevel) : level;
  }
  return out;
}

/**
 * A token source for one scope: minted on first use, renewed before expiry, re-minted when
 * a call reports it refused. When GitHub answers 422 because the installation was not granted
 * a permission asked for (an App installed before it asked for `actions: read`), the token is
 * minted with the granted part of the request instead, still for the same repositories, and
 * the loss is logged once; any other refusal (a repository outside the installation) throws.
 */
export function installationTokenSource(
  appClient: GitHubClient,
  installationId: number,
  scope: TokenScope,
  log?: TokenLog,
): InstallationToken {
  let permissions: TokenPermissions = scope.permissions;
  let current: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const request = () => ({
    installation_id: installationId,
    ...(scope.repositoryIds?.length ? { repository_ids: scope.repositoryIds } : {}),
    ...(!scope.repositoryIds?.length && scope.repositories?.length
      ? { repositories: scope.repositories }
      : {}),
    permissions: permissions as Record<string, PermissionLevel>,
  });
  const create = async () => {
    try {
      return (await appClient.rest.apps.createInstallationAccessToken(request())).data;
    } catch (err) {
      if (statusOf(err) !== 422) throw err;
      const { data } = await appClient.rest.apps.getInstallation({ installation_id: installationId });
      const granted = grantedPart(permissions, (data.permissions ?? {}) as Record<string, string>);
      const missing = Object.entries(permissions)
        .filter(([name, level]) => granted[name] !== level)
        .map(([name, level]) => `${name}: ${level}`);
      // Every permission is granted: the repositories were what GitHub refused.
      if (missing.length === 0) throw err;
      log?.warn(
        { installationId, missing },
        "the installation was not granted every permission a job uses; the token has the granted part",
      );
      permissions = granted;
      return (await appClient.rest.apps.createInstallationAccessToken(request())).data;
    }
  };
  const mint = async (): Promise<string> => {
    const data = await create();
    const expiresAt = Date.parse(data.expires_at);
    current = { token: data.token, expiresAt: Number.isNaN(expiresAt) ? Date.now() + 3_600_000 : expiresAt };
    // Watched for a while past its expiry: an old message may still quote it.
    registerSecret(data.token, current.expiresAt - Date.now() + 3_600_000);
    return data.token;
  };
  return (opts = {}) => {
    if (opts.refused && current?.token === opts.refused) current = undefined;
    if (current && current.expiresAt - Date.now() > RENEW_BEFORE_MS) return Promise.resolve(current.token);
    pending ??= mint().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
