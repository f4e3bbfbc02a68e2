// Starts a private redis-server for a test file: loopback only, a free port, no
// persistence, stopped afterwards. Tests never depend on a system-wide Redis.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { Socket } from "node:net";
import { freePort } from "./free-port.js";

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once("error", () => resolve(false));
    s.connect(port, "127.0.0.1", () => s.write("PING\r\n"));
    s.once("data", (d) => {
      s.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    const spawnError = once(child, "error").then(([e]) => e as Error);
    const deadline = Date.now() + 5_000;
    while (!exited && Date.now() < deadline) {
      const failed = await Promise.race([spawnError, new Promise((r) => setTimeout(r, 20, undefined))]);
      if (failed instanceof Error)
        throw new Error(`cannot start redis-server (is it installed?): ${failed.message}`);
      if (await ping(port)) {
        return {
          url: `redis://127.0.0.1:${port}`,
          port,
          async stop() {
            if (exited) return;
            const gone = once(child, "exit");
            child.kill("SIGTERM");
            await gone;
          },
        };
      }
    }
    if (!exited) child.kill("SIGKILL");
  }
  throw new Error("redis-server did not start on a free port after 5 tries");
}
