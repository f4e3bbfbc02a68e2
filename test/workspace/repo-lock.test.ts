import { spawn } from "node:child_process";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { withRepoLock } from "../../src/workspace/repo-lock.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "repo-lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const gone = (path: string) =>
  access(path).then(
    () => false,
    () => true,
  );

describe("withRepoLock", () => {
  it("never interleaves two holders of one key in this process", async () => {
    const key = join(dir, "ledger");
    const events: string[] = [];
    const job = (name: string) =>
      withRepoLock(key, async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setImmediate(resolve));
        events.push(`${name} out`);
      });
    await Promise.all([job("a"), job("b"), job("c")]);
    expect(events).toEqual(["a in", "a out", "b in", "b out", "c in", "c out"]);
    expect(await gone(`${key}.lock`)).toBe(true);
  });

  it("waits while another live process holds the lock file, and takes it once that process is gone", async () => {
    const key = join(dir, "ledger");
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    await writeFile(`${key}.lock`, JSON.stringify({ pid: holder.pid, host: hostname(), at: Date.now() }));
    let ran = false;
    const waiting = withRepoLock(
      key,
      async () => {
        ran = true;
      },
      { pollMs: 10 },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ran).toBe(false);
    const exited = new Promise((resolve) => holder.once("exit", resolve));
    holder.kill("SIGKILL");
    await exited;
    await waiting;
    expect(ran).toBe(true);
    expect(await gone(`${key}.lock`)).toBe(true);
  });

  it("takes over a lock file older than the stale limit or unreadable", async () => {
    const key = join(dir, "ledger");
    await writeFile(`${key}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), at: 0 }));
    await expect(withRepoLock(key, async () => "old lock taken")).resolves.toBe("old lock taken");
    await writeFile(`${key}.lock`, "garbage");
    await expect(withRepoLock(key, async () => "garbage taken")).resolves.toBe("garbage taken");
  });

  it("releases the lock when the holder throws", async () => {
    const key = join(dir, "ledger");
    await expect(
      withRepoLock(key, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await expect(withRepoLock(key, async () => "next")).resolves.toBe("next");
  });
});
