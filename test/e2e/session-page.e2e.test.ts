// The session pages in a real browser: Debian's Chromium (headless, driven by playwright-core)
// against the real app (node dist/main.js), the GitHub stand-in with its OAuth web flow, and
// the scripted model answering slowly. Run `npm run build` first (npm test does).
// Screenshots go to $TEST_OUTPUT_DIR/session-page (default test-output/session-page).
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import Database from "better-sqlite3";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type GitHubStandIn, startGitHubServer } from "../support/github-server.js";
import { issuesLabeled, sendWebhook } from "../support/github-webhooks.js";
import { LEDGER_FIXTURE, REPO_ROOT } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  heldStep,
  report,
  type ScriptedModelServer,
  say,
  startScriptedModel,
  tool,
} from "../support/scripted-model.js";
import {
  API_KEY,
  type AppProcess,
  appKeyPair,
  freePort,
  startAppProcess,
  tempDataDir,
  WEBHOOK_SECRET,
  waitFor,
} from "./harness.js";
import { jobRecords } from "./world.js";

const CHROMIUM = "/usr/bin/chromium";
const JOBS_TOKEN = "e2e-jobs-token-4f1d2c";
const OUT = join(process.env.TEST_OUTPUT_DIR ?? join(REPO_ROOT, "test-output"), "session-page");
const HOSTILE =
  '<script>window.pwned = 1</script>\u001b[31mRED\u001b[0m <img src=x onerror="window.pwned=2">';

let gh: GitHubStandIn;
let model: ScriptedModelServer;
let app: AppProcess;
let data: { dir: string; cleanup: () => Promise<void> };
let browser: Browser;
let publicUrl: string;
const keys = appKeyPair();
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  gh = await startGitHubServer({ appPublicKey: keys.publicKey });
  model = await startScriptedModel({ script: [] });
  await gh.createRepo("acme", "ledger", { fromDir: LEDGER_FIXTURE });
  await gh.createRepo("acme", "vault", { fromDir: LEDGER_FIXTURE });
  gh.setPermission("acme", "ledger", "alice", "write");
  gh.setPermission("acme", "ledger", "bob", "read");
  gh.setPermission("acme", "vault", "carol", "admin");
  data = await tempDataDir();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  app = await startAppProcess({
    appId: gh.app.id,
    privateKey: keys.privateKey,
    gheHost: gh.host,
    modelUrl: model.url,
    dataDir: data.dir,
    port,
    extra: {
      GITHUB_CLIENT_ID: gh.oauth.clientId,
      GITHUB_CLIENT_SECRET: gh.oauth.clientSecret,
      PUBLIC_URL: publicUrl,
      JOBS_TOKEN,
      JOB_CONCURRENCY: "1",
    },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await app?.stop();
  await data?.cleanup();
  await model?.close();
  await gh?.close();
});

/** A fresh browser (its own cookies) signed in to the app as `login` through GitHub's flow. */
async function signedIn(login: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  gh.oauth.signedIn = login;
  await page.goto(`${publicUrl}/ui/jobs`);
  await page.getByRole("link", { name: "Sign in with GitHub" }).click();
  await page.waitForURL(`${publicUrl}/ui/jobs`);
  await expect(page.getByText(`Signed in as @${login}`).count()).resolves.toBe(1);
  return page;
}

const botComments = (repo: string, number: number) =>
  gh.state.commentsOn("acme", repo, number).filter((c) => c.user.login === gh.bot.login);

async function label(repo: string, number: number, sender: string): Promise<string> {
  const payload = issuesLabeled(gh, { owner: "acme", repo, number, label: "backend-go", sender });
  const res = await sendWebhook(`${app.url}/api/github/webhooks`, {
    secret: WEBHOOK_SECRET,
    event: "issues",
    payload,
  });
  expect(res.status).toBeLessThan(300);
  return waitFor(
    "the job record",
    async () => (await jobRecords(app, JOBS_TOKEN)).find((j) => j.target === `acme/${repo}#${number}`)?.id,
  );
}

