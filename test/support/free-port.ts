// A free loopback port, for a child process that must be told its port up front (redis-server,
// the app's PORT). Between closing this probe and the child's bind another process can take the
// port, more so with parallel jest workers: callers that start a child retry on a lost race.
import { once } from "node:events";
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  if (typeof addr !== "object" || !addr) throw new Error("no port");
  return addr.port;
}
