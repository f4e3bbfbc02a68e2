// An MCP client transport over a child's stdio, spawned from a spec we build (the sandbox's
// command line and the complete, scrubbed environment). The SDK's own StdioClientTransport
// adds the app's HOME, PATH, USER and SHELL to the child's environment; this one adds
// nothing. The child gets its own process group, killed whole on close.
import { type ChildProcess, spawn } from "node:child_process";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export interface SpawnedServer {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

const STDERR_KEPT = 8 * 1024;

export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child?: ChildProcess;
  private readonly buffer = new ReadBuffer();
  private stderrTail = "";

  constructor(private readonly spec: SpawnedServer) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines the server wrote to stderr, for an error message. */
  get stderr(): string {
    return this.stderrTail;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.spec.command, this.spec.args, {
        cwd: this.spec.cwd,
        env: this.spec.env,
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
      });
      this.child = child;
      child.on("error", (err) => {
        reject(err);
        this.onerror?.(err);
      });
      child.on("spawn", () => resolve());
      child.on("close", () => {
        this.child = undefined;
        this.onclose?.();
      });
      child.stdin?.on("error", (err) => this.onerror?.(err));
      child.stdout?.on("data", (chunk: Buffer) => {
        this.buffer.append(chunk);
        for (;;) {
          try {
            const message = this.buffer.readMessage();
            if (!message) break;
            this.onmessage?.(message);
          } catch (err) {
            this.onerror?.(err as Error);
          }
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_KEPT);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin) return reject(new Error("the server is not running"));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", resolve);
    });
  }

  /** Kills the server's process group and waits (up to 5 s) until it has exited. */
  async close(): Promise<void> {
    const child = this.child;
    this.buffer.clear();
    if (child?.pid === undefined) return;
    const exited = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      setTimeout(resolve, 5000).unref();
    });
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    if (child.exitCode === null && child.signalCode === null) await exited;
  }
}
