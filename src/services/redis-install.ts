// Where this worker's Redis is: redis-server on PATH (Debian's redis-server package).
import { execFileSync } from "node:child_process";
import { findOnPath } from "../golang/sandbox.js";

export interface RedisInstall {
  server: string;
  /** "7.0.15" */
  version: string;
}

export function findRedis(searchPath = process.env.PATH): RedisInstall | undefined {
  const server = findOnPath("redis-server", searchPath);
  if (!server) return undefined;
  try {
    const out = execFileSync(server, ["--version"], { encoding: "utf8", timeout: 10_000 });
    const version = /v=(\d+(?:\.\d+)*)/.exec(out)?.[1];
    return version ? { server, version } : undefined;
  } catch {
    return undefined;
  }
}
