// Which files a configuration may `_extends`: the repository's own (any path) and its owner's
// `.github` repository (Probot's convention), and beyond that only what the operator lists
// in CONFIG_EXTENDS_ALLOW. Without this rule a repository's file could name any file the
// installation can read (`_extends: acme/payroll:deploy/values.yml`) and have it loaded,
// and its contents quoted back in an error comment on a possibly public issue.
import type { RepoRef } from "./repo-files.js";

/** One CONFIG_EXTENDS_ALLOW entry: `owner/repo`, or `owner/*` for every repository of the owner. */
export interface ExtendsRule {
  owner: string;
  /** "*" for any repository of the owner. */
  repo: string;
}

export class ExtendsAllowError extends Error {
  override name = "ExtendsAllowError";
}

const NAME = /^[A-Za-z0-9._-]+$/;

/** Parses CONFIG_EXTENDS_ALLOW: a comma-separated list of `owner/repo` or `owner/*`. */
export function parseExtendsAllow(raw: string | undefined): ExtendsRule[] {
  const entries = (raw ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const [owner, repo, ...rest] = entry.split("/");
    if (rest.length || !owner || !repo || !NAME.test(owner) || !(repo === "*" || NAME.test(repo))) {
      throw new ExtendsAllowError(
        `CONFIG_EXTENDS_ALLOW: "${entry}" is not owner/repo or owner/* (entries are separated by commas).`,
      );
    }
    return { owner, repo };
  });
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether the configuration of `home` may extend a file in `target`. */
export function mayExtend(home: RepoRef, target: RepoRef, allow: readonly ExtendsRule[] = []): boolean {
  const own =
    same(home.owner, target.owner) && (same(home.repo, target.repo) || same(target.repo, ".github"));
  return (
    own || allow.some((r) => same(r.owner, target.owner) && (r.repo === "*" || same(r.repo, target.repo)))
  );
}

/** The rule in words, for the error a refused `_extends` gets. */
export function extendsRuleText(home: RepoRef): string {
  return (
    `may name a file of this repository (${home.owner}/${home.repo}) or of ${home.owner}/.github; ` +
    "other repositories only when the app's operator lists them in CONFIG_EXTENDS_ALLOW"
  );
}
