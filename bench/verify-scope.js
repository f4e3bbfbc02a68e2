// `node bench/verify-scope.js` (after `npm run build`): verification of a one-file change with
// verify.scope affected vs all, each as a ratio to `go test` of only the changed package (the
// least a careful engineer would run; goal ≤ 1.5 for affected). Two modules: the generated
// 2,000-file module (generate-repo.js) and test/fixtures/ledgerkit (several packages, real
// third-party modules). Warm caches (one untimed run first), median of the rounds. Appends
// its section to bench/results.md.
// Then the corpus (../shared/corpus or CORPUS_DIR; VERIFY_SCOPE_CORPUS=all|n smallest|names,
// default the 2 smallest; 0 skips it): the one-file change of `npm run corpus` verified by the
// bot (verifyChange: scope, every check, the base comparison) cold and warm, against the same
// checks run raw on the same affected packages — gofmt, go vet, go build, go test and
// golangci-lint as the verdict runs them, by hand, plain child processes, warm. The ratio is
// the bot's own overhead (goal ≤ 1.2).
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGoToolchain } from "../dist/golang/go-toolchain.js";
import { prepareModules } from "../dist/verify/prepare-modules.js";
import { affectedScope } from "../dist/verify/scope.js";
import { verify } from "../dist/verify/verify.js";
import { packages, writeRepository } from "./generate-repo.js";
import { writeSection } from "./results-section.js";
import { REPO_ROOT } from "./stand-in.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn) {
  const t = Date.now();
  const value = await fn();
  return { ms: Date.now() - t, value };
}

async function measure(name, dir, file, pkg, toolchain) {
  await prepareModules(toolchain, dir);
  const path = join(dir, file);
  const original = await readFile(path, "utf8");
  await writeFile(path, `${original}\n// BenchTouch is the bench's one-line change.\nconst BenchTouch = 1\n`);
  const changed = [file];
  const affected = async () => {
    const scope = await affectedScope(toolchain, dir, [path]);
    const v = await verify(toolchain, {
      dir,
      changedFiles: changed,
      ...(scope.packages ? { packages: scope.packages } : {}),
    });
    return { scope, v };
  };
  const all = () => verify(toolchain, { dir, changedFiles: changed });
  const single = () => toolchain.go(["test", `./${pkg}`], { cwd: dir, timeoutMs: 600_000 });
  await single();
  await affected();
  await all();
  const t = { affected: [], all: [], single: [] };
  let scope;
  for (let i = 0; i < ROUNDS; i++) {
    t.single.push((await timed(single)).ms);
    const a = await timed(affected);
    scope = a.value.scope;
    t.affected.push(a.ms);
    t.all.push((await timed(all)).ms);
  }
  const m = { single: median(t.single), affected: median(t.affected), all: median(t.all) };
  return { name, pkg, scope, ...m };
}

