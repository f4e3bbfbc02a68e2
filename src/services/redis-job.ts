// A job's Redis: redis-server with no TCP port, a Unix socket in the job's socket directory,
// no persistence, and a memory ceiling, as the services user.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { RedisInstall } from "./redis-install.js";
import { giveTo, type ServiceUser } from "./run-as.js";
import { startServer } from "./server-process.js";

export interface RedisJob {
  socket: string;
  env(urlVariable: string): Record<string, string>;
  stop(): Promise<void>;
}

const MAX_MEMORY = "256mb";

export async function startRedisJob(o: {
  install: RedisInstall;
  user: ServiceUser;
  jobDir: string;
  socketDir: string;
  signal?: AbortSignal;
}): Promise<RedisJob> {
  const dir = join(o.jobDir, "redis");
  await mkdir(dir, { mode: 0o700 });
  await giveTo(o.user, dir);
  const socket = join(o.socketDir, "redis.sock");
  const server = await startServer({
    name: "Redis",
    command: o.install.server,
    args: [
      "--port",
      "0",
      "--unixsocket",
      socket,
      "--unixsocketperm",
      "777",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--maxmemory",
      MAX_MEMORY,
      "--loglevel",
      "warning",
    ],
    user: o.user,
    log: join(o.jobDir, "redis.log"),
    pidFile: join(o.jobDir, "redis.pid"),
    ready: () => existsSync(socket),
    stopSignal: "SIGTERM",
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return {
    socket,
    env: (urlVariable) => ({ [urlVariable]: `unix://${socket}` }),
    stop: () => server.stop(),
  };
}
