// Builds and starts the Probot server for a configured App.
import { Probot, Server } from "probot";
import { createApp } from "./app.js";
import type { AppConfig } from "./config/env.js";

export function githubApiUrl(config: AppConfig): string {
  return config.gheHost ? `${config.gheProtocol}://${config.gheHost}/api/v3` : "https://api.github.com";
}

export async function startServer(config: AppConfig): Promise<Server> {
  const server = new Server({
    host: config.host,
    port: config.port,
    Probot: Probot.defaults({
      appId: config.appId,
      privateKey: config.privateKey,
      secret: config.webhookSecret,
      baseUrl: githubApiUrl(config),
      logLevel: config.logLevel,
    }),
  });
  await server.load(createApp({ enqueue: async () => ({ jobId: "", created: false }) }));
  await server.start();
  return server;
}
