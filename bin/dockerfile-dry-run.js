#!/usr/bin/env node
// Runs the Dockerfile's Node build where no Docker daemon does: the `build` stage's COPY and
// RUN steps in a scratch directory standing for its WORKDIR (same files, same npm ci, build,
// prune), then the runtime stage's files from it and the context, and starts the app there the
// way the image does (its CMD, its ENV) and asks its HEALTHCHECK command. What it cannot run
// here: apt-get, useradd and the Go stage (the CI machine has Go; bin/check-dockerfile.js
// checks those lines). Run it with Node 24 first on PATH (.ci/run does), as the image has.
//   node bin/dockerfile-dry-run.js [--root dir] [--keep]
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { copyPaths, parseDockerfile, stageEnv } from "./dockerfile.js";

const args = process.argv.slice(2);
const rootArg = args.indexOf("--root");
const root = resolve(rootArg >= 0 ? (args[rootArg + 1] ?? ".") : join(import.meta.dirname, ".."));
const keep = args.includes("--keep");

class DryRunError extends Error {
  name = "DryRunError";
}

const stages = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
const build = stages.find((s) => s.name === "build");
const runtime = stages.at(-1);
if (!build || !runtime || runtime === build)
  throw new DryRunError("expected a `build` stage and a runtime stage");

const scratch = mkdtempSync(join(tmpdir(), "bga-docker-dry-run-"));
const times = [];
async function step(label, fn) {
  const start = Date.now();
  console.log(`dry-run: ${label}`);
  await fn();
  times.push([label, (Date.now() - start) / 1000]);
}

/** Maps a path inside a stage (relative to WORKDIR, or under it) onto its scratch folder. */
function inStage(dir, workdir, path) {
  const rel = path.startsWith("/") ? path.slice(workdir.length).replace(/^\//, "") : path;
  if (path.startsWith("/") && !path.startsWith(workdir))
    throw new DryRunError(`${path} is outside ${workdir}`);
  return join(dir, rel);
}

/** Where COPY puts `source`: `COPY a b ./` into the folder, `COPY src ./src` at the name given. */
function copyTarget(dir, workdir, source, dest) {
  const target = dest.endsWith("/")
    ? join(inStage(dir, workdir, dest), source.split("/").at(-1) ?? "")
    : inStage(dir, workdir, dest);
  mkdirSync(dirname(target), { recursive: true });
  return target;
}

function copyInto(dir, workdir, fromDir, args) {
  const { sources, dest } = copyPaths(args);
  for (const source of sources) {
    const from = join(fromDir, source);
    if (!existsSync(from)) throw new DryRunError(`COPY ${source}: missing`);
    cpSync(from, copyTarget(dir, workdir, source, dest), { recursive: true });
  }
}

const buildDir = join(scratch, "build");
const runtimeDir = join(scratch, "runtime");
mkdirSync(buildDir);
mkdirSync(runtimeDir);
try {
  // The build stage: every COPY from the context and every RUN, in order.
  let workdir = "/";
  const buildEnv = { ...process.env, ...withoutPath(stageEnv(build)) };
  for (const { keyword, args: a, flags } of build.instructions) {
    if (keyword === "WORKDIR") workdir = a;
    else if (keyword === "COPY" && !flags.from) copyInto(buildDir, workdir, root, a);
    else if (keyword === "RUN")
      await step(`RUN ${a}`, () => {
        const r = spawnSync("sh", ["-c", a], { cwd: buildDir, env: buildEnv, stdio: "inherit" });
        if (r.status !== 0) throw new DryRunError(`RUN ${a}: exit ${r.status}`);
      });
  }

  // The runtime stage's files: from the build stage (moved: nothing reads it afterwards) and
  // the context; not the Go stage's.
  await step("the runtime stage's COPY steps", () => {
    let runtimeWorkdir = "/";
    for (const { keyword, args: a, flags } of runtime.instructions) {
      if (keyword === "WORKDIR") runtimeWorkdir = a;
      if (keyword !== "COPY") continue;
      if (flags.from === "build") {
        const { sources, dest } = copyPaths(a);
        for (const source of sources)
          renameSync(
            inStage(buildDir, workdir, source),
            copyTarget(runtimeDir, runtimeWorkdir, source, dest),
          );
      } else if (!flags.from) copyInto(runtimeDir, runtimeWorkdir, root, a);
    }
  });

  await step("production imports are installed", () => {
    const r = spawnSync(process.execPath, [join(root, "bin/check-prod-deps.js"), "--installed", runtimeDir], {
      stdio: "inherit",
    });
    if (r.status !== 0) throw new DryRunError("the runtime stage lacks a production import");
  });
  await step("the CLI loads (--help)", () => {
    const r = spawnSync(process.execPath, ["bin/backend-go-agent.js", "--help"], {
      cwd: runtimeDir,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new DryRunError(`backend-go-agent --help: exit ${r.status}\n${r.stderr}`);
  });
  await step("the app starts as the image's CMD and passes its HEALTHCHECK", () =>
    startAndCheck(runtime, runtimeDir),
  );
} finally {
  if (keep) console.log(`dry-run: kept ${scratch}`);
  else await step("clean up", () => rmSync(scratch, { recursive: true, force: true }));
}
for (const [label, seconds] of times) console.log(`dry-run: ${seconds.toFixed(1)} s  ${label}`);
console.log(`dry-run: the Dockerfile's Node build works on Node ${process.versions.node}`);

function withoutPath(env) {
  const { PATH: _path, ...rest } = env;
  return rest;
}

function exec(form) {
  const text = form.trim();
  if (text.startsWith("[")) return JSON.parse(text);
  return ["sh", "-c", text];
}

async function startAndCheck(stage, cwd) {
  const port = await freePort();
  const dataDir = join(scratch, "data");
  mkdirSync(dataDir);
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const env = {
    ...withoutPath(stageEnv(stage)),
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: scratch,
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    // A made-up App: enough to start the server and its queue; nothing here calls GitHub.
    APP_ID: "1",
    PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    WEBHOOK_SECRET: "dry-run",
    ANTHROPIC_API_KEY: "dry-run",
    GO_TOOLS_INSTALL: "off",
  };
  const cmd = stage.instructions.filter((i) => i.keyword === "CMD").at(-1);
  const health = stage.instructions.filter((i) => i.keyword === "HEALTHCHECK").at(-1);
  if (!cmd || !health) throw new DryRunError("the runtime stage needs a CMD and a HEALTHCHECK");
  const healthCmd = health.args.replace(/^.*?\bCMD\s+/, "");
  const [command = "", ...commandArgs] = exec(cmd.args);
  const app = spawn(command, commandArgs, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  app.stdout.on("data", (d) => {
    output += d;
  });
  app.stderr.on("data", (d) => {
    output += d;
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (app.exitCode !== null) throw new DryRunError(`the app exited (${app.exitCode}):\n${output}`);
      const [hc, ...hcArgs] = exec(healthCmd);
      if (spawnSync(hc ?? "sh", hcArgs, { cwd, env }).status === 0) return;
      if (Date.now() > deadline) throw new DryRunError(`the HEALTHCHECK did not pass in 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    app.kill("SIGTERM");
    await new Promise((r) => (app.exitCode !== null ? r() : app.once("exit", r)));
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}
