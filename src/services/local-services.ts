// The Services adapter on the worker's own binaries. Each job gets a directory under
// DATA_DIR/services/jobs/<random>/ holding its servers' data, logs and pids, and `run/`,
// the socket directory the sandbox mounts. The directories are traversable but not listable
// by others (0711) and the name is random, so no other local user finds the sockets.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { findOnPath } from "../golang/sandbox.js";
import { servicesBridge } from "./bridge-program.js";
import { findNats, type NatsInstall } from "./nats-install.js";
import { type NatsJob, startNatsJob } from "./nats-job.js";
import { findPostgres, type PostgresInstall } from "./postgres-install.js";
import { type PostgresJob, startPostgresJob } from "./postgres-job.js";
import { ensureTemplate, type PostgresTemplate } from "./postgres-template.js";
import { findRabbitmq, type RabbitmqInstall } from "./rabbitmq-install.js";
import { findRedis, type RedisInstall } from "./redis-install.js";
import { type RedisJob, startRedisJob } from "./redis-job.js";
import { RepoFileError, readRepoFile } from "./repo-file.js";
import { giveTo, requirePassable, type ServiceUser, serviceUser } from "./run-as.js";
import {
  type JobServices,
  notInstalled,
  notSupported,
  SERVICE_LABELS,
  type ServiceProblem,
  type Services,
  type ServicesRequest,
  type ServiceUse,
  type StartOptions,
} from "./services.js";
import { OWNER_FILE, sweepJobs } from "./sweep.js";

export interface LocalServicesOptions {
  /** DATA_DIR: everything lives under `<dataDir>/services/`. */
  dataDir: string;
  /** Where to look for the binaries; defaults to this process's PATH (and Debian's PostgreSQL dir). */
  searchPath?: string;
  /** Overrides what was found (tests: a worker without PostgreSQL). */
  postgres?: PostgresInstall | null;
  redis?: RedisInstall | null;
  nats?: NatsInstall | null;
  rabbitmq?: RabbitmqInstall | null;
  /** bubblewrap, which gives NATS a network namespace of its own; found on the search path by default. */
  bwrap?: string | null;
}

export interface LocalServices extends Services {
  readonly root: string;
  readonly postgres?: PostgresInstall;
  readonly redis?: RedisInstall;
  readonly nats?: NatsInstall;
  readonly rabbitmq?: RabbitmqInstall;
  /**
   * Builds the NATS bridge ahead of the first job that asks (a cold build takes seconds);
   * resolves to its path, or undefined where this worker runs no NATS.
   */
  prepare(): Promise<string | undefined>;
}

// Why a TCP-only server is not started: its port would be on the worker's network.
const RABBITMQ_TCP_ONLY =
  "rabbitmq-server listens only on TCP, and this worker does not yet bridge it into a job's own network as it does NATS";
const NATS_NO_BWRAP =
  "nats-server listens only on TCP, and without bubblewrap this worker cannot give it a network of its own";
const NATS_RUNS_UNSANDBOXED =
  "nats-server listens only on TCP, and this job's Go runs are not sandboxed, so its port would be on the worker's network";

function failure(err: unknown): string {
  return (err as Error).message.split("\n")[0] ?? String(err);
}

