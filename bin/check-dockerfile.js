#!/usr/bin/env node
// Lints the Dockerfile where no Docker daemon runs (CI here has none), for the mistakes that
// otherwise show only when someone builds the image: a COPY of a file that moved, a base image
// off the supported Node or Go, `npm ci` against a lock file out of step with package.json (or
// a different install than CI's), a root user, no HEALTHCHECK, a runtime without what the
// verifier needs. bin/dockerfile-dry-run.js runs the build stage's steps for real.
//   node bin/check-dockerfile.js [--root dir] [--dockerfile file]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { copyPaths, parseDockerfile } from "./dockerfile.js";

/** The Node major the image runs (docs/runtime.md) and the Go the verifier uses. */
const NODE_MAJOR = "24";
const GO_MINOR = "1.26";
/** Debian packages the runtime needs: git for workspaces, bubblewrap for the sandbox, a C toolchain for cgo. */
const RUNTIME_PACKAGES = ["git", "ca-certificates", "bubblewrap", "gcc", "libc6-dev"];

function option(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const root = resolve(option("--root") ?? join(import.meta.dirname, ".."));
const dockerfile = resolve(option("--dockerfile") ?? join(root, "Dockerfile"));
const problems = [];
const at = (line, text) =>
  problems.push(`${relative(process.cwd(), dockerfile) || dockerfile}:${line}: ${text}`);

const stages = parseDockerfile(readFileSync(dockerfile, "utf8"));
if (stages.length === 0) at(1, "no FROM");

// Base images: tagged, never `latest`; Node on the supported LTS, Go on the verifier's minor.
for (const stage of stages) {
  const [repo = "", tag] = stage.image.split(":");
  const name = repo.split("/").at(-1);
  if (!tag || tag === "latest") at(stage.line, `FROM ${stage.image}: pin a tag`);
  else if (name === "node" && !new RegExp(`^${NODE_MAJOR}(\\.|-|$)`).test(tag))
    at(stage.line, `FROM ${stage.image}: the image runs Node ${NODE_MAJOR} (node:${NODE_MAJOR}-…)`);
  else if (name === "golang" && !tag.startsWith(GO_MINOR))
    at(stage.line, `FROM ${stage.image}: the verifier's Go is ${GO_MINOR} (golang:${GO_MINOR}-…)`);
}

// COPY/ADD sources from the build context exist and are not left out by .dockerignore;
// --from names an earlier stage.
const ignored = existsSync(join(root, ".dockerignore"))
  ? readFileSync(join(root, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim().replace(/^\/|\/$/g, ""))
      .filter((l) => l && !l.startsWith("#"))
  : [];
const wildcard = (pattern) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
function contextHas(source) {
  const path = source.replace(/^\.\/|\/$/g, "") || ".";
  if (!path.includes("*")) return existsSync(join(root, path));
  const dir = join(root, dirname(path));
  return existsSync(dir) && readdirSync(dir).some((f) => wildcard(basename(path)).test(f));
}
const stageNames = [];
for (const stage of stages) {
  for (const { keyword, args, flags, line } of stage.instructions) {
    if (keyword !== "COPY" && keyword !== "ADD") continue;
    const { sources } = copyPaths(args);
    if (flags.from) {
      if (!stageNames.includes(flags.from) && !flags.from.includes(":"))
        at(line, `${keyword} --from=${flags.from}: no earlier stage of that name`);
      continue;
    }
    for (const source of sources) {
      if (/^https?:/.test(source)) continue;
      if (!contextHas(source)) at(line, `${keyword} ${source}: not in the build context (${root})`);
      const first = source.replace(/^\.\//, "").split("/")[0] ?? "";
      if (ignored.some((p) => wildcard(p).test(first) || wildcard(p).test(source.replace(/^\.\/|\/$/g, ""))))
        at(line, `${keyword} ${source}: excluded by .dockerignore`);
    }
  }
  if (stage.name) stageNames.push(stage.name);
}

// One install answer: `npm ci` needs a lock file in step with package.json, and CI installs the
// same way, so an image build cannot fail on what CI accepted.
const runs = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === "RUN"));
const npmCi = runs.find((r) => /\bnpm\s+ci\b/.test(r.args));
const npmInstall = runs.find((r) => /\bnpm\s+(install|i)\b/.test(r.args));
if (npmCi) {
  const lockPath = join(root, "package-lock.json");
  if (!existsSync(lockPath)) at(npmCi.line, "npm ci without a package-lock.json");
  else {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const lock = JSON.parse(readFileSync(lockPath, "utf8"));
    const locked = lock.packages?.[""] ?? {};
    for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
      const want = JSON.stringify(Object.entries(pkg[field] ?? {}).sort());
      const have = JSON.stringify(Object.entries(locked[field] ?? {}).sort());
      if (want !== have)
        at(npmCi.line, `npm ci: package-lock.json's ${field} differ from package.json's (run npm install)`);
    }
  }
}
const ciRun = join(root, ".ci", "run");
if (existsSync(ciRun) && (npmCi || npmInstall)) {
  const ci = readFileSync(ciRun, "utf8")
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n");
  const ciUsesCi = /\bnpm\s+ci\b/.test(ci);
  if (npmCi && !ciUsesCi)
    at(npmCi.line, "npm ci here, but .ci/run installs another way: use one form in both");
  if (!npmCi && ciUsesCi)
    at(npmInstall?.line ?? 1, ".ci/run uses npm ci, the image does not: use one form in both");
}

// The runtime (last) stage: a non-root user, a HEALTHCHECK, a command, the packages the verifier needs.
const runtime = stages.at(-1);
if (runtime) {
  const last = (keyword) => runtime.instructions.filter((i) => i.keyword === keyword).at(-1);
  const user = last("USER");
  if (!user) at(runtime.line, "the runtime stage has no USER: it would run as root");
  else if (/^(root|0)(:|$)/.test(user.args)) at(user.line, `USER ${user.args}: run as a non-root user`);
  const health = last("HEALTHCHECK");
  if (!health || /^NONE\b/i.test(health.args)) at(runtime.line, "the runtime stage has no HEALTHCHECK");
  if (!last("CMD") && !last("ENTRYPOINT")) at(runtime.line, "the runtime stage has no CMD");
  const installs = runtime.instructions
    .filter((i) => i.keyword === "RUN" && /apt-get\s+install/.test(i.args))
    .map((i) => i.args.split(/\s+/));
  for (const pkg of RUNTIME_PACKAGES) {
    if (!installs.some((words) => words.includes(pkg)))
      at(runtime.line, `the runtime stage does not install ${pkg}`);
  }
}

if (problems.length > 0) {
  console.error(`check-dockerfile: ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `check-dockerfile: ${relative(process.cwd(), dockerfile) || dockerfile} is sound ` +
    `(${stages.length} stages, Node ${NODE_MAJOR}, Go ${GO_MINOR})`,
);
