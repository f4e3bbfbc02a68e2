// The Services adapter on this machine's real PostgreSQL and Redis: each job its own servers
// over Unix sockets, a role that is not a superuser, nothing left after the job, a dead
// worker's leftovers swept, and a missing service named.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { parseRepoConfig } from "../../src/repo/repo-config.js";
import { createLocalServices, type LocalServices } from "../../src/services/local-services.js";
import type { JobServices } from "../../src/services/services.js";
import { servicesDescribe } from "./support.js";

const request = (services: unknown) => parseRepoConfig({ verify: { services } }, "f").verify.services;

function psql(job: JobServices, sql: string, env: Record<string, string> = {}) {
  return spawnSync("psql", ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], {
    env: { PATH: process.env.PATH ?? "", ...job.env, ...env },
    encoding: "utf8",
  });
}

function redisCli(job: JobServices, ...args: string[]): string {
  const socket = job.env.REDIS_URL!.replace(/^unix:\/\//, "");
  return execFileSync("redis-cli", ["-s", socket, ...args], { encoding: "utf8" }).trim();
}

function serverAlive(pidFile: string): boolean {
  try {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

servicesDescribe("services on the worker's own binaries", () => {
  let dataDir: string;
  let services: LocalServices;
  const jobDirs = () => readdirSync(join(dataDir, "services", "jobs"));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bga-services-"));
    services = createLocalServices({ dataDir });
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("gives two jobs at once their own PostgreSQL and Redis, over sockets only", async () => {
    const both = request(["postgres", "redis"]);
    const [a, b] = await Promise.all([
      services.start(both, { checkoutDir: dataDir }),
      services.start(both, { checkoutDir: dataDir }),
    ]);
    try {
      expect(a.problems).toEqual([]);
      expect(a.used.map((u) => u.label)).toEqual([
        expect.stringMatching(/^PostgreSQL \d+\.\d+/),
        expect.stringMatching(/^Redis \d+\.\d+/),
      ]);
      expect(a.env.DATABASE_URL).toMatch(/^postgres:\/\/app@\/app\?host=%2F.*sslmode=disable$/);
      expect(a.env.REDIS_URL).toMatch(/^unix:\/\/\/.*\/redis\.sock$/);
      expect(a.env.PGHOST).not.toBe(b.env.PGHOST);
      expect(a.socketDirs).toEqual([a.env.PGHOST]);

      expect(psql(a, "CREATE TABLE only_a (id int); INSERT INTO only_a VALUES (1)").status).toBe(0);
      expect(psql(a, "SELECT count(*) FROM only_a").stdout.trim()).toBe("1");
      const inB = psql(b, "SELECT count(*) FROM only_a");
      expect(inB.status).not.toBe(0);
      expect(inB.stderr).toMatch(/relation "only_a" does not exist/);

      expect(redisCli(a, "SET", "k", "from-a")).toBe("OK");
      expect(redisCli(a, "GET", "k")).toBe("from-a");
      expect(redisCli(b, "GET", "k")).toBe("");
      // No TCP: neither server listens on a port.
      expect(psql(a, "SHOW listen_addresses").stdout.trim()).toBe("");
      expect(redisCli(a, "CONFIG", "GET", "port")).toBe("port\n0");
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("connects tests as a role that is not a superuser, and keeps the admin behind a password", async () => {
    const job = await services.start(request(["postgres"]), { checkoutDir: dataDir });
    try {
      const copied = psql(job, "COPY (SELECT 1) TO PROGRAM 'touch /tmp/bga-escaped'");
      expect(copied.status).not.toBe(0);
      expect(copied.stderr).toMatch(/permission denied|must be superuser|pg_execute_server_program/);
      const admin = psql(job, "SELECT 1", { PGUSER: "bga_admin" });
      expect(admin.status).not.toBe(0);
      expect(admin.stderr).toMatch(/password/);
      expect(psql(job, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").stdout.trim()).toBe("f");
    } finally {
      await job.stop();
    }
  });

  it("creates the extensions asked for and runs the init file as the job's role", async () => {
    const checkout = await mkdtemp(join(tmpdir(), "bga-services-checkout-"));
    writeFileSync(
      join(checkout, "init.sql"),
      "CREATE TABLE seeded (id uuid DEFAULT gen_random_uuid());\nINSERT INTO seeded DEFAULT VALUES;\n",
    );
    const job = await services.start(
      request({ postgres: { extensions: ["pgcrypto"], init: "init.sql", url: "TEST_DSN" } }),
      { checkoutDir: checkout },
    );
    try {
      expect(job.problems).toEqual([]);
      expect(job.env.TEST_DSN).toMatch(/^postgres:\/\//);
      expect(job.env.DATABASE_URL).toBeUndefined();
      expect(psql(job, "SELECT count(*) FROM seeded").stdout.trim()).toBe("1");
    } finally {
      await job.stop();
      await rm(checkout, { recursive: true, force: true });
    }
  });

  it("names an init file that fails, with the database's error, and a meta-command never runs", async () => {
    const checkout = await mkdtemp(join(tmpdir(), "bga-services-checkout-"));
    const marker = join(checkout, "escaped");
    writeFileSync(join(checkout, "init.sql"), `\\! touch ${marker}\nCREATE TABLE t (id int);\n`);
    const job = await services.start(request({ postgres: { init: "init.sql" } }), { checkoutDir: checkout });
    try {
      expect(job.problems).toEqual([
        {
          service: "postgres",
          kind: "failed",
          reason: expect.stringMatching(/^init\.sql failed: ERROR: +syntax error/),
        },
      ]);
      expect(existsSync(marker)).toBe(false);
    } finally {
      await job.stop();
      await rm(checkout, { recursive: true, force: true });
    }
  });

  it("never follows an init file that is a link out of the repository", async () => {
    const checkout = await mkdtemp(join(tmpdir(), "bga-services-checkout-"));
    symlinkSync("/etc/passwd", join(checkout, "init.sql"));
    const job = await services.start(request({ postgres: { init: "init.sql" } }), { checkoutDir: checkout });
    try {
      expect(job.problems).toEqual([
        {
          service: "postgres",
          kind: "failed",
          reason: "init.sql (verify.services.postgres.init) is a symbolic link, which is not followed",
        },
      ]);
    } finally {
      await job.stop();
      await rm(checkout, { recursive: true, force: true });
    }
  });

  it("leaves no server process and no data directory once the job stops", async () => {
    const job = await services.start(request(["postgres", "redis"]), { checkoutDir: dataDir });
    const [dir] = jobDirs();
    const jobDir = join(dataDir, "services", "jobs", dir!);
    expect(serverAlive(join(jobDir, "postgres.pid"))).toBe(true);
    expect(serverAlive(join(jobDir, "redis.pid"))).toBe(true);
    const pids = ["postgres.pid", "redis.pid"].map((f) => readFileSync(join(jobDir, f), "utf8").trim());
    await job.stop();
    expect(existsSync(jobDir)).toBe(false);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(jobDirs()).toEqual([]);
  });

  it("sweeps what a dead worker's job left: its servers are killed and its directory removed", async () => {
    const job = await services.start(request(["postgres", "redis"]), { checkoutDir: dataDir });
    const [dir] = jobDirs();
    const jobDir = join(dataDir, "services", "jobs", dir!);
    const pids = ["postgres.pid", "redis.pid"].map((f) => readFileSync(join(jobDir, f), "utf8").trim());
    // The worker that started it is gone: a process that has exited.
    const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(jobDir, "owner"), `${dead}\n`);
    const other = await services.start(request(["redis"]), { checkoutDir: dataDir });
    try {
      expect(await services.sweep()).toEqual([jobDir]);
      expect(existsSync(jobDir)).toBe(false);
      for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
      // A job of a live worker (this one) is left alone.
      expect(redisCli(other, "PING")).toBe("PONG");
    } finally {
      await job.stop();
      await other.stop();
    }
  });

  it("names a service this worker does not have, and starts nothing for it", async () => {
    const without = createLocalServices({ dataDir, postgres: null });
    const job = await without.start(request(["postgres"]), { checkoutDir: dataDir });
    expect(job.problems).toEqual([
      {
        service: "postgres",
        kind: "not-installed",
        reason: "PostgreSQL requested, not installed on this worker",
      },
    ]);
    expect(job.used).toEqual([]);
    expect(job.env).toEqual({});
    await job.stop();
    expect(jobDirs()).toEqual([]);
  });

  // Only a root worker hands its servers to another user; any other runs them as itself.
  (process.getuid?.() === 0 ? it : it.skip)(
    "names a DATA_DIR parent the services user cannot pass through, instead of each server's bare Permission denied",
    async () => {
      const closed = await mkdtemp(join(tmpdir(), "bga-services-closed-"));
      try {
        const inside = createLocalServices({ dataDir: join(closed, "data") });
        const job = await inside.start(request(["postgres", "redis"]), { checkoutDir: closed });
        const why = `cannot pass through ${closed} (mode 700), a parent of DATA_DIR ${join(closed, "data")}; give it o+x`;
        expect(job.problems.map((p) => [p.service, p.kind])).toEqual([
          ["postgres", "failed"],
          ["redis", "failed"],
        ]);
        expect(job.problems[0]!.reason).toContain(
          `PostgreSQL did not start: the services user "postgres" ${why}`,
        );
        expect(job.problems[1]!.reason).toContain(`Redis did not start: the services user "postgres" ${why}`);
        expect(job.used).toEqual([]);
        await job.stop();
      } finally {
        await rm(closed, { recursive: true, force: true });
      }
    },
  );
});
