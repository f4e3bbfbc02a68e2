// A job's access to GitHub as the App's installation: a REST client for the API calls and
// short-lived tokens for git, both from one token source. Tokens are minted through the
// App's own client (JWT) with createInstallationAccessToken, which honours GHE_HOST, and
// renewed before they expire, so a job that runs longer than the token's hour still pushes.
// GitHub revokes tokens when an installation's permissions change: a call answered 401
// (REST or git) reports its token as refused, gets a newly minted one, and is tried once more.
import type { Probot } from "probot";
import { registerSecret } from "../secrets.js";
import type { GitHubClient } from "./client.js";
import { redactOutgoing } from "./redact-requests.js";
import { sessionAuthStrategy } from "./session-auth.js";

/** `refused`: a token GitHub answered 401 to; it is dropped and a new one minted. */
export type InstallationToken = (opts?: { refused?: string }) => Promise<string>;

export interface InstallationSession {
  /** REST client authenticated as the installation (Probot's, with throttling and retries). */
  readonly octokit: GitHubClient;
  /** A token valid for at least a few more minutes; minted on first use. */
  token: InstallationToken;
}

/** Renew a token this long before GitHub says it expires. */
const RENEW_BEFORE_MS = 5 * 60_000;

export class MissingInstallationError extends Error {
  override name = "MissingInstallationError";
}

export async function openInstallation(
  probot: Pick<Probot, "auth">,
  installationId: number | undefined,
): Promise<InstallationSession> {
  if (!installationId) {
    throw new MissingInstallationError(
      "The webhook named no installation, so the job cannot act on the repository.",
    );
  }
  const appClient = await probot.auth();
  let current: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const mint = async (): Promise<string> => {
    const { data } = await appClient.rest.apps.createInstallationAccessToken({
      installation_id: installationId,
    });
    const expiresAt = Date.parse(data.expires_at);
    current = { token: data.token, expiresAt: Number.isNaN(expiresAt) ? Date.now() + 3_600_000 : expiresAt };
    // Watched for a while past its expiry: an old message may still quote it.
    registerSecret(data.token, current.expiresAt - Date.now() + 3_600_000);
    return data.token;
  };
  const token: InstallationToken = (opts = {}) => {
    if (opts.refused && current?.token === opts.refused) current = undefined;
    if (current && current.expiresAt - Date.now() > RENEW_BEFORE_MS) return Promise.resolve(current.token);
    pending ??= mint().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  // Probot's own installation client, as probot.auth(id) builds it (throttled per
  // installation), but authenticated from this session's tokens instead of auth-app's cache.
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
  return { octokit: redactOutgoing(octokit), token };
}

interface FactoryOptions {
  octokit: GitHubClient;
  octokitOptions: { throttle?: { enabled?: boolean } & Record<string, unknown> } & Record<string, unknown>;
}
