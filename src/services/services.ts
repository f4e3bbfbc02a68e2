// The Services port: PostgreSQL, Redis, NATS and RabbitMQ started for one job, from the
// worker's own binaries, reachable only over Unix sockets in a directory of the job's own, and gone when
// the job ends. runJob asks for them when the repository's `verify.services` does; the Go
// runs of the agent and of the verdict see them through withServices (with-services.ts).
import { type RepoConfig, SERVICE_NAMES, type ServiceName } from "../repo/config-schema.js";

/** What the repository asked for (`verify.services`, normalised). */
export type ServicesRequest = RepoConfig["verify"]["services"];

/** A service the job has, for the verdict's footer. */
export interface ServiceUse {
  service: ServiceName;
  /** "PostgreSQL 15.18", "Redis 7.0.15", "NATS 2.10.26". */
  label: string;
  /** How long it took to have it ready for the job. */
  startMs: number;
}

/**
 * A service the job asked for and does not have: not installed here, installed but not one
 * this worker can keep to the job (not-supported), or it would not start.
 */
export interface ServiceProblem {
  service: ServiceName;
  kind: "not-installed" | "not-supported" | "failed";
  /** "PostgreSQL requested, not installed on this worker", or the server's own log line. */
  reason: string;
}

/** A fresh, empty database in the job's PostgreSQL, owned by the job's role. */
export interface ScratchDatabase {
  name: string;
  /** Variables that point libpq and pgx (and psql) at it. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export interface JobServices {
  /** The variables every Go run of the job gets (DATABASE_URL, PG*, REDIS_URL, NATS_URL, as renamed). */
  readonly env: Record<string, string>;
  /** Directories holding the sockets (and the bridge, for NATS): mounted (read-only) into the sandbox. */
  readonly socketDirs: readonly string[];
  /**
   * The command prefix every sandboxed Go run of the job runs under: the bridge that gives it
   * the job's TCP-only servers (NATS) at 127.0.0.1 in its own network namespace. Absent
   * without such a server.
   */
  readonly runWrapper?: readonly string[];
  readonly used: readonly ServiceUse[];
  readonly problems: readonly ServiceProblem[];
  /** Absent without PostgreSQL. */
  scratchDatabase?(): Promise<ScratchDatabase>;
  /** Stops every server and removes its data; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The checkout: the init SQL file is read from it. */
  checkoutDir: string;
  /**
   * Whether the job's Go runs have a network namespace of their own (the bubblewrap sandbox).
   * Without it a TCP-only server (NATS) would have to be on the worker's network: not started.
   */
  sandboxed?: boolean;
  signal?: AbortSignal;
}

export interface Services {
  start(request: ServicesRequest, options: StartOptions): Promise<JobServices>;
  /** Removes what jobs of dead workers left (servers, data directories); returns what it removed. */
  sweep(): Promise<string[]>;
}

export const SERVICE_LABELS: Record<ServiceName, string> = {
  postgres: "PostgreSQL",
  redis: "Redis",
  nats: "NATS",
  rabbitmq: "RabbitMQ",
};

/** The services the request names, in SERVICE_NAMES order. */
export function requestedServices(request: ServicesRequest): ServiceName[] {
  return SERVICE_NAMES.filter((name) => request[name]);
}

/** True when the request names at least one service. */
export function wantsServices(request: ServicesRequest): boolean {
  return requestedServices(request).length > 0;
}

/** "NATS requested, not installed on this worker" */
export function notInstalled(service: ServiceName): ServiceProblem {
  return {
    service,
    kind: "not-installed",
    reason: `${SERVICE_LABELS[service]} requested, not installed on this worker`,
  };
}

/** "RabbitMQ requested, not supported on this worker (why)" */
export function notSupported(service: ServiceName, why: string): ServiceProblem {
  return {
    service,
    kind: "not-supported",
    reason: `${SERVICE_LABELS[service]} requested, not supported on this worker (${why})`,
  };
}
