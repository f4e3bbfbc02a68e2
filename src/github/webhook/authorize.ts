// The real permission check for a trigger, done in the job (the webhook answers first).
import { atLeast, type PermissionLevel, permissionOf } from "../../triggers/permission.js";
import { type GitHubClient, type RepoRef, statusOf } from "../auth/client.js";

export async function permissionOfUser(
  gh: GitHubClient,
  repo: RepoRef,
  username: string,
): Promise<PermissionLevel> {
  try {
    const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    return permissionOf(data);
  } catch (err) {
    if (statusOf(err) === 404) return "none";
    throw err;
  }
}

export async function isAuthorized(
  gh: GitHubClient,
  repo: RepoRef,
  username: string,
  minimum: PermissionLevel = "write",
): Promise<{ allowed: boolean; permission: PermissionLevel }> {
  const permission = await permissionOfUser(gh, repo, username);
  return { allowed: atLeast(permission, minimum), permission };
}
