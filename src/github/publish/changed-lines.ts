// Which lines a pushed commit changed, per file, read from GitHub's commit (its files' patches),
// so a review reply can say "lines 12–14, 20" instead of "changed the file".

export interface LineChanges {
  /** New-side line numbers that were added or changed. */
  lines: number[];
  /** New-side positions after which lines were only removed. */
  removedAfter: number[];
}

/** The new-side lines a unified diff patch (one file's `@@` hunks) adds, and where it removes. */
export function linesOfPatch(patch: string): LineChanges {
  const lines: number[] = [];
  const removedAfter: number[] = [];
  let next = 0;
  let removing = false;
  for (const line of patch.split("\n")) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      next = Number(hunk[1]);
      removing = false;
      continue;
    }
    if (next === 0 || line.startsWith("\\")) continue;
    if (line.startsWith("+")) {
      lines.push(next++);
      removing = false;
    } else if (line.startsWith("-")) {
      if (!removing) removedAfter.push(next - 1);
      removing = true;
    } else {
      next++;
      removing = false;
    }
  }
  return { lines, removedAfter };
}

/** "lines 3–5, 9" (and "lines removed after 12"), or "" for nothing. */
export function describeLines(changes: LineChanges): string {
  const ranges: string[] = [];
  const sorted = [...new Set(changes.lines)].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  // A removal next to a changed line is already named by it.
  const removed = changes.removedAfter.filter((n) => !sorted.includes(n) && !sorted.includes(n + 1));
  const parts = [
    ...(ranges.length ? [`line${sorted.length === 1 ? "" : "s"} ${ranges.join(", ")}`] : []),
    ...(removed.length ? [`lines removed after line ${removed.join(", ")}`] : []),
  ];
  return parts.join("; ");
}
