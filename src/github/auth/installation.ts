// A job's access to GitHub as the App's installation, for the job's repository only: a REST
// client for the API calls and short-lived tokens for git, both from one token source scoped
// to that repository and the permissions a job uses (installation-token.ts). Reading another
// repository (the configuration a repository extends, private Go modules it lists) gets its
// own read-only token for exactly those repositories.
// GitHub revokes tokens when an installation's permissions change: a call answered 401
// (REST or git) reports its token as refused, gets a newly minted one, and is tried once more.
import type { Probot } from "probot";
import type { GitHubClient } from "./client.js";
import {
  type InstallationToken,
  installationTokenSource,
  JOB_PERMISSIONS,
  READ_CONTENTS,
  type TokenLog,
  type TokenScope,
} from "./installation-token.js";
import { redactOutgoing } from "./redact-requests.js";
import { sessionAuthStrategy } from "./session-auth.js";

export type { InstallationToken };

/** The repository a job works on: its id when the webhook gave one, its name always. */
export interface JobRepository {
  name: string;
  id?: number;
}

export interface InstallationSession {
  /** REST client authenticated as the installation for the job's repository. */
  readonly octokit: GitHubClient;
  /** A token for the job's repository, valid for at least a few more minutes; minted on first use. */
  token: InstallationToken;
  /** A client that reads another repository of the installation's account (contents: read). */
  readerFor(repo: string): Promise<GitHubClient>;
  /** A token that reads only these repositories of the account (contents: read). */
  contentsToken(repos: readonly string[]): InstallationToken;
}

export class MissingInstallationError extends Error {
  override name = "MissingInstallationError";
}

export async function openInstallation(
  probot: Pick<Probot, "auth">,
  installationId: number | undefined,
  repository: JobRepository,
  log?: TokenLog,
): Promise<InstallationSession> {
  if (!installationId) {
    throw new MissingInstallationError(
      "The webhook named no installation, so the job cannot act on the repository.",
    );
  }
  const appClient = (await probot.auth()) as GitHubClient;
  const source = (scope: TokenScope) => installationTokenSource(appClient, installationId, scope, log);
  const token = source({
    ...(repository.id ? { repositoryIds: [repository.id] } : { repositories: [repository.name] }),
    permissions: JOB_PERMISSIONS,
  });
  const octokit = await installationClient(appClient, installationId, token);
  const readers = new Map<string, Promise<GitHubClient>>();
  const readerFor = (repo: string): Promise<GitHubClient> => {
    const key = repo.toLowerCase();
    if (key === repository.name.toLowerCase()) return Promise.resolve(octokit);
    let client = readers.get(key);
    if (!client) {
      const scope = { repositories: [repo], permissions: READ_CONTENTS };
      client = installationClient(appClient, installationId, source(scope));
      readers.set(key, client);
    }
    return client;
  };
  return {
    octokit,
    token,
    readerFor,
    contentsToken: (repos) =>
      source({ repositories: [...new Set(repos.map((r) => r.toLowerCase()))], permissions: READ_CONTENTS }),
  };
}

/**
 * Probot's own installation client, as probot.auth(id) builds it (throttled per
 * installation), but authenticated from a session's tokens instead of auth-app's cache.
 */
async function installationClient(
  appClient: GitHubClient,
  installationId: number,
  token: InstallationToken,
): Promise<GitHubClient> {
  const octokit = (await appClient.auth({
    type: "installation",
    installationId,
    factory: ({ octokit: app, octokitOptions }: FactoryOptions) => {
      const Octokit = app.constructor as new (options: object) => GitHubClient;
      return new Octokit({
        ...octokitOptions,
        throttle: octokitOptions.throttle?.enabled
          ? { ...octokitOptions.throttle, id: String(installationId) }
          : { enabled: false },
        authStrategy: sessionAuthStrategy,
        auth: { token },
      });
    },
  })) as GitHubClient;
  return redactOutgoing(octokit);
}

interface FactoryOptions {
  octokit: GitHubClient;
  octokitOptions: { throttle?: { enabled?: boolean } & Record<string, unknown> } & Record<string, unknown>;
}
