// A Go module proxy on 127.0.0.1 that serves nothing but the failures a real one can answer
// with: per module path a status and body (404 not found, 410 gone, 403 refused), and 404
// for everything else. Go reaches it with GOPROXY=http://127.0.0.1:<port> (no ",direct").
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxyFailure {
  status: number;
  body: string;
}

export interface FailingProxy {
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFailingProxy(failures: Record<string, ProxyFailure>): Promise<FailingProxy> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    requests.push(path);
    const module = /^\/(.+?)\/@(v|latest)/.exec(path)?.[1];
    const failure = (module && failures[module]) || { status: 404, body: `not found: ${module ?? path}` };
    res.writeHead(failure.status, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(failure.body);
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
