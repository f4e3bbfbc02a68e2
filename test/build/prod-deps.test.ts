// bin/check-prod-deps.js: built code that imports a package production will not have (a
// devDependency, or one missing from package.json) is named before an image is built;
// builtins, relative imports and listed dependencies pass; --installed finds what a prune removed.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "@jest/globals";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHECK = join(REPO_ROOT, "bin", "check-prod-deps.js");
const scratch = mkdtempSync(join(tmpdir(), "bga-prod-deps-test-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, "project-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function check(dir: string, ...flags: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CHECK, ...flags, dir], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

const PACKAGE = JSON.stringify({
  dependencies: { probot: "^14.0.0", "@scope/lib": "^1.0.0" },
  devDependencies: { "@swc/core": "^1.0.0" },
  bin: { tool: "bin/tool.js" },
});
const CLEAN = [
  'import { readFile } from "node:fs/promises";',
  'import path from "path";',
  'import { run } from "probot";',
  'export { thing } from "@scope/lib/sub/path.js";',
  'import "./side-effect.js";',
  "const later = () => import('probot');",
].join("\n");

describe("check-prod-deps", () => {
  it("passes code that imports only builtins, relative files and dependencies", () => {
    const dir = project({
      "package.json": PACKAGE,
      "dist/main.js": CLEAN,
      "bin/tool.js": 'import "../dist/main.js";',
    });
    const { status, out } = check(dir);
    expect(out).toContain("2 files import 2 packages, all in dependencies");
    expect(status).toBe(0);
  });

  it("names a devDependency and an unlisted package, static, multi-line or dynamic, in dist/ and bin", () => {
    const dir = project({
      "package.json": PACKAGE,
      "dist/main.js": CLEAN,
      "dist/jobs/compile.js": 'import {\n  transform,\n} from "@swc/core";\n',
      "dist/lazy.js": 'export async function f() { return import("left-pad"); }\n',
      "bin/tool.js": 'import yaml from "js-yaml";\n',
    });
    const { status, out } = check(dir);
    expect(status).toBe(1);
    expect(out).toContain('dist/jobs/compile.js imports "@swc/core": @swc/core is only a devDependency');
    expect(out).toContain('dist/lazy.js imports "left-pad": left-pad is not in package.json');
    expect(out).toContain('bin/tool.js imports "js-yaml": js-yaml is not in package.json');
    expect(out).not.toMatch(/probot|@scope\/lib|node:fs|"path"/);
  });

  it("with --installed, names a dependency that is not installed where Node looks", () => {
    const files = { "package.json": PACKAGE, "dist/main.js": CLEAN, "bin/tool.js": "" };
    const missing = check(project(files), "--installed");
    expect(missing.status).toBe(1);
    expect(missing.out).toContain('dist/main.js imports "probot": probot is not installed');
    const installed = project({
      ...files,
      "node_modules/probot/package.json": "{}",
      "node_modules/@scope/lib/package.json": "{}",
    });
    const ok = check(installed, "--installed");
    expect(ok.out).toContain("all in dependencies and installed");
    expect(ok.status).toBe(0);
  });

  it("says to build first when there is no dist/", () => {
    const { status, out } = check(project({ "package.json": PACKAGE }));
    expect(status).toBe(2);
    expect(out).toContain("run `npm run build` first");
  });
});
