// The gopls adapter of the CodeIntelligence port: one `gopls mcp` per job, started on the
// first call, spoken to through the official MCP client. gopls runs like every Go process
// (tool-sandbox.ts): sandboxed, offline, GOPROXY=off over the warm module cache, the
// scrubbed environment; close() kills its process group, and runJob closes it with the job.
//
// Why MCP and not the CLI: `gopls references` and friends load the whole workspace on every
// invocation (seconds on a large module); one server keeps it loaded and answers each call
// from memory. gopls's MCP tools are also shaped for a model (package APIs, file context).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CodeAnswer, CodeIntelligence } from "../agent/code-intelligence.js";
import { trimTail } from "../text.js";
import type { ToolAvailability } from "./install-go-tools.js";
import { ChildStdioTransport } from "./mcp-stdio-transport.js";
import { type GoInstallation, type ToolProcess, toolProcess } from "./tool-sandbox.js";

export interface GoplsSessionOptions {
  go: GoInstallation;
  /** The gopls binary (installing it on first need), or why there is none. */
  gopls: () => Promise<ToolAvailability>;
  /** The checkout: gopls's workspace. */
  root: string;
  /** gopls's file cache, shared between jobs so a second job starts warm. */
  cacheDir?: string;
  /** Limit for one call (the first includes loading the workspace). Default 120 s. */
  callTimeoutMs?: number;
}

/** How many times one job starts gopls again after it died. */
const MAX_STARTS = 3;

interface Running {
  client: Client;
  transport: ChildStdioTransport;
  process: ToolProcess;
}

export interface GoplsSession extends CodeIntelligence {
  /** The server's pid once started (bench: its memory). */
  readonly pid: number | undefined;
  /** Starts gopls now (calls start it anyway); the reason when it cannot. */
  start(): Promise<string | undefined>;
}

export function createGoplsSession(options: GoplsSessionOptions): GoplsSession {
  let running: Promise<Running> | undefined;
  let current: Running | undefined;
  let starts = 0;
  let unavailable: string | undefined;

  const launch = async (): Promise<Running> => {
    const found = await options.gopls();
    if (!found.ok) throw new Unavailable(found.reason);
    const proc = await toolProcess(options.go, {
      binary: found.tool.path,
      args: ["mcp"],
      root: options.root,
      writable: options.cacheDir ? [options.cacheDir] : [],
      env: options.cacheDir ? { GOPLSCACHE: options.cacheDir } : {},
    });
    const transport = new ChildStdioTransport(proc);
    const client = new Client({ name: "backend-go-agent", version: "1" });
    try {
      await client.connect(transport, { timeout: 60_000 });
    } catch (err) {
      await transport.close();
      await proc.cleanup();
      const said = trimTail(transport.stderr, { maxLines: 10, maxChars: 1500 });
      throw new Error(`gopls did not start: ${(err as Error).message}${said ? `\n${said}` : ""}`);
    }
    const r = { client, transport, process: proc };
    transport.onclose = () => {
      if (current === r) {
        current = undefined;
        running = undefined;
      }
      proc.cleanup().catch(() => undefined);
    };
    current = r;
    return r;
  };

  const server = (): Promise<Running> => {
    if (unavailable) return Promise.reject(new Unavailable(unavailable));
    if (!running) {
      if (starts >= MAX_STARTS) {
        return Promise.reject(new Unavailable(`gopls stopped ${starts} times in this job`));
      }
      starts++;
      running = launch();
      running.catch((err) => {
        running = undefined;
        if (err instanceof Unavailable) unavailable = err.message;
      });
    }
    return running;
  };

  return {
    get pid() {
      return current?.transport.pid;
    },
    async start() {
      try {
        await server();
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
    async call(tool, args, signal): Promise<CodeAnswer> {
      let r: Running;
      try {
        r = await server();
      } catch (err) {
        return {
          text: `gopls is not available in this job (${(err as Error).message}). Use search_code, read_file and the go tool (go build, go vet, go doc) instead.`,
          isError: true,
        };
      }
      try {
        const res = await r.client.callTool({ name: tool, arguments: args }, undefined, {
          signal,
          timeout: options.callTimeoutMs ?? 120_000,
        });
        const content = (res.content ?? []) as { type: string; text?: string }[];
        const text = content
          .filter((c) => c.type === "text" && c.text)
          .map((c) => c.text)
          .join("\n");
        return {
          text: machinePathsOut(text || "(gopls returned nothing)", options.go),
          isError: res.isError === true,
        };
      } catch (err) {
        const said = trimTail(r.transport.stderr, { maxLines: 5, maxChars: 800 });
        return {
          text: `gopls failed on ${tool}: ${(err as Error).message}${said ? `\n${said}` : ""}`,
          isError: true,
        };
      }
    },
    async close() {
      const r = current;
      current = undefined;
      running = undefined;
      if (!r) return;
      await r.transport.close();
      await r.process.cleanup();
    },
  };
}

/** Dependencies and the standard library by name, not by where this machine keeps them. */
function machinePathsOut(text: string, go: GoInstallation): string {
  return text.split(`${go.caches.gomodcache}/`).join("$GOMODCACHE/").split(`${go.goroot}/`).join("$GOROOT/");
}

class Unavailable extends Error {
  override name = "GoplsUnavailable";
}
