// `npm start` as a newcomer meets it: with no credentials it serves Probot's setup page on
// localhost; with a half-made configuration it refuses to start and says why.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { TEST_GO_TOOLS_DIR } from "../golang/go-tools-support.js";
import { REPO_ROOT } from "../support/model-checkout.js";
import { freePort, waitFor } from "./harness.js";

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function start(env: Record<string, string>, args: string[] = []) {
  const cwd = await mkdtemp(join(tmpdir(), "bga-start-"));
  dirs.push(cwd);
  const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "main.js"), ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: cwd,
      DATA_DIR: join(cwd, "data"),
      GO_TOOLS_DIR: TEST_GO_TOOLS_DIR,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    output += d.toString();
  });
  return { child, output: () => output };
}

describe("starting the app", () => {
  it("serves Probot's GitHub App setup page on localhost when it has no credentials", async () => {
    const port = await freePort();
    await start({ PORT: String(port) });
    const page = await waitFor(
      "the setup page",
      async () => {
        try {
          const res = await fetch(`http://localhost:${port}/probot`);
          return res.ok ? await res.text() : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
    );
    expect(page).toContain("Register GitHub App");
    // The form posts the manifest from app.yml, with the permissions it asks for.
    expect(page).toContain("manifest");
  });

  it("refuses to start when APP_ID is set but WEBHOOK_SECRET is empty", async () => {
    const { child, output } = await start({ APP_ID: "1", PRIVATE_KEY: "x", WEBHOOK_SECRET: "" });
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(output()).toContain("WEBHOOK_SECRET");
    expect(output()).toContain('"development"');
  });

  it("refuses to start with an operator limit it cannot read, naming the variable", async () => {
    const { child, output } = await start({
      APP_ID: "1",
      PRIVATE_KEY: "x",
      WEBHOOK_SECRET: "s",
      MAX_JOB_COST_USD: "five",
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(output()).toContain('MAX_JOB_COST_USD must be a number above 0 and at most 100000, got "five".');
  });

  it("refuses a worker without the App's credentials", async () => {
    const { child, output } = await start({}, ["--worker"]);
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(output()).toMatch(/a worker needs APP_ID and PRIVATE_KEY/);
  });
});
