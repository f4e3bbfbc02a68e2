// Where this worker's NATS is: nats-server on PATH or in /usr/sbin (Debian's nats-server package).
import { execFileSync } from "node:child_process";
import { findServerBinary } from "./server-binary.js";

export interface NatsInstall {
  server: string;
  /** "2.9.10" */
  version: string;
}

/** The installed nats-server, or undefined when this worker has none. */
export function findNats(searchPath = process.env.PATH): NatsInstall | undefined {
  const server = findServerBinary("nats-server", searchPath);
  if (!server) return undefined;
  try {
    const out = execFileSync(server, ["--version"], { encoding: "utf8", timeout: 10_000 });
    const version = /v(\d+(?:\.\d+)*)/.exec(out)?.[1];
    return version ? { server, version } : undefined;
  } catch {
    return undefined;
  }
}
