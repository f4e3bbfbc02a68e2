// The GitHub stand-in of the test suite (test/support/github-server.ts: REST API plus real
// git http-backend on one loopback port), for the benchmarks. The stand-in is TypeScript;
// rather than keep a second copy of it in JavaScript, which would drift, its files are
// transpiled once per run with @swc/core (already a dependency: types are stripped, nothing
// else changes) into a temporary directory and imported from there. The benchmarks then
// measure the app against exactly the stand-in its end-to-end tests use.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { transformFile } from "@swc/core";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SUPPORT = join(REPO_ROOT, "test", "support");

/** Transpiles test/support/*.ts; returns the modules the benchmarks use and a cleanup. */
export async function loadStandIn() {
  const out = await mkdtemp(join(tmpdir(), "bga-bench-support-"));
  const names = (await readdir(SUPPORT)).filter((n) => n.endsWith(".ts") && !n.endsWith(".d.ts"));
  for (const name of names) {
    const { code } = await transformFile(join(SUPPORT, name), {
      jsc: { parser: { syntax: "typescript" }, target: "es2022" },
      module: { type: "es6" },
      sourceMaps: false,
    });
    await writeFile(join(out, name.replace(/\.ts$/, ".js")), code);
  }
  const load = (name) => import(pathToFileURL(join(out, name)).href);
  const [server, webhooks] = await Promise.all([load("github-server.js"), load("github-webhooks.js")]);
  return {
    startGitHubServer: server.startGitHubServer,
    issuesLabeled: webhooks.issuesLabeled,
    signPayload: webhooks.signPayload,
    cleanup: () => rm(out, { recursive: true, force: true }),
  };
}
