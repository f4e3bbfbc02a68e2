// Cacheable prefix share: a 10-turn scripted session through the app (list, read, search,
// write, edit, go build, go test, read, report). For each request after the first, the
// length of the byte prefix it shares with the previous request (raw bodies as the model
// server received them) divided by its own length. Anthropic's prompt cache can only reuse
// a byte-identical prefix, so this is the part of each request that can be served cached.
import { mean } from "./stats.js";
import { finishedJob, REPORT_STEP, toolStep } from "./world.js";

const HANDLER = `package api

import "strings"

// Normalize trims and lower-cases an account id for lookups.
func Normalize(id string) string {
	return strings.ToLower(strings.TrimSpace(id))
}
`;

const SESSION = [
  toolStep("list_files", { path: "accounts", depth: 2 }),
  toolStep("read_file", { path: "accounts/api/doc.go" }),
  toolStep("search_code", { pattern: "func Clamp", glob: "*.go" }),
  toolStep("read_file", { path: "accounts/api/account.go", start_line: 1, end_line: 40 }),
  toolStep("write_file", { path: "accounts/api/normalize.go", content: HANDLER }),
  toolStep("edit_file", {
    path: "accounts/api/normalize.go",
    old_string: "for lookups.",
    new_string: "for lookups and logs.",
  }),
  toolStep("go", { args: ["build", "./accounts/..."] }),
  toolStep("go", { args: ["test", "./accounts/..."] }),
  toolStep("read_file", { path: "accounts/api/normalize.go" }),
];

function commonPrefix(a, b) {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export async function measurePrefixShare(world, app) {
  const t = await world.labelIssue(app.url, {
    title: "Normalize account ids",
    scenario: (turn) => SESSION[turn] ?? REPORT_STEP,
  });
  const job = await finishedJob(app.url, t.deliveryId);
  if (job.status !== "succeeded") throw new Error(`prefix-share job failed: ${job.error}`);
  const bodies = (await world.requestsOf(t.key)).map((raw) => Buffer.from(raw, "utf8"));
  if (bodies.length !== SESSION.length + 1) {
    throw new Error(`expected ${SESSION.length + 1} model requests, saw ${bodies.length}`);
  }
  const shares = [];
  // How much of the previous request survives as the prefix: the ceiling for the share
  // above is this times (previous length / this length), since a turn's new messages
  // cannot be a prefix of anything sent before.
  const reused = [];
  for (let i = 1; i < bodies.length; i++) {
    const common = commonPrefix(bodies[i - 1], bodies[i]);
    shares.push(common / bodies[i].length);
    reused.push(common / bodies[i - 1].length);
  }
  return {
    requests: bodies.length,
    shares,
    mean: mean(shares),
    min: Math.min(...shares),
    reused,
    minReused: Math.min(...reused),
    bytes: bodies.map((b) => b.length),
  };
}
