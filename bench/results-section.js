// A section of bench/results.md that one bench script owns, between its own markers, so a
// script run alone replaces its part and leaves the others' as they are.

/** `markdown` with the section `name` put in (or replaced). */
export function withSection(markdown, name, section) {
  const startMark = `<!-- ${name}:start -->`;
  const endMark = `<!-- ${name}:end -->`;
  const block = `${startMark}\n${section}${endMark}\n`;
  const start = markdown.indexOf(startMark);
  const end = markdown.indexOf(endMark);
  if (start >= 0 && end > start)
    return markdown.slice(0, start) + block + markdown.slice(end + endMark.length + 1);
  return `${markdown.trimEnd()}\n\n${block}`;
}

/** The marked sections of `markdown` as [name, section] pairs, in order. */
export function sections(markdown) {
  return [...markdown.matchAll(/<!-- ([\w-]+):start -->\n([\s\S]*?)<!-- \1:end -->/g)].map((m) => [
    m[1],
    m[2],
  ]);
}

/** Writes one section into bench/results.md at `path`, leaving the rest of the file as it is. */
export async function writeSection(path, name, section) {
  const { readFile, writeFile } = await import("node:fs/promises");
  const old = await readFile(path, "utf8").catch(() => "");
  await writeFile(path, withSection(old, name, section));
}