describe("the session pages in Chromium", () => {
  let vaultJob: string;
  let ledgerJob: string;
  const held = [heldStep(), heldStep(), heldStep()];

  it("nobody signed in sees only the sign-in page", async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const res = await page.goto(`${publicUrl}/ui/jobs`);
    expect(res?.status()).toBe(401);
    await expect(page.getByRole("heading", { name: "Sign in" }).count()).resolves.toBe(1);
  });

  it("a finished job in another repository, linked from its comments", async () => {
    const issue = gh.createIssue("acme", "vault", { title: "Explain the vault" });
    model.add(say(report(GO_ENGINEER_SECTIONS, "Nothing to change.")));
    vaultJob = await label("vault", issue.number, "carol");
    await waitFor("the vault job to finish", async () =>
      (await jobRecords(app, JOBS_TOKEN)).find((j) => j.id === vaultJob && j.status === "succeeded"),
    );
    const page = `${publicUrl}/ui/jobs/${vaultJob}`;
    const tracking = await waitFor("the final tracking comment", () =>
      botComments("vault", issue.number).find(
        (c) => c.body.includes("backend-go-agent:tracking") && c.body.includes("finished"),
      ),
    );
    expect(tracking.body).toContain(`[what the agent did](${page})`);
    const reportComment = botComments("vault", issue.number).find((c) => c.body.includes("## Summary"));
    expect(reportComment?.body).toContain(`[what the agent did](${page})`);
  }, 240_000);

  it("signs in; the list shows the person's jobs, not another repository's; steps appear live; stop ends the job", async () => {
    const issue = gh.createIssue("acme", "ledger", { title: "Add a version constant" });
    // Each model answer waits for the test: the page must show each step as it comes.
    held[0] = heldStep(tool("write_file", { path: "notes/hostile.txt", content: HOSTILE }));
    held[1] = heldStep(tool("read_file", { path: "notes/hostile.txt" }));
    held[2] = heldStep(say("never sent: the job is stopped first"));
    model.add(held[0].step, held[1].step, held[2].step);
    ledgerJob = await label("ledger", issue.number, "alice");
    await held[0].reached;

    const page = await signedIn("alice");
    await expect(page.locator(`a[href="/ui/jobs/${ledgerJob}"]`).count()).resolves.toBe(1);
    await expect(page.locator(`a[href="/ui/jobs/${vaultJob}"]`).count()).resolves.toBe(0);
    expect(await page.content()).not.toContain("acme/vault");
    await page.screenshot({ path: join(OUT, "job-list.png"), fullPage: true });

    await page.click(`a[href="/ui/jobs/${ledgerJob}"]`);
    await page.waitForURL(`${publicUrl}/ui/jobs/${ledgerJob}`);
    await expect(page.locator("#status").textContent()).resolves.toBe("running");
    // A marker that a reload would lose: the new entries must come without one.
    await page.evaluate(() => {
      (globalThis as unknown as { stillHere: boolean }).stillHere = true;
    });
    const tools = page.locator("#journal li.tool");
    expect(await tools.count()).toBe(0);
    held[0].release();
    await tools.first().waitFor({ timeout: 30_000 });
    await expect(tools.first().locator("summary strong").textContent()).resolves.toBe("write_file");
    await held[1].reached;
    held[1].release();
    await tools.nth(1).waitFor({ timeout: 30_000 });
    await expect(tools.nth(1).locator("summary strong").textContent()).resolves.toBe("read_file");
    await held[2].reached;
    expect(await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere)).toBe(
      true,
    );

    // The hostile file shows as text: no script ran, no element was made of it.
    await tools.nth(1).locator("summary").click();
    const output = await tools.nth(1).locator("pre").nth(1).textContent();
    expect(output).toContain('<script>window.pwned = 1</script>RED <img src=x onerror="window.pwned=2">');
    expect(output).not.toContain("\u001b");
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator("#journal img, #journal script").count()).toBe(0);
    await page.screenshot({ path: join(OUT, "job-page-running.png"), fullPage: true });

    // The tracking comment links the page while the job runs.
    const tracking = () =>
      botComments("ledger", issue.number).find((c) => c.body.includes("backend-go-agent:tracking"));
    expect(tracking()?.body).toContain(`(${publicUrl}/ui/jobs/${ledgerJob})`);

    await page.getByRole("button", { name: "Stop this job" }).click();
    await page.waitForURL(`${publicUrl}/ui/jobs/${ledgerJob}`);
    await waitFor("the job to be cancelled", async () =>
      (await jobRecords(app, JOBS_TOKEN)).find((j) => j.id === ledgerJob && j.status === "cancelled"),
    );
    const said = await waitFor("the tracking comment to say who stopped it", () =>
      tracking()?.body.includes("stopped by @alice") ? tracking() : undefined,
    );
    expect(said.body).toContain(`[what the agent did](${publicUrl}/ui/jobs/${ledgerJob})`);
    await page.reload();
    await expect(page.locator("#status").textContent()).resolves.toBe("cancelled");
    await expect(page.getByRole("button", { name: "Stop this job" }).count()).resolves.toBe(0);
    await page.screenshot({ path: join(OUT, "job-page-stopped.png"), fullPage: true });
    // Readable on a phone: nothing wider than the screen but the tables' own scroll boxes.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
            .documentElement.scrollWidth,
      ),
    ).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(OUT, "job-page-phone.png"), fullPage: true });
    held[2].release();
  }, 240_000);

  it("a reader sees the job without a stop button; a person without access gets a 404", async () => {
    const bob = await signedIn("bob");
    const seen = await bob.goto(`${publicUrl}/ui/jobs/${ledgerJob}`);
    expect(seen?.status()).toBe(200);
    await expect(bob.getByRole("button", { name: "Stop this job" }).count()).resolves.toBe(0);
    const hidden = await bob.goto(`${publicUrl}/ui/jobs/${vaultJob}`);
    expect(hidden?.status()).toBe(404);
    expect(await bob.content()).not.toContain("acme/vault");

    const dave = await signedIn("dave");
    expect((await dave.goto(`${publicUrl}/ui/jobs/${ledgerJob}`))?.status()).toBe(404);
    await dave.goto(`${publicUrl}/ui/jobs`);
    await expect(dave.getByText("No jobs here that you can see.").count()).resolves.toBe(1);
    await dave.screenshot({ path: join(OUT, "no-access-list.png"), fullPage: true });
  }, 120_000);

  it("keeps the journal small and free of secrets: bytes per model turn", async () => {
    const db = new Database(join(data.dir, "jobs.sqlite"), { readonly: true });
    try {
      const rows = db.prepare("SELECT data FROM job_events").all() as { data: string }[];
      const turns = rows.filter((r) => r.data.includes('"kind":"model_call"')).length;
      const bytes = rows.reduce((n, r) => n + Buffer.byteLength(r.data), 0);
      console.log(
        `[measure] journal: ${rows.length} entries, ${bytes} bytes, ${turns} model turns, ${Math.round(bytes / Math.max(1, turns))} bytes per turn`,
      );
      expect(turns).toBeGreaterThanOrEqual(3);
      const all = rows.map((r) => r.data).join("\n");
      expect(all).not.toContain(API_KEY);
      expect(all).not.toMatch(/ghs_[0-9a-f]{10}/);
      expect(all).not.toMatch(/ghu_[0-9a-f]{10}/);
    } finally {
      db.close();
    }
    expect(app.output()).not.toContain(API_KEY);
    expect(app.output()).not.toMatch(/ghu_[0-9a-f]{10}/);
    expect(existsSync(join(OUT, "job-page-running.png"))).toBe(true);
  });
});
