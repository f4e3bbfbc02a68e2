// `node bench/verify-scope.js` (after `npm run build`): verification of a one-file change with
// verify.scope affected vs all, each as a ratio to `go test` of only the changed package (the
// least a careful engineer would run; goal ≤ 1.5 for affected). Two modules: the generated
// 2,000-file module (generate-repo.js) and test/fixtures/ledgerkit (several packages, real
// third-party modules). Warm caches (one untimed run first), median of the rounds. Appends
// its section to bench/results.md.
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGoToolchain } from "../dist/golang/go-toolchain.js";
import { prepareModules } from "../dist/verify/prepare-modules.js";
import { affectedScope } from "../dist/verify/scope.js";
import { verify } from "../dist/verify/verify.js";
import { packages, writeRepository } from "./generate-repo.js";
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
      await appendFile(join(REPO_ROOT, "bench", "results.md"), lines.join("\n"));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
