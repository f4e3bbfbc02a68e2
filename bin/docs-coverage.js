#!/usr/bin/env node
// Moving text out of the README must lose no fact. This checks that every non-empty line of
// README.md as it stood at a git revision still appears in README.md or docs/*.md today.
// Whitespace and line breaks are ignored (a moved paragraph may be re-wrapped) and so are link
// targets (an anchor becomes a page); a line that is still missing was reworded, and is listed
// for a person to judge.
//
//   node bin/docs-coverage.js <git-revision>     e.g. a branch's README before its docs split
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const revision = process.argv[2];
if (!revision) {
  console.error("usage: node bin/docs-coverage.js <git-revision>");
  process.exit(64);
}

/** Link targets dropped, heading and quote marks dropped, whitespace collapsed. */
const normalise = (text) =>
  text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s*(#+|>)\s*/gm, "")
    .replace(/\s+/g, " ")
    .trim();

const old = execFileSync("git", ["show", `${revision}:README.md`], { cwd: root, encoding: "utf8" });
const pages = ["README.md", ...readdirSync(join(root, "docs")).map((f) => join("docs", f))]
  .filter((f) => f.endsWith(".md"))
  .map((f) => readFileSync(join(root, f), "utf8"));
const today = normalise(pages.join("\n"));

const lines = old.split("\n").filter((line) => line.trim() !== "" && line.trim() !== "```");
const missing = lines.filter((line) => !today.includes(normalise(line)));
for (const line of missing) console.log(`missing: ${line}`);
console.log(`${lines.length - missing.length} of ${lines.length} lines of ${revision}:README.md found`);
process.exitCode = missing.length ? 1 : 0;
