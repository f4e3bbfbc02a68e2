// Paths handed to git as pathspecs: `:(literal)` so a file named `*.go` or `:(glob)x`
// written by a test means itself, never a pattern.
export function literalPaths(paths: readonly string[]): string[] {
  return paths.map((p) => `:(literal)${p}`);
}
