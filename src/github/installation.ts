// A job's access to GitHub as the App's installation: a REST client for the API calls and
// short-lived tokens for git. Tokens are minted through the App's own client (JWT) with
// createInstallationAccessToken, which honours GHE_HOST, and renewed before they expire,
// so a job that runs longer than the token's hour still pushes.
import type { Probot } from "probot";
import { registerSecret } from "../secrets.js";
import type { GitHubClient } from "./client.js";
import { redactOutgoing } from "./redact-requests.js";

export interface InstallationSession {
  /** REST client authenticated as the installation (Probot's, with throttling and retries). */
  readonly octokit: GitHubClient;
  /** A token valid for at least a few more minutes; minted on first use. */
  token(): Promise<string>;
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
  const [octokit, appClient] = await Promise.all([probot.auth(installationId), probot.auth()]);
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
  return {
    octokit: redactOutgoing(octokit as GitHubClient),
    token() {
      if (current && current.expiresAt - Date.now() > RENEW_BEFORE_MS) return Promise.resolve(current.token);
      pending ??= mint().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
