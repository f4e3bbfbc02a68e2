// gopls and golangci-lint on the generated 2,000-file module (generate-repo.js): what the
// agent's first go_* call and the lint check cost in time, and what gopls costs in memory.
//   gopls start:        spawn in the sandbox + MCP initialize (cold: empty gopls file cache)
//   first answer:       the first go_package_api call, which waits for the workspace load
//   warm call:          a go_symbol_references call after that
//   memory:             VmRSS / VmHWM of gopls's process tree (bwrap + gopls) after the calls
//   lint cold / warm:   golangci-lint on one touched package, then on ./..., with an empty
//                       analysis cache (cold) and again (warm); Go's build cache is fresh too
// Runs on its own (`node bench/go-tools.js` after `npm run build`), writing its section of
// bench/results.md, or from run.js.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MODULE, packages, writeRepository } from "./generate-repo.js";
import { withSection } from "./results-section.js";
import { REPO_ROOT } from "./stand-in.js";
import { fmtMs } from "./stats.js";

const dist = (p) => import(pathToFileURL(join(REPO_ROOT, "dist", p)).href);
const ms = (start) => performance.now() - start;
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** VmRSS summed and VmHWM summed over pid and its descendants, in MiB. */
function treeMemory(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  let rss = 0;
  let hwm = 0;
  const walk = (pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
      rss += kib("VmRSS") / 1024;
      hwm += kib("VmHWM") / 1024;
    } catch {
      // gone
    }
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return { rss, hwm };
}