async function main() {
  const tmp = await mkdtemp(join(tmpdir(), "bga-bench-scope-"));
  try {
    const toolchain = await createGoToolchain({ dataDir: join(tmp, "data"), goflags: "-modcacherw" });
    const gen = join(tmp, "generated");
    await writeRepository(gen, 20261123);
    const leaf = packages().at(-1);
    const { readdir } = await import("node:fs/promises");
    const leafFile = (await readdir(join(gen, leaf.dir))).find(
      (f) => f.endsWith(".go") && !f.endsWith("_test.go"),
    );
    const kit = join(tmp, "ledgerkit");
    await cp(join(REPO_ROOT, "test", "fixtures", "ledgerkit"), kit, { recursive: true });
    const rows = [
      await measure("generated (2,000 files)", gen, `${leaf.dir}/${leafFile}`, leaf.dir, toolchain),
      await measure("ledgerkit (real modules)", kit, "money/money.go", "money", toolchain),
    ];
    const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
    const lines = [
      "",
      "## Verify scope (one-file change, warm caches)",
      "",
      `Measured ${new Date().toISOString().slice(0, 16)}Z with \`node bench/verify-scope.js\`, median of ${ROUNDS}. Verification is gofmt, vet, build and test.`,
      "",
      "| module | changed package | scope | go test of the package | verify affected | ÷ | verify all | ÷ |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.pkg} | ${r.scope.tested} of ${r.scope.total} | ${s(r.single)} | ${s(r.affected)} | ${(r.affected / r.single).toFixed(2)} | ${s(r.all)} | ${(r.all / r.single).toFixed(2)} |`,
      ),
      "",
    ];
    process.stdout.write(lines.join("\n"));
    if (!process.argv.includes("--no-write"))
      await writeSection(join(REPO_ROOT, "bench", "results.md"), "verify-scope", lines.join("\n"));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// --corpus-only: just the corpus section.
if (!process.argv.includes("--corpus-only")) await main();
if (process.env.VERIFY_SCOPE_CORPUS !== "0") await corpusOverhead();

/** The verdict vs the same checks by hand, on the corpus projects. */
async function corpusOverhead() {
  const { execFile } = await import("node:child_process");
  const { existsSync, mkdirSync } = await import("node:fs");
  const { relative, resolve } = await import("node:path");
  const { corpusBundles, changeFor } = await import("./corpus-change.js");
  const { verifyChange } = await import("../dist/verify/verify-change.js");
  const { modulesOfChange, describeModule } = await import("../dist/verify/go-modules.js");
  const { golangciConfig, golangciLintCheck, touchedPackages } = await import(
    "../dist/verify/golangci-lint.js"
  );
  const { lintConfig } = await import("../dist/verify/golangci-config.js");
  const { goInstallationOf } = await import("../dist/golang/tool-sandbox.js");
  const { GOLANGCI_LINT } = await import("../dist/golang/tool-versions.js");
  const { installedTool } = await import("../dist/golang/install-go-tools.js");
  const corpusDir = resolve(REPO_ROOT, process.env.CORPUS_DIR ?? "../shared/corpus");
  if (!existsSync(corpusDir)) return;
  const pick = process.env.VERIFY_SCOPE_CORPUS ?? "2";
  const list = /^\d+$/.test(pick)
    ? corpusBundles(corpusDir, { smallest: Number(pick) })
    : pick === "all"
      ? corpusBundles(corpusDir)
      : corpusBundles(corpusDir, { only: pick });
  const lintTool = installedTool(
    GOLANGCI_LINT,
    process.env.GO_TOOLS_DIR || join(tmpdir(), "backend-go-agent-go-tools"),
  );
  const sh = (cmd, args, opts) =>
    new Promise((done) => {
      execFile(cmd, args, { maxBuffer: 256 << 20, ...opts }, (err) => done(err?.code ?? 0));
    });
  const gitEnv = { PATH: process.env.PATH, HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: "1" };
  const rows = [];
  for (const b of list) {
    const tmp = await mkdtemp(join(tmpdir(), "bga-bench-corpus-"));
    try {
      const source = join(tmp, "src");
      await sh("git", ["clone", "-q", "--branch", "main", b.path, source], { env: gitEnv });
      const base = await new Promise((done) =>
        execFile("git", ["-C", source, "rev-parse", "HEAD"], { env: gitEnv }, (_e, out) => done(out.trim())),
      );
      const change = await changeFor(source);
      for (const [path, content] of Object.entries(change.files)) {
        mkdirSync(join(source, path, ".."), { recursive: true });
        await writeFile(join(source, path), content);
      }
      const changed = Object.keys(change.files);
      const toolchain = await createGoToolchain({ dataDir: join(tmp, "data"), goflags: "-modcacherw" });
      const go = goInstallationOf(toolchain);
      const extraChecks =
        lintTool && go
          ? [
              golangciLintCheck({
                go,
                golangciLint: async () => ({ ok: true, tool: lintTool }),
                mode: "auto",
                cacheDir: join(tmp, "data", "golangci-lint"),
              }),
            ]
          : [];
      const run = () => verifyChange({ toolchain, root: source, baseSha: base, changed, extraChecks });
      const cold = await timed(run);
      const warmRuns = [];
      let verdict = cold.value;
      for (let i = 0; i < ROUNDS; i++) {
        const w = await timed(run);
        warmRuns.push(w.ms);
        verdict = w.value;
      }
      // The same checks by hand, on the same packages, in the same caches: plain processes, no sandbox.
      const caches = toolchain.caches;
      const env = {
        PATH: `${toolchain.goroot}/bin:/usr/local/bin:/usr/bin:/bin`,
        HOME: tmp,
        GOMODCACHE: caches.gomodcache,
        GOCACHE: caches.gocache,
        GOPATH: caches.gopath,
        GOPROXY: "off",
        GOTOOLCHAIN: "local",
        GOFLAGS: "-modcacherw",
        CGO_ENABLED: "0",
        GOLANGCI_LINT_CACHE: join(tmp, "data", "golangci-lint"),
      };
      const raw = async () => {
        for (const [dir, files] of modulesOfChange(source, changed)) {
          const mod = describeModule(source, dir);
          const flags = mod.vendored ? ["-mod=vendor"] : [];
          const e = { ...env, ...(mod.outsideWorkspace ? { GOWORK: "off" } : {}) };
          const scope = await affectedScope(toolchain, dir, files, { root: source });
          const pkgs = scope.packages ?? ["./..."];
          const build = scope.packages ? (scope.buildable ?? pkgs) : ["./..."];
          const goFiles = files.filter((f) => f.endsWith(".go"));
          await sh("gofmt", ["-l", ...goFiles], { cwd: dir, env: e });
          await sh("go", ["vet", ...flags, ...pkgs], { cwd: dir, env: e });
          if (build.length)
            await sh("go", ["build", ...flags, "-o", "/dev/null", ...build], { cwd: dir, env: e });
          await sh("go", ["test", ...flags, "-json", ...pkgs], { cwd: dir, env: e });
          const config = golangciConfig(dir, source);
          if (lintTool && go && config) {
            const cfg = await lintConfig(config, go, lintTool.path);
            if (cfg.kind !== "unusable") {
              await sh(
                lintTool.path,
                [
                  "run",
                  "--output.json.path=stdout",
                  ...(cfg.path ? [`--config=${cfg.path}`] : []),
                  "--",
                  ...touchedPackages(dir, files),
                ],
                { cwd: dir, env: e },
              );
              if (cfg.kind === "migrated") await cfg.cleanup();
            }
          }
        }
      };
      await raw();
      const rawRuns = [];
      for (let i = 0; i < ROUNDS; i++) rawRuns.push((await timed(raw)).ms);
      rows.push({
        name: b.name,
        overall: verdict?.overall,
        rows: verdict?.checks.length ?? 0,
        pre: verdict?.baseline?.preexisting.reduce((n, p) => n + p.findings.length, 0) ?? 0,
        cold: cold.ms,
        warm: median(warmRuns),
        raw: median(rawRuns),
        where: relative(source, [...modulesOfChange(source, changed).keys()][0] ?? source) || ".",
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    "",
    "## Verify on the corpus (one new leaf package; the verdict vs the same checks by hand)",
    "",
    `Measured ${new Date().toISOString().slice(0, 16)}Z with \`node bench/verify-scope.js\` (VERIFY_SCOPE_CORPUS=${pick}), warm = median of ${ROUNDS}. Raw: gofmt, go vet, go build, go test -json and golangci-lint on the same affected packages, plain processes, same warm caches. Goal: verdict ÷ raw ≤ 1.2.`,
    "",
    "| project | module | verdict | rows | pre-existing | verify cold | verify warm | raw warm | ÷ |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.where} | ${r.overall} | ${r.rows} | ${r.pre} | ${s(r.cold)} | ${s(r.warm)} | ${s(r.raw)} | ${(r.warm / r.raw).toFixed(2)} |`,
    ),
    "",
  ];
  process.stdout.write(lines.join("\n"));
  if (!process.argv.includes("--no-write"))
    await writeSection(join(REPO_ROOT, "bench", "results.md"), "verify-corpus", lines.join("\n"));
}
