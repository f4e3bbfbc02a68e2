// Go module proxies on 127.0.0.1, reached with GOPROXY=http://127.0.0.1:<port> (no ",direct"):
// one that serves nothing but the failures a real one can answer with (per module path a
// status and body: 404 not found, 410 gone, 403 refused), and one that serves a proxy
// directory on disk (as GOPROXY=file://… would) to a Go run whose sandbox cannot read it.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, normalize, sep } from "node:path";

export interface ProxyFailure {
  status: number;
  body: string;
}

export interface ModuleProxy {
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export type FailingProxy = ModuleProxy;

type Answer = (status: number, body: string | Buffer, type?: string) => void;

/** A proxy on a free loopback port: `handle` answers each decoded request path. */
async function serveProxy(handle: (path: string, answer: Answer) => void): Promise<ModuleProxy> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    requests.push(path);
    handle(path, (status, body, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { "Content-Type": type });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function startFailingProxy(failures: Record<string, ProxyFailure>): Promise<FailingProxy> {
  return serveProxy((path, answer) => {
    const module = /^\/(.+?)\/@(v|latest)/.exec(path)?.[1];
    const failure = (module && failures[module]) || { status: 404, body: `not found: ${module ?? path}` };
    answer(failure.status, failure.body);
  });
}

/** Serves `dir` (laid out as a GOPROXY: <module>/@v/list, .info, .mod, .zip); 404 for the rest. */
export function startModuleProxy(dir: string): Promise<ModuleProxy> {
  const root = normalize(dir) + sep;
  return serveProxy((path, answer) => {
    const file = normalize(join(root, path));
    if (!file.startsWith(root)) return answer(404, "not found");
    readFile(file).then(
      (body) => answer(200, body, file.endsWith(".zip") ? "application/zip" : undefined),
      () => answer(404, `not found: ${path}`),
    );
  });
}
