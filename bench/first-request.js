// Trigger → first model request: from the webhook POST to the moment the scripted model
// receives the job's first Messages API request. Everything the job does before the agent
// starts is inside: the queue, the installation token, permission and configuration, the
// tracking comment, the thread, the repository's instructions, and the checkout.
//
// Warm: the repository is already in the app's DATA_DIR cache from an earlier job; before
// each trial one small commit lands on main, so both sides have the same thing to fetch.
// Baseline: `git fetch` + `git worktree add` of the same repository from the same stand-in
// in a warm full clone. Cold: a repository the app has never seen (a copy of the same one
// under a new name), against a plain full `git clone` of it.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { median } from "./stats.js";
import { finishedJob, firstRequest, REPO, settleThrottle } from "./world.js";

const firstTurnReports = () => undefined;

async function appTrial(world, app, repo) {
  await settleThrottle();
  const t = await world.labelIssue(app.url, { repo, scenario: firstTurnReports });
  const first = await firstRequest(world.model, t.key);
  const job = await finishedJob(app.url, t.deliveryId);
  if (job.status !== "succeeded") throw new Error(`first-request job failed: ${job.error}`);
  return first.perf - t.started.perf;
}

export async function measureFirstRequest(world, app, { warmTrials = 7, coldTrials = 3 } = {}) {
  const base = join(world.tmp, "first-request");
  const clone = join(base, "clone");
  await world.plainGit(["clone", "--quiet", world.cloneUrl(), clone]);

  const warm = { app: [], baseline: [] };
  for (let i = 0; i < warmTrials; i++) {
    await world.pushCommit();
    warm.app.push(await appTrial(world, app, REPO));
    const dir = join(base, `worktree-${i}`);
    const fetch = await world.plainGit(["fetch", "--quiet", "origin"], clone);
    const checkout = await world.plainGit(
      ["worktree", "add", "--quiet", "--detach", dir, "origin/main"],
      clone,
    );
    warm.baseline.push(fetch + checkout);
    await world.plainGit(["worktree", "remove", "--force", dir], clone);
  }

  const cold = { app: [], baseline: [] };
  for (let i = 0; i < coldTrials; i++) {
    const name = `${REPO}-cold-${i}`;
    await world.createRepo(name);
    cold.app.push(await appTrial(world, app, name));
    const dir = join(base, `clone-${i}`);
    cold.baseline.push(await world.plainGit(["clone", "--quiet", world.cloneUrl(name), dir]));
    await rm(dir, { recursive: true, force: true });
  }
  const summary = (s) => ({ app: median(s.app), baseline: median(s.baseline), samples: s });
  return { warm: summary(warm), cold: summary(cold) };
}
