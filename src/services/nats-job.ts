// A job's NATS: nats-server speaks only TCP, so it runs in a network namespace of its own
// (bubblewrap --unshare-net: nothing but its own loopback), on 127.0.0.1:4222 there, and the
// bridge next to it (bridge/main.go) makes that port a Unix socket in the job's socket
// directory. Each Go run of the job has its own network namespace too (the Go sandbox), where
// a bridge turns the socket back into 127.0.0.1:4222: NATS_URL is the same for every run, and
// no port exists on the worker's network. JetStream is on, in the job's directory, with
// ceilings; as the services user.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { NatsInstall } from "./nats-install.js";
import { giveTo, type ServiceUser } from "./run-as.js";
import { startServer } from "./server-process.js";

/** The address the server listens on in its namespace, and the Go runs dial in theirs. */
export const NATS_ADDRESS = "127.0.0.1:4222";

export interface NatsJob {
  socket: string;
  env(urlVariable: string): Record<string, string>;
  /** The command prefix that gives a sandboxed Go run the server at NATS_ADDRESS. */
  runWrapper: string[];
  /** The bridge's directory, which the Go runs mount read-only. */
  bridgeDir: string;
  stop(): Promise<void>;
}

/** Double-quoted string for nats-server's configuration format. */
function quoted(value: string): string {
  return JSON.stringify(value);
}

export async function startNatsJob(o: {
  install: NatsInstall;
  bwrap: string;
  bridge: string;
  user: ServiceUser;
  jobDir: string;
  socketDir: string;
  signal?: AbortSignal;
}): Promise<NatsJob> {
  const dir = join(o.jobDir, "nats");
  await mkdir(join(dir, "jetstream"), { recursive: true, mode: 0o700 });
  await giveTo(o.user, dir);
  await giveTo(o.user, join(dir, "jetstream"));
  const config = join(dir, "nats.conf");
  await writeFile(
    config,
    [
      `listen: ${quoted(NATS_ADDRESS)}`,
      "max_payload: 1MB",
      "max_connections: 256",
      `jetstream { store_dir: ${quoted(join(dir, "jetstream"))}, max_memory_store: 256MB, max_file_store: 1GB }`,
      "",
    ].join("\n"),
  );
  await giveTo(o.user, config);
  const socket = join(o.socketDir, "nats.sock");
  const server = await startServer({
    name: "NATS",
    command: o.bwrap,
    args: [
      "--ro-bind",
      "/",
      "/",
      "--bind",
      dir,
      dir,
      "--bind",
      o.socketDir,
      o.socketDir,
      "--dev",
      "/dev",
      "--proc",
      "/proc",
      "--unshare-net",
      "--die-with-parent",
      "--",
      o.bridge,
      "-wait",
      "-forward",
      `unix:${socket}=tcp:${NATS_ADDRESS}`,
      "--",
      o.install.server,
      "-c",
      config,
    ],
    user: o.user,
    log: join(o.jobDir, "nats.log"),
    pidFile: join(o.jobDir, "nats.pid"),
    // The bridge makes the socket only once the server accepts connections.
    ready: () => existsSync(socket),
    stopSignal: "SIGTERM",
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return {
    socket,
    env: (urlVariable) => ({ [urlVariable]: `nats://${NATS_ADDRESS}` }),
    runWrapper: [o.bridge, "-forward", `tcp:${NATS_ADDRESS}=unix:${socket}`, "--"],
    bridgeDir: dirname(o.bridge),
    stop: () => server.stop(),
  };
}
