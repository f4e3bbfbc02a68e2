// Graceful shutdown for a process that runs a worker: on SIGTERM or SIGINT, stop taking
// jobs, give running ones graceMs to finish, hand the rest back, close, then exit.
import type { JobQueue, QueueLogger } from "./job-queue.js";

export interface ShutdownOptions {
  graceMs: number;
  /** Runs after the queue closed (close the HTTP server here); default none. */
  beforeExit?: () => Promise<void> | void;
  logger?: QueueLogger;
  /** Default process.exit. */
  exit?: (code: number) => void;
}

/** Installs the signal handlers; returns a function that removes them. */
export function installGracefulShutdown(queue: JobQueue, opts: ShutdownOptions): () => void {
  let shuttingDown = false;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      // A second signal: the operator wants out now; unfinished jobs resume elsewhere.
      exit(1);
      return;
    }
    shuttingDown = true;
    opts.logger?.info({ signal, graceMs: opts.graceMs }, "shutting down: finishing running jobs");
    (async () => {
      let code = 0;
      try {
        await queue.stop(opts.graceMs);
        await queue.close();
        await opts.beforeExit?.();
      } catch (err) {
        opts.logger?.error({ err }, "shutdown failed");
        code = 1;
      }
      exit(code);
    })().catch(() => exit(1));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}
