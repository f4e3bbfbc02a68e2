// The toolchain one GitHub job runs Go with: the repository's `go:` settings layered over
// the app's, and the installation token for the owner's private modules.
import { type ModuleAccess, withModuleAccess } from "../golang/module-access.js";
import type { Toolchain } from "../golang/toolchain.js";
import type { WorkPlan } from "../jobs/ports.js";
import type { QueueLogger } from "../jobs/queue.js";

/**
 * The toolchain for one job: the repository's `go:` settings, and the installation token for
 * the owner's private modules (only module downloads see it; tests run offline without it).
 */
export function jobToolchain(
  base: Toolchain,
  { config, checkout }: WorkPlan,
  owner: string,
  session: { token(): Promise<string> },
  logger: QueueLogger,
): Toolchain {
  const access: ModuleAccess = { ...config.go };
  const clone = new URL(checkout.cloneUrl);
  const ownerPath = clone.pathname.slice(0, clone.pathname.lastIndexOf("/") + 1);
  if (ownerPath.endsWith(`/${owner}/`)) {
    access.credentials = [
      {
        modulePrefix: `${clone.hostname}/${owner}`,
        gitUrl: `${clone.origin}${ownerPath}`,
        token: () => session.token(),
      },
    ];
  }
  try {
    return withModuleAccess(base, access);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, "private modules disabled for this job");
    return withModuleAccess(base, { ...config.go });
  }
}
