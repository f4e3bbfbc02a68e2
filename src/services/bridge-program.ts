// The services bridge (bridge/main.go): forwards between a Unix socket in the job's socket
// directory and a TCP port inside a network namespace, for servers that speak only TCP
// (nats-server). Built on first need with the worker's Go (golang/stdlib-program.ts) into
// DATA_DIR/services/programs/, a directory the job's sandboxed runs mount read-only.
import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findOnPath } from "../golang/sandbox.js";
import { builtProgram, type StdlibProgram } from "../golang/stdlib-program.js";

/** The bridge's source: beside this file under src/, and reached from dist/ the same way. */
export const BRIDGE_SOURCE_DIR = fileURLToPath(new URL("../../src/services/bridge", import.meta.url));

const BRIDGE: StdlibProgram = {
  name: "bridge",
  sourceDir: BRIDGE_SOURCE_DIR,
  sources: ["main.go", "go.mod"],
};

/** Go is missing: the bridge cannot be built. */
export class BridgeUnavailableError extends Error {
  override name = "BridgeUnavailableError";
}

/** The built bridge under `servicesRoot`, built with the `go` on the search path on first use. */
export function servicesBridge(servicesRoot: string, searchPath = process.env.PATH): Promise<string> {
  const go = findOnPath("go", searchPath);
  if (!go)
    return Promise.reject(new BridgeUnavailableError("go is not on PATH to build the services bridge"));
  // /usr/bin/go -> /usr/lib/go-x/bin/go: build with the real one, beside its gofmt and tools.
  return builtProgram(BRIDGE, join(dirname(realpathSync(go)), "go"), join(servicesRoot, "programs"));
}
