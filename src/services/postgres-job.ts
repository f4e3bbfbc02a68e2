// A job's PostgreSQL: its own cluster copied from the worker's template, serving only a Unix
// socket in the job's socket directory, with one database and one role of the job's (never a
// superuser). Extensions are created by the worker's admin role; the repository's init SQL
// runs as the job's role.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PostgresInstall } from "./postgres-install.js";
import { ADMIN_ROLE, type PostgresTemplate } from "./postgres-template.js";
import { type ExecResult, execAs, type ServiceUser } from "./run-as.js";
import { type RunningServer, ServerStartError, startServer } from "./server-process.js";
import type { ScratchDatabase } from "./services.js";

/** The job's role and database. */
export const JOB_ROLE = "app";
export const JOB_DATABASE = "app";

/** A statement the worker ran in the job's cluster failed. */
export class PostgresSetupError extends Error {
  override name = "PostgresSetupError";
}

export interface PostgresJob {
  socketDir: string;
  /** Variables for the job's database; `url` is the name of the URL variable. */
  env(urlVariable: string): Record<string, string>;
  /** Creates an extension as the admin (the job's role may not). */
  createExtensions(names: readonly string[]): Promise<void>;
  /** Runs the repository's SQL as the job's role. */
  runAsJob(sql: string, database?: string): Promise<ExecResult>;
  scratchDatabase(): Promise<ScratchDatabase>;
  stop(): Promise<void>;
}

/** The connection variables libpq, pgx and psql read, for `database` over the socket. */
export function postgresEnv(socketDir: string, database: string, urlVariable = "DATABASE_URL") {
  return {
    [urlVariable]: `postgres://${JOB_ROLE}@/${database}?host=${encodeURIComponent(socketDir)}&sslmode=disable`,
    PGHOST: socketDir,
    PGPORT: "5432",
    PGUSER: JOB_ROLE,
    PGDATABASE: database,
    PGSSLMODE: "disable",
  };
}

function ready(socketDir: string, dataDir: string): () => boolean {
  return () => {
    if (!existsSync(join(socketDir, ".s.PGSQL.5432"))) return false;
    try {
      // postmaster.pid's eighth line is the server's status: "ready" once it accepts connections.
      return readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[7]?.trim() === "ready";
    } catch {
      return false;
    }
  };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function startPostgresJob(o: {
  install: PostgresInstall;
  template: PostgresTemplate;
  user: ServiceUser;
  /** The job's directory (owned by the services user), and its socket directory. */
  jobDir: string;
  socketDir: string;
  signal?: AbortSignal;
}): Promise<PostgresJob> {
  const dataDir = join(o.jobDir, "postgres");
  const copy = await execAs(o.user, "cp", ["-a", "--", o.template.dataDir, dataDir], { timeoutMs: 120_000 });
  if (copy.code !== 0)
    throw new ServerStartError("PostgreSQL's data directory could not be made", copy.stderr.trim());
  const server: RunningServer = await startServer({
    name: "PostgreSQL",
    command: join(o.install.binDir, "postgres"),
    args: [
      "-D",
      dataDir,
      "-k",
      o.socketDir,
      // No TCP at all: the socket in the job's directory is the only way in.
      "-c",
      "listen_addresses=",
      // A scratch database: durability buys nothing and costs every test's commits.
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=64",
      "-c",
      "shared_buffers=32MB",
      "-c",
      "unix_socket_permissions=0777",
    ],
    user: o.user,
    log: join(o.jobDir, "postgres.log"),
    pidFile: join(o.jobDir, "postgres.pid"),
    ready: ready(o.socketDir, dataDir),
    stopSignal: "SIGINT",
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const psql = join(o.install.binDir, "psql");
  const adminEnv = { PGPASSWORD: o.template.adminPassword, PGHOST: o.socketDir, PGSSLMODE: "disable" };
  const admin = async (sql: string, database = "postgres") => {
    const res = await execAs(
      { name: "worker" },
      psql,
      ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", ADMIN_ROLE, "-d", database, "-c", sql],
      { env: adminEnv, timeoutMs: 60_000 },
    );
    if (res.code !== 0) throw new PostgresSetupError(res.stderr.trim() || `psql exited ${res.code}`);
  };
  try {
    await admin(`CREATE ROLE ${JOB_ROLE} LOGIN CREATEDB`);
    await admin(`CREATE DATABASE ${JOB_DATABASE} OWNER ${JOB_ROLE} TEMPLATE template1`);
  } catch (err) {
    await server.stop();
    throw err;
  }
  let scratchCount = 0;
  const extensions: string[] = [];
  return {
    socketDir: o.socketDir,
    env: (urlVariable) => postgresEnv(o.socketDir, JOB_DATABASE, urlVariable),
    async createExtensions(names) {
      for (const name of names) {
        await admin(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)}`, JOB_DATABASE);
        extensions.push(name);
      }
    },
    // psql -c sends a string that does not start with a backslash to the server as it is:
    // a meta-command in the repository's SQL (\! runs a shell) is a syntax error, never run.
    runAsJob: (sql, database = JOB_DATABASE) =>
      execAs({ name: "worker" }, psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `-- init\n${sql}`], {
        env: { PGHOST: o.socketDir, PGUSER: JOB_ROLE, PGDATABASE: database, PGSSLMODE: "disable" },
        timeoutMs: 5 * 60_000,
      }),
    async scratchDatabase() {
      scratchCount += 1;
      const name = `scratch_${scratchCount}`;
      // From template1, not the job's database: tests may have left tables there.
      await admin(`CREATE DATABASE ${name} OWNER ${JOB_ROLE} TEMPLATE template1`);
      for (const ext of extensions) await admin(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(ext)}`, name);
      return {
        name,
        env: postgresEnv(o.socketDir, name),
        drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      };
    },
    stop: () => server.stop(),
  };
}
