// Only the webhook acknowledgement part of `npm run bench` (after `npm run build`):
//   node bench/ack-only.js [--quick]
// prints the app vs bare Probot figures, overall and per round, as JSON; writes nothing.
// APP_NODE_OPTIONS is handed to the app's process as NODE_OPTIONS (e.g. a diagnostic --import).
import { join } from "node:path";
import { measureAck } from "./ack-latency.js";
import { createWorld } from "./world.js";

const quick = process.argv.includes("--quick");
const world = await createWorld();
try {
  const appEnv = process.env.APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.APP_NODE_OPTIONS } : {};
  const ack = await measureAck(world, {
    dataDir: join(world.tmp, "ack-data"),
    appEnv: {
      ...appEnv,
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("DIAG_"))),
    },
    ...(quick ? { rounds: 2, perRound: 200, warmup: 100 } : {}),
  });
  const round = (xs) => xs.map((x) => Number(x.toFixed(2)));
  process.stdout.write(
    `${JSON.stringify(
      {
        app: ack.app,
        bare: ack.bare,
        p50Ratio: ack.app.p50 / ack.bare.p50,
        p99Ratio: ack.app.p99 / ack.bare.p99,
        roundP50Ratios: round(ack.roundRatios),
        roundP99Ratios: round(ack.roundP99Ratios),
        perRound: ack.perRound,
        appProcess: ack.appProcess,
        reactionsSent: ack.reactionsSent,
        queue: ack.queue,
      },
      null,
      1,
    )}\n`,
  );
} finally {
  await world.close();
}
