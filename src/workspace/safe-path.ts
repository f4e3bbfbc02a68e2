// Resolves a path the model gave us inside the checkout, or refuses it. Held in code, not
// in the prompt: the path must stay inside the checkout after following symlinks (for a
// file that does not exist yet, its nearest existing ancestor is resolved), `.git` is
// never touched at any depth, and protected globs are never written.
import { lstat, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";

/** Written only by people: the App does not ask for the `workflows` permission. */
export const BUILTIN_PROTECTED_GLOBS: readonly string[] = [".github/workflows/**"];

export class PathRefusedError extends Error {
  override name = "PathRefusedError";
}

export interface SafePathPolicy {
  /** The checkout's real path (already passed through realpath). */
  root: string;
  /** Globs (relative to the checkout, `/`-separated) that may be read but never written. */
  protectedGlobs: readonly string[];
}

export interface ResolvedPath {
  /** Absolute real path to read or write. */
  abs: string;
  /** Path relative to the checkout, `/`-separated, for messages. */
  rel: string;
  exists: boolean;
}

/** A small glob: `**` spans directories, `*` and `?` stay within one segment. */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      out += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

export function matchesAny(rel: string, globs: readonly string[]): string | undefined {
  return globs.find((g) => globToRegExp(g).test(rel));
}

const toPosix = (p: string) => p.split(sep).join("/");

function insideRoot(root: string, abs: string): string | undefined {
  const rel = relative(root, abs);
  if (rel === "") return "";
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return toPosix(rel);
}

function touchesGit(rel: string): boolean {
  return rel.split("/").some((seg) => seg.toLowerCase() === ".git");
}

async function realOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await realpath(p);
  } catch {
    return undefined;
  }
}

/**
 * Resolves `input` for reading (`write: false`) or writing. Throws PathRefusedError with a
 * message meant for the model.
 */
export async function resolveSafePath(
  policy: SafePathPolicy,
  input: string,
  { write }: { write: boolean },
): Promise<ResolvedPath> {
  if (typeof input !== "string" || input.trim() === "") throw new PathRefusedError("path is empty");
  if (input.includes("\0")) throw new PathRefusedError("path contains a NUL byte");
  if (isAbsolute(input)) {
    throw new PathRefusedError(`"${input}" is absolute; use a path relative to the repository root`);
  }
  const lexical = insideRoot(policy.root, normalize(join(policy.root, input)));
  if (lexical === undefined) throw new PathRefusedError(`"${input}" is outside the repository`);
  if (touchesGit(lexical)) throw new PathRefusedError(`"${input}" is inside .git, which is off limits`);

  // Follow symlinks: the file itself if it exists, else its nearest existing ancestor.
  const candidate = join(policy.root, lexical);
  let abs = await realOrUndefined(candidate);
  let exists = abs !== undefined;
  if (!abs) {
    const dangling = await lstat(candidate).then(
      () => true,
      () => false,
    );
    if (dangling) throw new PathRefusedError(`"${input}" is a symlink whose target does not exist`);
    let ancestor = dirname(candidate);
    let realAncestor = await realOrUndefined(ancestor);
    while (!realAncestor && dirname(ancestor) !== ancestor) {
      ancestor = dirname(ancestor);
      realAncestor = await realOrUndefined(ancestor);
    }
    if (!realAncestor) throw new PathRefusedError(`"${input}" cannot be resolved`);
    abs = join(realAncestor, relative(ancestor, candidate));
    exists = false;
  }
  const rel = insideRoot(policy.root, abs);
  if (rel === undefined)
    throw new PathRefusedError(`"${input}" resolves outside the repository (through a symlink)`);
  if (touchesGit(rel)) throw new PathRefusedError(`"${input}" resolves inside .git, which is off limits`);
  if (write) {
    const hit = matchesAny(lexical, policy.protectedGlobs) ?? matchesAny(rel, policy.protectedGlobs);
    if (hit) {
      throw new PathRefusedError(`"${input}" is protected (matches ${hit}); it may be read but not changed`);
    }
  }
  return { abs, rel: rel === "" ? "." : rel, exists };
}
