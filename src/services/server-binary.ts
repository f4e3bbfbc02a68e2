// A server's binary: on the search path, then in the sbin directories where Debian puts
// daemons (nats-server, rabbitmq-server), which are off the PATH of a worker that is not root.
import { delimiter } from "node:path";
import { findOnPath } from "../golang/sandbox.js";

const SBIN_DIRS = ["/usr/sbin", "/usr/local/sbin"];

export function findServerBinary(name: string, searchPath: string | undefined): string | undefined {
  return findOnPath(name, [searchPath ?? "", ...SBIN_DIRS].filter(Boolean).join(delimiter));
}