export async function measureGoTools({ log = () => {} } = {}) {
  const { createGoToolchain } = await dist("golang/go-toolchain.js");
  const { createGoplsSession } = await dist("golang/gopls-session.js");
  const { ensureGoTool, goToolsSettings } = await dist("golang/install-go-tools.js");
  const { GOPLS, GOLANGCI_LINT } = await dist("golang/tool-versions.js");
  const { goInstallationOf } = await dist("golang/tool-sandbox.js");
  const { golangciLintCheck } = await dist("verify/golangci-lint.js");

  const loadBefore = loadavg();
  const tmp = await mkdtemp(join(tmpdir(), "bga-bench-tools-"));
  try {
    const repo = join(tmp, "fleet");
    const stats = await writeRepository(repo);
    const toolchain = await createGoToolchain({ dataDir: join(tmp, "data") });
    const go = goInstallationOf(toolchain);
    const settings = goToolsSettings(
      {
        ...process.env,
        GO_TOOLS_DIR: process.env.GO_TOOLS_DIR || join(tmpdir(), "backend-go-agent-go-tools"),
      },
      join(tmp, "data"),
    );
    log(`installing (or finding) ${GOPLS.install} and ${GOLANGCI_LINT.install} in ${settings.dir}`);
    const installStart = performance.now();
    const [gopls, lint] = await Promise.all([
      ensureGoTool(GOPLS, settings),
      ensureGoTool(GOLANGCI_LINT, settings),
    ]);
    const installMs = ms(installStart);
    if (!gopls.ok || !lint.ok)
      throw new Error(`tools unavailable: ${gopls.reason ?? ""} ${lint.reason ?? ""}`);

    const pkgs = packages();
    const target = pkgs[0];
    const targetFile = join(
      repo,
      target.dir,
      readdirSync(join(repo, target.dir)).find((f) => f.endsWith(".go")),
    );
    const src = await readFile(targetFile, "utf8");
    const symbol = /^func ([A-Z]\w*)\(/m.exec(src)?.[1] ?? /^type ([A-Z]\w*) /m.exec(src)?.[1];

    const goplsRun = async (label, cacheDir) => {
      const session = createGoplsSession({ go, gopls: async () => gopls, root: repo, cacheDir });
      const t0 = performance.now();
      const problem = await session.start();
      if (problem) throw new Error(problem);
      const startMs = ms(t0);
      const t1 = performance.now();
      const api = await session.call("go_package_api", { packagePaths: [`${MODULE}/${target.dir}`] });
      const firstMs = ms(t1);
      const t2 = performance.now();
      const refs = await session.call("go_symbol_references", { file: targetFile, symbol });
      const warmMs = ms(t2);
      const t3 = performance.now();
      await session.call("go_diagnostics", {});
      const diagnosticsMs = ms(t3);
      const memory = treeMemory(session.pid);
      await session.close();
      if (api.isError || refs.isError)
        throw new Error(`gopls ${label}: ${api.text.slice(0, 300)} ${refs.text.slice(0, 300)}`);
      log(
        `gopls ${label}: start ${fmtMs(startMs)}, first answer ${fmtMs(firstMs)}, references ${fmtMs(warmMs)}, RSS ${memory.rss.toFixed(0)} MiB`,
      );
      return { startMs, firstMs, warmMs, diagnosticsMs, ...memory };
    };
    const goplsCache = join(tmp, "gopls-cache");
    log("gopls on the generated module, cold file cache");
    const goplsCold = await goplsRun("cold", goplsCache);
    log("gopls again, warm file cache (a second job)");
    const goplsWarm = await goplsRun("warm", goplsCache);

    const lintCache = join(tmp, "lint-cache");
    await writeFile(join(repo, ".golangci.yml"), 'version: "2"\nlinters:\n  default: standard\n');
    const lintRun = async (label, changedFiles) => {
      const check = golangciLintCheck({
        go,
        golangciLint: async () => lint,
        mode: "auto",
        cacheDir: lintCache,
      });
      const t0 = performance.now();
      const res = await check.run({ toolchain, dir: repo, root: repo, timeoutMs: 20 * 60_000, changedFiles });
      const took = ms(t0);
      if (res.status === "error") throw new Error(`lint ${label}: ${res.summary}\n${res.details}`);
      log(`golangci-lint ${label}: ${fmtMs(took)} (${res.summary})`);
      return { ms: took, summary: res.summary };
    };
    const onePackage = [targetFile];
    const lintResults = {
      packageCold: await lintRun("one package, cold", onePackage),
      packageWarm: await lintRun("one package, warm", onePackage),
      moduleCold: await lintRun("./..., after one package", undefined),
      moduleWarm: await lintRun("./..., warm", undefined),
    };
    return {
      date: new Date().toISOString(),
      load: `${loadBefore} before, ${loadavg()} after`,
      repo: stats,
      installMs,
      versions: { gopls: GOPLS.version, golangciLint: GOLANGCI_LINT.version },
      isolation: toolchain.isolation,
      goplsCold,
      goplsWarm,
      lint: lintResults,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export function renderGoTools(r) {
  const g = (x) =>
    `start ${fmtMs(x.startMs)}, first answer (go_package_api) ${fmtMs(x.firstMs)}, go_symbol_references ${fmtMs(x.warmMs)}, go_diagnostics (module) ${fmtMs(x.diagnosticsMs)}; RSS ${x.rss.toFixed(0)} MiB (peak ${x.hwm.toFixed(0)} MiB)`;
  return `## Go tools (gopls ${r.versions.gopls}, golangci-lint ${r.versions.golangciLint})

Measured by \`node bench/go-tools.js\` (also part of \`npm run bench\`) on ${r.date.slice(0, 10)}, load average ${r.load}.
On the generated module (${r.repo.goFiles} Go files, ${r.repo.packages} packages), runs ${r.isolation === "bubblewrap" ? "sandboxed with bubblewrap" : "not sandboxed"}, offline:

- gopls, cold file cache: ${g(r.goplsCold)}.
- gopls, warm file cache (the next job): ${g(r.goplsWarm)}.
- golangci-lint (\`default: standard\`), one touched package: cold ${fmtMs(r.lint.packageCold.ms)}, warm ${fmtMs(r.lint.packageWarm.ms)}; whole module (\`./...\`): ${fmtMs(r.lint.moduleCold.ms)} after the one package, warm ${fmtMs(r.lint.moduleWarm.ms)}.
  Cold means an empty analysis cache and a fresh Go build cache.
- Finding or installing both tools took ${fmtMs(r.installMs)} in this run (already installed: a stamp check).
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
  const result = await measureGoTools({ log });
  const file = join(REPO_ROOT, "bench", "results.md");
  const section = renderGoTools(result);
  await writeFile(file, withSection(await readFile(file, "utf8"), "go-tools", section));
  process.stdout.write(section);
}
