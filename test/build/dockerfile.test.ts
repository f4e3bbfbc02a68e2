// bin/check-dockerfile.js, the Dockerfile's check where no Docker daemon runs: the repository's
// Dockerfile passes, and each mistake it exists for (a moved COPY source, the wrong Node or Go,
// root, no HEALTHCHECK, no C compiler, a lock file or CI install out of step) fails, naming it.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "@jest/globals";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHECK = join(REPO_ROOT, "bin", "check-dockerfile.js");
const DOCKERFILE = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "bga-dockerfile-test-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function check(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CHECK, ...args], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

let n = 0;
/** The lint of a variant of the repository's Dockerfile, against the repository as context. */
function checkVariant(edit: (text: string) => string): { status: number | null; out: string } {
  const edited = edit(DOCKERFILE);
  expect(edited).not.toBe(DOCKERFILE); // the edit found what it changes
  const file = join(scratch, `Dockerfile.${n++}`);
  writeFileSync(file, edited);
  return check(["--root", REPO_ROOT, "--dockerfile", file]);
}

/** A build context that is the repository except for the files given. */
function contextWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, "context-"));
  for (const name of [
    "src",
    "bin",
    "agents",
    "app.yml",
    "tsconfig.json",
    "tsconfig.build.json",
    "Dockerfile",
  ])
    symlinkSync(join(REPO_ROOT, name), join(dir, name));
  const originals = ["package.json", "package-lock.json", ".dockerignore"];
  for (const name of originals) writeFileSync(join(dir, name), readFileSync(join(REPO_ROOT, name)));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("check-dockerfile", () => {
  it("passes the repository's Dockerfile: Node 24, Go 1.26", () => {
    const { status, out } = check([]);
    expect(out).toContain("is sound");
    expect(out).toContain("Node 24");
    expect(status).toBe(0);
  });

  it("refuses a Node image other than 24 and a Go image other than 1.26", () => {
    const node = checkVariant((t) => t.replace("FROM node:24-bookworm-slim", "FROM node:20-bookworm-slim"));
    expect(node.status).toBe(1);
    expect(node.out).toMatch(/FROM node:20-bookworm-slim: the image runs Node 24/);
    const go = checkVariant((t) => t.replace("FROM golang:1.26-bookworm", "FROM golang:1.25-bookworm"));
    expect(go.status).toBe(1);
    expect(go.out).toMatch(/golang:1.25-bookworm: the verifier's Go is 1.26/);
    const untagged = checkVariant((t) => t.replace("FROM golang:1.26-bookworm", "FROM golang"));
    expect(untagged.out).toMatch(/FROM golang: pin a tag/);
  });

  it("names a COPY source that is not in the repository, with its line", () => {
    const { status, out } = checkVariant((t) =>
      t.replace("COPY tsconfig.json tsconfig.build.json ./", "COPY tsconfig.json tsconfig.gone.json ./"),
    );
    expect(status).toBe(1);
    expect(out).toMatch(/Dockerfile\.\d+:\d+: COPY tsconfig\.gone\.json: not in the build context/);
  });

  it("names a COPY source that .dockerignore leaves out", () => {
    const dir = contextWith({ ".dockerignore": "node_modules\nagents\n" });
    const { status, out } = check(["--root", dir]);
    expect(status).toBe(1);
    expect(out).toContain("COPY agents: excluded by .dockerignore");
  });

  it("refuses a runtime that runs as root, has no HEALTHCHECK, or lacks the C compiler cgo needs", () => {
    const root = checkVariant((t) => t.replace(/^USER app$/m, "USER root"));
    expect(root.out).toContain("USER root: run as a non-root user");
    const noUser = checkVariant((t) => t.replace(/^USER app\n/m, ""));
    expect(noUser.out).toContain("has no USER");
    const noHealth = checkVariant((t) => t.replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, ""));
    expect(noHealth.out).toContain("has no HEALTHCHECK");
    const noGcc = checkVariant((t) => t.replace(" gcc libc6-dev", ""));
    expect(noGcc.out).toContain("does not install gcc");
    expect(noGcc.out).toContain("does not install libc6-dev");
    for (const r of [root, noUser, noHealth, noGcc]) expect(r.status).toBe(1);
  });

  it("refuses npm ci with a lock file out of step with package.json", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    pkg.dependencies["left-pad"] = "^1.3.0";
    const dir = contextWith({ "package.json": JSON.stringify(pkg), ".ci/run": "npm ci\n" });
    const { status, out } = check(["--root", dir]);
    expect(status).toBe(1);
    expect(out).toContain("package-lock.json's dependencies differ from package.json's");
  });

  it("refuses an image that installs otherwise than CI", () => {
    const dir = contextWith({ ".ci/run": "# not npm ci: a comment does not count\nnpm install --no-fund\n" });
    const { status, out } = check(["--root", dir]);
    expect(status).toBe(1);
    expect(out).toContain("npm ci here, but .ci/run installs another way");
    const same = check(["--root", contextWith({ ".ci/run": "npm ci --no-fund --no-audit\n" })]);
    expect(same.out).toContain("is sound");
    expect(same.status).toBe(0);
  });
});
