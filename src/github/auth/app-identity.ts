// The App's own identity: its slug (to ignore its own comments) and the bot user that
// authors its commits (`<slug>[bot]`, `<id>+<slug>[bot]@users.noreply.github.com`).
import type { GitHubClient } from "./client.js";

export interface BotIdentity {
  slug: string;
  name: string;
  email: string;
}

export async function fetchBotIdentity(appClient: GitHubClient): Promise<BotIdentity> {
  const { data: app } = await appClient.rest.apps.getAuthenticated();
  const slug = app?.slug ?? "backend-go-agent";
  const login = `${slug}[bot]`;
  let id: number | undefined;
  try {
    id = (await appClient.rest.users.getByUsername({ username: login })).data.id;
  } catch {
    // GitHub Enterprise instances without the bot user still accept the noreply form.
  }
  return {
    slug,
    name: login,
    email: id ? `${id}+${login}@users.noreply.github.com` : `${login}@users.noreply.github.com`,
  };
}

/** A short-lived installation token for git (Probot's own auth may ask api.github.com). */
export async function createInstallationToken(
  appClient: GitHubClient,
  installationId: number,
): Promise<string> {
  const { data } = await appClient.rest.apps.createInstallationAccessToken({
    installation_id: installationId,
  });
  return data.token;
}
