// The services tests need this machine's PostgreSQL and Redis (CI installs them with apt-get).
import { describe, it } from "@jest/globals";
import { findPostgres } from "../../src/services/postgres-install.js";
import { findRedis } from "../../src/services/redis-install.js";

export const SERVICES_MISSING: string | undefined = (() => {
  const missing = [
    findPostgres() ? undefined : "postgresql",
    findRedis() ? undefined : "redis-server",
  ].filter(Boolean);
  return missing.length
    ? `not installed: ${missing.join(", ")} (apt-get install ${missing.join(" ")})`
    : undefined;
})();

/**
 * `describe` for tests on the real servers: skipped, saying why, where they are not installed;
 * with SERVICES_REQUIRED set (CI), their absence fails instead.
 */
export const servicesDescribe: typeof describe = !SERVICES_MISSING
  ? describe
  : process.env.SERVICES_REQUIRED
    ? (((name: string) =>
        describe(name, () => {
          it("needs PostgreSQL and Redis on this machine", () => {
            throw new Error(`SERVICES_REQUIRED is set, but ${SERVICES_MISSING}`);
          });
        })) as unknown as typeof describe)
    : (((name: string, fn: () => void) =>
        describe.skip(`${name} (skipped: ${SERVICES_MISSING})`, fn)) as typeof describe);
