// The baseline of the webhook benchmark: a bare Probot 14 app whose only handler does
// nothing, served by Probot's own Server as src/server.ts serves the real app (same options:
// appId, privateKey, secret, GHE base URL; a pino logger writing JSON lines through
// @probot/pino to stdout at the same level), on the same events.
import { getTransformStream } from "@probot/pino";
import { pino } from "pino";
import { Probot, Server } from "probot";

const env = process.env;
const transform = await getTransformStream({ logFormat: "json" });
transform.pipe(pino.destination(1));
const log = pino({ level: env.LOG_LEVEL ?? "info", name: "probot" }, transform);
const server = new Server({
  host: env.HOST ?? "127.0.0.1",
  port: Number(env.PORT ?? 3000),
  log,
  Probot: Probot.defaults({
    appId: env.APP_ID,
    privateKey: env.PRIVATE_KEY,
    secret: env.WEBHOOK_SECRET,
    baseUrl: `http://${env.GHE_HOST}/api/v3`,
    log: log.child({ name: "probot" }),
  }),
});
await server.load((app) => {
  app.on(["issues.labeled", "issue_comment.created", "pull_request_review_comment.created"], async () => {});
});
await server.start();
