// A repository's verify.commands on a real module with a Makefile, in the real sandbox.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { DEFAULT_VERIFY_COMMANDS, defaultRepoConfig } from "../../src/repo/index.js";
import type { Verdict } from "../../src/verify/verdict.js";
import { verify } from "../../src/verify/verify.js";
import { verifyCommands } from "../../src/verify/verify-commands.js";
import { checkoutFixture, testToolchain } from "../golang/support.js";

const SECRET = "sentinel-verify-commands-7f3a";
let tc: GoToolchain;
const saved = process.env.ANTHROPIC_API_KEY;

beforeAll(async () => {
  process.env.ANTHROPIC_API_KEY = SECRET;
  tc = await testToolchain();
});
afterAll(() => {
  if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
  else process.env.ANTHROPIC_API_KEY = saved;
});

async function verifyWith(commands: string[][], timeoutMs?: number): Promise<Verdict> {
  const { dir, cleanup } = await checkoutFixture("go-verify-make");
  try {
    return await verify(tc, { dir, ...verifyCommands(commands), ...(timeoutMs ? { timeoutMs } : {}) });
  } finally {
    await cleanup();
  }
}

const rows = (v: Verdict) => v.checks.map((c) => [c.name, c.status, c.summary]);

describe("verifyCommands", () => {
  it("maps the default commands to the four built-in checks", () => {
    expect(verifyCommands(defaultRepoConfig().verify.commands)).toEqual({
      checks: ["gofmt", "vet", "build", "test"],
      extraChecks: [],
    });
    expect(verifyCommands(DEFAULT_VERIFY_COMMANDS).checks).toEqual(["gofmt", "vet", "build", "test"]);
  });

  it("runs make test as a check of its own, next to the built-ins listed", async () => {
    const v = await verifyWith([
      ["go", "vet", "./..."],
      ["make", "test"],
    ]);
    expect(rows(v)).toEqual([
      ["go vet", "pass", "no findings"],
      ["make test", "pass", "exit 0"],
    ]);
    expect(v.overall).toBe("pass");
    expect(v.summary).toBe("all 2 checks passed");
  });

  it("fails a command that exits non-zero, quoting its own last words", async () => {
    const v = await verifyWith([["make", "lint"]]);
    expect(rows(v)).toEqual([["make lint", "fail", "exit 2: lint: 2 problems in calc/calc.go"]]);
    expect(v.checks[0]?.details).toContain("Error 3");
    expect(v.overall).toBe("fail");
  });

  it("runs in the sandbox with the scrubbed environment, offline", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-make");
    try {
      const res = await tc.run("make", ["env"], { cwd: dir });
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toContain("GOPROXY=off\n");
      expect(res.stdout).toContain("GOTOOLCHAIN=local\n");
      expect(res.stdout).not.toContain(SECRET);
      expect(res.stdout).not.toContain("ANTHROPIC");
    } finally {
      await cleanup();
    }
  });

  it("fails a command that runs past the time limit", async () => {
    const v = await verifyWith([["make", "hang"]], 2000);
    expect(v.checks[0]).toMatchObject({ name: "make hang", status: "fail", timedOut: true });
  });

  it("treats files listed by a custom gofmt -l as a failure", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-make");
    try {
      writeFileSync(join(dir, "calc", "messy.go"), "package calc\nfunc  Messy( ) {}\n");
      const v = await verify(tc, { dir, ...verifyCommands([["gofmt", "-l", "-s", "."]]) });
      expect(rows(v)).toEqual([["gofmt -l -s .", "fail", "1 file needs gofmt"]]);
    } finally {
      await cleanup();
    }
  });

  it("refuses what is not a program on PATH, and never uses a shell", async () => {
    const v = await verifyWith([
      ["./scripts/check.sh"],
      ["no-such-program-7f3a", "x"],
      ["echo", "$HOME;", "rm", "-rf"],
    ]);
    expect(rows(v)).toEqual([
      [
        "./scripts/check.sh",
        "error",
        '"./scripts/check.sh" is not a program name: commands must be programs on PATH (e.g. make), run directly, never through a shell.',
      ],
      [
        "no-such-program-7f3a x",
        "error",
        expect.stringMatching(/^"no-such-program-7f3a" was not found on PATH/),
      ],
      // The words reach echo as they are: nothing expanded them or ran the rest.
      ["echo $HOME; rm -rf", "pass", "exit 0"],
    ]);
  });
});
