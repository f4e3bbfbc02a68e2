// The toolchain one GitHub job runs Go with: the repository's `go:` settings layered over
// the app's, and credentials for exactly the private modules the job may download: its own
// repository's and those `go.private_modules` lists, with one read-only token minted for
// those repositories alone.

import { type ModuleAccess, ModuleAccessError, withModuleAccess } from "../../golang/module-access.js";
import type { Toolchain } from "../../golang/toolchain.js";
import { JobRefusal } from "../../pipeline/job-errors.js";
import type { WorkPlan } from "../../pipeline/ports.js";
import type { QueueLogger } from "../../queue/job-queue.js";
import { RepoConfigError } from "../../repo/config-errors.js";
import { CONFIG_PATH } from "../../repo/config-schema.js";
import { statusOf } from "./client.js";
import type { InstallationToken } from "./installation-token.js";
import { privateModuleRepositories } from "./private-modules.js";

export interface JobToolchainOptions {
  /**
   * The host in the owner's module paths, when it is not the clone URL's (a GitHub Enterprise
   * reached under another name; the stand-in in tests). git is pointed at the clone URL's host.
   */
  moduleHost?: string;
}

/**
 * The toolchain for one job: the repository's `go:` settings, and credentials (only module
 * downloads see them; tests run offline without them) for the job's repository and the
 * repositories `go.private_modules` lists. A list entry outside the owner refuses the job.
 */
export function jobToolchain(
  base: Toolchain,
  { config, checkout }: WorkPlan,
  target: { owner: string; repo: string },
  session: { contentsToken(repos: readonly string[]): InstallationToken },
  logger: QueueLogger,
  options: JobToolchainOptions = {},
): Toolchain {
  const { private_modules: listed = [], ...settings } = config.go;
  const access: ModuleAccess = { ...settings };
  const clone = new URL(checkout.cloneUrl);
  const ownerPath = clone.pathname.slice(0, clone.pathname.lastIndexOf("/") + 1);
  if (ownerPath.endsWith(`/${target.owner}/`)) {
    const home = { host: options.moduleHost ?? clone.hostname, owner: target.owner, repo: target.repo };
    let repos: ReturnType<typeof privateModuleRepositories>;
    try {
      repos = privateModuleRepositories(listed, home, `${target.owner}/${target.repo}:${CONFIG_PATH}`);
    } catch (err) {
      if (!(err instanceof RepoConfigError)) throw err;
      throw new JobRefusal(err.message, err.render());
    }
    const names = repos.map((r) => r.repo);
    const minted = session.contentsToken(names);
    const token = async () => {
      try {
        return await minted();
      } catch (err) {
        if (statusOf(err) !== 422) throw err;
        throw new ModuleAccessError(
          `GitHub refused a token for ${names.map((n) => `${target.owner}/${n}`).join(", ")}: ` +
            "a repository go.private_modules lists does not exist or the App is not installed on it.",
        );
      }
    };
    access.credentials = repos.map((r) => ({
      modulePrefix: r.modulePrefix,
      gitUrl: `${clone.origin}${ownerPath}${r.repo}`,
      token,
    }));
  }
  try {
    return withModuleAccess(base, access);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, "private modules disabled for this job");
    return withModuleAccess(base, { ...settings });
  }
}
