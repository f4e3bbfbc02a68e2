#!/usr/bin/env node
// Checks that what runs in production imports only production packages: every bare import in
// dist/**/*.js and in package.json's `bin` entries must be a Node builtin or a `dependencies`
// entry. A package only in devDependencies works in a checkout and fails in the Docker image
// (`npm prune --omit=dev`), so this catches it before an image is built.
//   node bin/check-prod-deps.js [root]            the list check (needs a build: npm run build)
//   node bin/check-prod-deps.js --installed [root] also: each package is installed where Node
//                                                  would look for it (after npm prune --omit=dev)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const args = process.argv.slice(2);
const checkInstalled = args.includes("--installed");
const root = resolve(args.find((a) => !a.startsWith("--")) ?? join(import.meta.dirname, ".."));

// Static `import … from`, `export … from`, side-effect `import "x"`, and `import("x")`
// with a literal: what tsc emits for our ESM sources.
const IMPORT_PATTERNS = [
  /^\s*(?:import|export)\s[^;'"]*?\sfrom\s*["']([^"']+)["']/gm,
  /^\s*import\s*["']([^"']+)["']/gm,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];
const BUILTINS = new Set(builtinModules);

function packageName(specifier) {
  if (/^(\.{0,2}\/|#|[a-z]+:)/.test(specifier)) return undefined; // relative, absolute, #imports, node:/data:
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return BUILTINS.has(name) ? undefined : name;
}

function* jsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (entry.name.endsWith(".js")) yield path;
  }
}

/** The directory holding `name`, looked up from `fromDir` the way Node does: node_modules upwards. */
function installedAt(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
const devDependencies = new Set(Object.keys(pkg.devDependencies ?? {}));
const dist = join(root, "dist");
if (!existsSync(dist)) {
  console.error(`check-prod-deps: ${dist} is missing; run \`npm run build\` first`);
  process.exit(2);
}
const binEntries = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
const files = [...jsFiles(dist), ...binEntries.map((b) => join(root, b))];

const problems = [];
const used = new Set();
for (const file of files) {
  const text = readFileSync(file, "utf8");
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const name = packageName(match[1]);
      if (!name) continue;
      used.add(name);
      const where = relative(root, file);
      if (!dependencies.has(name)) {
        const kind = devDependencies.has(name) ? "only a devDependency" : "not in package.json";
        problems.push(`${where} imports "${match[1]}": ${name} is ${kind}`);
      } else if (checkInstalled && !installedAt(name, dirname(file))) {
        problems.push(`${where} imports "${match[1]}": ${name} is not installed`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`check-prod-deps: production code needs packages production will not have:`);
  for (const p of [...new Set(problems)]) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `check-prod-deps: ${files.length} files import ${used.size} packages, all in dependencies` +
    (checkInstalled ? " and installed" : ""),
);
