// Who may trigger the bot: collaborators at or above a minimum permission, checked with
// GitHub's collaborator permission API (never the payload's author_association alone).

export const PERMISSION_LEVELS = ["none", "read", "triage", "write", "maintain", "admin"] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

export function atLeast(actual: string, minimum: PermissionLevel): boolean {
  const rank = PERMISSION_LEVELS.indexOf(actual as PermissionLevel);
  return rank >= 0 && rank >= PERMISSION_LEVELS.indexOf(minimum);
}

/** `role_name` carries triage/maintain; `permission` folds them into read/write. */
export function permissionOf(response: { permission?: string; role_name?: string }): PermissionLevel {
  const role = response.role_name as PermissionLevel | undefined;
  if (role && PERMISSION_LEVELS.includes(role)) return role;
  const perm = response.permission as PermissionLevel | undefined;
  return perm && PERMISSION_LEVELS.includes(perm) ? perm : "none";
}

// Associations that cannot hold write access: GitHub shows collaborators and members as
// COLLABORATOR, MEMBER or OWNER. Used only to avoid reacting 👀 before the real check.
const NEVER_WRITERS = new Set(["NONE", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "CONTRIBUTOR", "MANNEQUIN"]);

export function mayBeCollaborator(authorAssociation: string | undefined): boolean {
  return !authorAssociation || !NEVER_WRITERS.has(authorAssociation);
}