export function createLocalServices(options: LocalServicesOptions): LocalServices {
  const dataDir = resolve(options.dataDir);
  const root = join(dataDir, "services");
  const jobsRoot = join(root, "jobs");
  const postgres =
    options.postgres === null ? undefined : (options.postgres ?? findPostgres(options.searchPath));
  const redis = options.redis === null ? undefined : (options.redis ?? findRedis(options.searchPath));
  const nats = options.nats === null ? undefined : (options.nats ?? findNats(options.searchPath));
  const rabbitmq =
    options.rabbitmq === null ? undefined : (options.rabbitmq ?? findRabbitmq(options.searchPath));
  const bwrap =
    options.bwrap === null
      ? undefined
      : (options.bwrap ?? findOnPath("bwrap", options.searchPath ?? process.env.PATH));
  let user: ServiceUser | undefined;
  let template: Promise<PostgresTemplate> | undefined;
  let rootReady: Promise<void> | undefined;

  // The services user must reach its directories under DATA_DIR: only the right to pass
  // through (o+x) is added, never to list or read.
  const prepareRoot = () => {
    rootReady ??= (async () => {
      user = serviceUser();
      await mkdir(dataDir, { recursive: true });
      await requirePassable(user, dataDir);
      if (user.uid !== undefined) {
        const mode = (await stat(dataDir)).mode & 0o777;
        if ((mode & 0o001) === 0) await chmod(dataDir, mode | 0o001);
      }
      await mkdir(jobsRoot, { recursive: true, mode: 0o711 });
      await chmod(root, 0o711);
      await chmod(jobsRoot, 0o711);
      // The first job after a restart finds what a dead worker's jobs left, and removes it.
      await sweepJobs(jobsRoot);
    })();
    rootReady.catch(() => {
      rootReady = undefined;
    });
    return rootReady;
  };

  const templateFor = (install: PostgresInstall) => {
    template ??= ensureTemplate(root, install, user!);
    template.catch(() => {
      template = undefined;
    });
    return template;
  };

  async function start(request: ServicesRequest, o: StartOptions): Promise<JobServices> {
    const used: ServiceUse[] = [];
    const problems: ServiceProblem[] = [];
    const env: Record<string, string> = {};
    let pg: PostgresJob | undefined;
    let rd: RedisJob | undefined;
    let nt: NatsJob | undefined;
    if (request.postgres && !postgres) problems.push(notInstalled("postgres"));
    if (request.redis && !redis) problems.push(notInstalled("redis"));
    // NATS needs a network namespace of its own, and so does every Go run that reaches it.
    const natsWhyNot = !nats
      ? notInstalled("nats")
      : !bwrap
        ? notSupported("nats", NATS_NO_BWRAP)
        : !o.sandboxed
          ? notSupported("nats", NATS_RUNS_UNSANDBOXED)
          : undefined;
    if (request.nats && natsWhyNot) problems.push(natsWhyNot);
    if (request.rabbitmq)
      problems.push(rabbitmq ? notSupported("rabbitmq", RABBITMQ_TCP_ONLY) : notInstalled("rabbitmq"));
    const wanted =
      (request.postgres && postgres) || (request.redis && redis) || (request.nats && !natsWhyNot);
    if (!wanted) return finished();

    try {
      await prepareRoot();
    } catch (err) {
      // The worker cannot host servers at all (no services user, an impassable DATA_DIR):
      // each requested service says why, and the job goes on with its tests skipped.
      for (const service of ["postgres", "redis", "nats"] as const) {
        if (request[service] && !problems.some((p) => p.service === service))
          problems.push({
            service,
            kind: "failed",
            reason: `${SERVICE_LABELS[service]} did not start: ${failure(err)}`,
          });
      }
      return finished();
    }
    const jobDir = join(jobsRoot, randomBytes(12).toString("hex"));
    const socketDir = join(jobDir, "run");
    await mkdir(jobDir, { mode: 0o711 });
    await writeFile(join(jobDir, OWNER_FILE), `${process.pid}\n`);
    await mkdir(socketDir, { mode: 0o711 });
    await giveTo(user!, jobDir);
    await giveTo(user!, socketDir);
    let stopped: Promise<void> | undefined;
    const stop = () => {
      stopped ??= (async () => {
        await Promise.all([pg?.stop(), rd?.stop(), nt?.stop()]);
        await rm(jobDir, { recursive: true, force: true });
      })();
      return stopped;
    };
    try {
      if (request.postgres && postgres) {
        const began = Date.now();
        try {
          const tpl = await templateFor(postgres);
          pg = await startPostgresJob({
            install: postgres,
            template: tpl,
            user: user!,
            jobDir,
            socketDir,
            ...(o.signal ? { signal: o.signal } : {}),
          });
          await pg.createExtensions(request.postgres.extensions);
          Object.assign(env, pg.env(request.postgres.url));
          used.push({
            service: "postgres",
            label: `PostgreSQL ${postgres.version}`,
            startMs: Date.now() - began,
          });
        } catch (err) {
          problems.push({
            service: "postgres",
            kind: "failed",
            reason: `PostgreSQL did not start: ${failure(err)}`,
          });
        }
        const init = request.postgres.init;
        if (pg && init) {
          let sql: string | undefined;
          let unreadable = "";
          try {
            sql = await readRepoFile(o.checkoutDir, join(o.checkoutDir, init));
          } catch (err) {
            if (!(err instanceof RepoFileError)) throw err;
            unreadable = err.message;
          }
          const res = sql === undefined ? undefined : await pg.runAsJob(sql);
          if (res?.code !== 0) {
            problems.push({
              service: "postgres",
              kind: "failed",
              reason: res
                ? `${init} failed: ${res.stderr.trim().split("\n")[0] ?? ""}`
                : `${init} (verify.services.postgres.init) ${unreadable}`,
            });
          }
        }
      }
      if (request.redis && redis) {
        const began = Date.now();
        try {
          rd = await startRedisJob({
            install: redis,
            user: user!,
            jobDir,
            socketDir,
            ...(o.signal ? { signal: o.signal } : {}),
          });
          Object.assign(env, rd.env(request.redis.url));
          used.push({ service: "redis", label: `Redis ${redis.version}`, startMs: Date.now() - began });
        } catch (err) {
          problems.push({ service: "redis", kind: "failed", reason: `Redis did not start: ${failure(err)}` });
        }
      }
      if (request.nats && nats && bwrap && !natsWhyNot) {
        const began = Date.now();
        try {
          nt = await startNatsJob({
            install: nats,
            bwrap,
            bridge: await servicesBridge(root, options.searchPath),
            user: user!,
            jobDir,
            socketDir,
            ...(o.signal ? { signal: o.signal } : {}),
          });
          Object.assign(env, nt.env(request.nats.url));
          used.push({ service: "nats", label: `NATS ${nats.version}`, startMs: Date.now() - began });
        } catch (err) {
          problems.push({ service: "nats", kind: "failed", reason: `NATS did not start: ${failure(err)}` });
        }
      }
    } catch (err) {
      await stop();
      throw err;
    }
    return finished(socketDir, stop);

    function finished(dir?: string, stopAll: () => Promise<void> = async () => undefined): JobServices {
      const job = pg;
      return {
        env,
        socketDirs: dir && used.length ? [dir, ...(nt ? [nt.bridgeDir] : [])] : [],
        ...(nt ? { runWrapper: nt.runWrapper } : {}),
        used,
        problems,
        ...(job ? { scratchDatabase: () => job.scratchDatabase() } : {}),
        stop: stopAll,
      };
    }
  }

  return {
    root,
    ...(postgres ? { postgres } : {}),
    ...(redis ? { redis } : {}),
    ...(nats ? { nats } : {}),
    ...(rabbitmq ? { rabbitmq } : {}),
    start,
    sweep: () => sweepJobs(jobsRoot),
    prepare: async () => (nats && bwrap ? servicesBridge(root, options.searchPath) : undefined),
  };
}
