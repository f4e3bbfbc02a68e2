// Tests that run the built app (node dist/main.js, dist/cli.js, the queue workers) must not
// run yesterday's build. `npm test` builds first; a lone `jest` run builds here when any
// src/*.ts is newer than its dist/*.js (or has none), and fails, saying so, if that build fails.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The first source file whose build output is missing or older than it, if any. */
export function staleSource(root) {
  const src = join(root, "src");
  for (const file of sources(src)) {
    const out = join(root, "dist", relative(src, file)).replace(/\.ts$/, ".js");
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(file).mtimeMs) return relative(root, file);
  }
  return undefined;
}

export function ensureBuilt(root) {
  const stale = staleSource(root);
  if (!stale) return;
  console.log(`\ndist/ is older than ${stale}: building (npm run build) before the tests run it`);
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: root,
    encoding: "utf8",
  });
  if (build.status !== 0) {
    throw new Error(
      `dist/ is stale (${stale} is newer) and \`npm run build\` failed, so the tests that run dist/ would test old code:\n${build.stdout}${build.stderr}`,
    );
  }
  const still = staleSource(root);
  if (still) throw new Error(`dist/ is still older than ${still} after npm run build`);
}
