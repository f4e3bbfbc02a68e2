// Module download times of the dependency families (test/fixtures/deps/<family>, laid over
// the stdlib-only base module), cold (an empty module cache) and warm (the same cache again),
// through the bot's own toolchain: the sandbox, the scrubbed environment, GOPROXY as
// configured. Two numbers per step:
//   go mod tidy      what the agent runs: resolve the new imports, download, write go.sum;
//   go mod download  what verify runs first, with go.mod and go.sum as committed.
// Run after a build:  npm run build && node bench/go-deps.js [family …]
import { cpSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGoToolchain } from "../dist/golang/go-toolchain.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures", "deps");

async function scratch(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

function checkoutOf(family, into) {
  cpSync(join(FIXTURES, "base"), into, { recursive: true });
  cpSync(join(FIXTURES, family), into, { recursive: true });
  return into;
}

function bytesUnder(dir) {
  let n = 0;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.endsWith(".zip")) n += st.size;
    }
  };
  try {
    walk(dir);
  } catch {
    // no downloads
  }
  return n;
}

async function go(tc, args, cwd) {
  const res = await tc.go(args, { cwd, network: true, timeoutMs: 5 * 60_000 });
  if (res.exitCode !== 0) throw new Error(`go ${args.join(" ")} failed in ${cwd}:\n${res.stderr}`);
  return res.durationMs;
}

async function measure(family) {
  const work = await scratch(`bga-bench-deps-${family}-`);
  const tidyData = await scratch("bga-bench-data-");
  const downloadData = await scratch("bga-bench-data-");
  try {
    const tidyTc = await createGoToolchain({ dataDir: tidyData.dir, goflags: "-modcacherw" });
    const first = checkoutOf(family, join(work.dir, "first"));
    const tidyCold = await go(tidyTc, ["mod", "tidy"], first);
    const tidyWarm = await go(tidyTc, ["mod", "tidy"], checkoutOf(family, join(work.dir, "second")));

    // As verify sees a committed change: go.mod and go.sum given, a cache that never saw them.
    const downloadTc = await createGoToolchain({ dataDir: downloadData.dir, goflags: "-modcacherw" });
    const third = checkoutOf(family, join(work.dir, "third"));
    cpSync(join(first, "go.mod"), join(third, "go.mod"));
    cpSync(join(first, "go.sum"), join(third, "go.sum"));
    const downloadCold = await go(downloadTc, ["mod", "download"], third);
    const downloadWarm = await go(downloadTc, ["mod", "download"], third);
    const sums = readFileSync(join(first, "go.sum"), "utf8").split("\n");
    const modules = sums.filter((l) => l && !l.includes("/go.mod ")).length;
    const mib = bytesUnder(downloadTc.caches.gomodcache) / 1024 / 1024;
    return {
      family,
      modules,
      mib,
      tidyCold,
      tidyWarm,
      downloadCold,
      downloadWarm,
      isolation: tidyTc.isolation,
    };
  } finally {
    await Promise.all([work.cleanup(), tidyData.cleanup(), downloadData.cleanup()]);
  }
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

const wanted = process.argv.slice(2);
const families = readdirSync(FIXTURES)
  .filter((f) => f !== "base" && statSync(join(FIXTURES, f)).isDirectory())
  .filter((f) => wanted.length === 0 || wanted.includes(f));
const rows = [];
for (const family of families) rows.push(await measure(family));

console.log(`Module downloads per family (GOPROXY as configured; ${rows[0]?.isolation ?? "?"} runs)\n`);
console.log("| family | modules | zips | go mod tidy cold | warm | go mod download cold | warm |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.family} | ${r.modules} | ${r.mib.toFixed(1)} MiB | ${s(r.tidyCold)} | ${s(r.tidyWarm)} | ${s(r.downloadCold)} | ${s(r.downloadWarm)} |`,
  );
}
