#!/usr/bin/env node
// Biome's noFloatingPromises (nursery, on in biome.json) flags an unhandled promise it can
// type, but takes `void promise` as handled — and a voided promise that rejects is still an
// unhandled rejection, which ends the process. So in src/ a `void` expression is refused:
// a background promise says what happens when it fails (`.catch(log)`) or is awaited.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const VOID_EXPRESSION = /(^|[^\w$.])void\s+[\w$(]/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) yield path;
  }
}

const found = [];
for (const file of files(join(root, "src"))) {
  const lines = readFileSync(file, "utf8").split("\n");
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, "");
    if (/^\s*\*/.test(code)) return;
    if (VOID_EXPRESSION.test(code)) found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
  });
}
if (found.length > 0) {
  console.error(
    `A voided promise floats: a rejection ends the process. Handle it (.catch with a log line) or await it.\n${found.join("\n")}`,
  );
  process.exit(1);
}
