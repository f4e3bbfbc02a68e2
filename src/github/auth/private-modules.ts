// Which private Go modules a job may download with credentials: its own repository's, and
// the repositories its configuration lists under `go.private_modules` — never the owner's
// whole prefix, so a prompt-injected `go mod download github.com/<owner>/<other-repo>` finds
// no credential and no rewrite to GitHub for it. Entries name repositories of the same
// owner on the same host: `repo`-less forms would be ambiguous, other owners are another
// installation's business.
import { RepoConfigError } from "../../repo/config-errors.js";
import { MODULE_REPO_PATH, OWNER_REPO } from "../../repo/config-schema.js";

export interface ModuleRepository {
  /** The repository's name (without the owner). */
  repo: string;
  /** Its module path prefix: `<host>/<owner>/<repo>`. */
  modulePrefix: string;
}

/**
 * The job's own repository first, then each listed one, as repositories of `home.owner` on
 * `home.host`. A listed entry of another owner or host is a RepoConfigError naming its key.
 */
export function privateModuleRepositories(
  listed: readonly string[],
  home: { host: string; owner: string; repo: string },
  file: string,
): ModuleRepository[] {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const out: ModuleRepository[] = [];
  const add = (repo: string) => {
    if (out.some((m) => same(m.repo, repo))) return;
    out.push({ repo, modulePrefix: `${home.host}/${home.owner}/${repo}` });
  };
  add(home.repo);
  const problems = listed.flatMap((entry, i) => {
    const named = OWNER_REPO.exec(entry);
    const path = named ? undefined : MODULE_REPO_PATH.exec(entry);
    const host = path ? path[1]! : home.host;
    const owner = named?.[1] ?? path?.[2];
    const repo = named?.[2] ?? path?.[3];
    if (owner && repo && same(owner, home.owner) && same(host, home.host)) {
      add(repo);
      return [];
    }
    return [
      {
        key: `go.private_modules[${i}]`,
        problem:
          `must name a repository of ${home.owner} on ${home.host}: owner/repo or ${home.host}/${home.owner}/<repo>[/…]; ` +
          "the app's token for a job reaches only the repository's own owner",
        value: entry,
      },
    ];
  });
  if (problems.length) throw new RepoConfigError(file, problems);
  return out;
}
