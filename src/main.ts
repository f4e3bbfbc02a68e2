// Process entry. `npm start`: the webhook server and a worker in one process; without
// credentials it serves Probot's manifest setup page on localhost instead.
// `npm run worker` (`node dist/main.js --worker`): only a worker, for scaling out on Redis.
import { existsSync } from "node:fs";
import { run } from "probot";
import { ConfigError, loadConfig } from "./config/env.js";

async function main(argv: string[]): Promise<void> {
  const workerOnly = argv.includes("--worker");
  // The setup flow writes the App's credentials to .env; later starts read them back.
  // Variables already set in the environment win.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const config = loadConfig();
  if (!config.appId || !config.privateKey) {
    if (workerOnly) {
      throw new ConfigError(
        "a worker needs APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH); run `npm start` once to create the App.",
      );
    }
    // Probot's run() owns the GitHub App manifest flow: it serves the setup page and
    // writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env when the App is created.
    await run(() => {}, { env: { ...process.env, HOST: config.host, PORT: String(config.port) } });
    return;
  }
  const { startApp } = await import("./server.js");
  await startApp(config, workerOnly ? "worker" : "all");
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`backend-go-agent: configuration error: ${err.message}`);
  } else {
    console.error("backend-go-agent: failed to start:", err);
  }
  process.exit(1);
});
