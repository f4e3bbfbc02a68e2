// The services tests need this machine's PostgreSQL, Redis and nats-server (CI installs them with apt-get).
import { describe, it } from "@jest/globals";
import { findOnPath } from "../../src/golang/sandbox.js";
import { findNats } from "../../src/services/nats-install.js";
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

/** Why the NATS tests cannot run here: nats-server and bubblewrap (its network namespace) are needed. */
export const NATS_MISSING: string | undefined = (() => {
  const missing = [
    findNats() ? undefined : "nats-server",
    findOnPath("bwrap", process.env.PATH) ? undefined : "bubblewrap",
  ].filter(Boolean);
  return missing.length
    ? `not installed: ${missing.join(", ")} (apt-get install ${missing.join(" ")})`
    : undefined;
})();

/** `describe` for tests on a real nats-server: skipped without it, failing instead under SERVICES_REQUIRED. */
export const natsDescribe: typeof describe = !NATS_MISSING
  ? describe
  : process.env.SERVICES_REQUIRED
    ? (((name: string) =>
        describe(name, () => {
          it("needs nats-server and bubblewrap on this machine", () => {
            throw new Error(`SERVICES_REQUIRED is set, but ${NATS_MISSING}`);
          });
        })) as unknown as typeof describe)
    : (((name: string, fn: () => void) =>
        describe.skip(`${name} (skipped: ${NATS_MISSING})`, fn)) as typeof describe);
