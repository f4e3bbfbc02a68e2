// Go build constraints (`//go:build` and the older `// +build`), read from a file's header
// and evaluated, so the verifier can tell which test files `go test ./...` leaves out and
// which custom tags (integration, e2e) would bring them in.

/** Tags with a meaning to the go command; every other identifier is a repository's own. */
const GOOS = new Set(
  "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos".split(
    " ",
  ),
);
const GOARCH = new Set(
  "386 amd64 amd64p32 arm arm64 arm64be armbe loong64 mips mips64 mips64le mips64p32 mips64p32le mipsle ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm".split(
    " ",
  ),
);
const TOOL_TAGS = new Set([
  "unix",
  "gc",
  "gccgo",
  "cgo",
  "race",
  "msan",
  "asan",
  "purego",
  "ignore",
  "boringcrypto",
]);

const HOST_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };

export function isKnownTag(tag: string): boolean {
  return (
    GOOS.has(tag) ||
    GOARCH.has(tag) ||
    TOOL_TAGS.has(tag) ||
    /^go1\.\d+$/.test(tag) ||
    tag.startsWith("goexperiment.")
  );
}

/** Whether `go test` on this machine (linux, CGO_ENABLED=0, no -tags) has the tag set. */
export function defaultTag(tag: string): boolean {
  return (
    tag === "linux" ||
    tag === "unix" ||
    tag === "gc" ||
    tag === HOST_ARCH[process.arch] ||
    /^go1\.\d+$/.test(tag)
  );
}

type Expr = { tag: string } | { not: Expr } | { and: [Expr, Expr] } | { or: [Expr, Expr] };

export class ConstraintSyntaxError extends Error {
  override name = "ConstraintSyntaxError";
}

/** Parses a `//go:build` expression: identifiers, !, &&, || and parentheses. */
export function parseConstraint(text: string): Expr {
  const tokens = text.match(/&&|\|\||[!()]|[A-Za-z0-9_.]+|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const or = (): Expr => {
    let left = and();
    while (peek() === "||") {
      i++;
      left = { or: [left, and()] };
    }
    return left;
  };
  const and = (): Expr => {
    let left = unary();
    while (peek() === "&&") {
      i++;
      left = { and: [left, unary()] };
    }
    return left;
  };
  const unary = (): Expr => {
    const t = tokens[i++];
    if (t === "!") return { not: unary() };
    if (t === "(") {
      const inner = or();
      if (tokens[i++] !== ")") throw new ConstraintSyntaxError(`missing ")" in "${text}"`);
      return inner;
    }
    if (t && /^[A-Za-z0-9_.]+$/.test(t)) return { tag: t };
    throw new ConstraintSyntaxError(`unexpected "${t ?? "end"}" in "${text}"`);
  };
  const expr = or();
  if (i !== tokens.length) throw new ConstraintSyntaxError(`unexpected "${tokens[i]}" in "${text}"`);
  return expr;
}

export function evaluate(expr: Expr, has: (tag: string) => boolean): boolean {
  if ("tag" in expr) return has(expr.tag);
  if ("not" in expr) return !evaluate(expr.not, has);
  if ("and" in expr) return evaluate(expr.and[0], has) && evaluate(expr.and[1], has);
  return evaluate(expr.or[0], has) || evaluate(expr.or[1], has);
}

export function tagsOf(expr: Expr): string[] {
  if ("tag" in expr) return [expr.tag];
  if ("not" in expr) return tagsOf(expr.not);
  const [a, b] = "and" in expr ? expr.and : expr.or;
  return [...new Set([...tagsOf(a), ...tagsOf(b)])];
}

/** The constraint in a Go file's header (before `package`), or undefined when it has none. */
export function fileConstraint(source: string): string | undefined {
  const header = source.split(/^package\s/m)[0] ?? "";
  const modern = /^\/\/go:build\s+(.+)$/m.exec(header);
  if (modern?.[1]) return modern[1].trim();
  // Pre-1.17 form: lines AND together, spaces are OR, commas are AND.
  const old = [...header.matchAll(/^\/\/ \+build\s+(.+)$/gm)].map((m) =>
    m[1]!
      .trim()
      .split(/\s+/)
      .map((term) =>
        term
          .split(",")
          .map((t) => t.trim())
          .join(" && "),
      )
      .map((t) => `(${t})`)
      .join(" || "),
  );
  return old.length ? old.map((o) => `(${o})`).join(" && ") : undefined;
}

/**
 * The repository's own tags a file needs to be built, when `go test` leaves it out only for
 * want of them (not for another OS or architecture); [] otherwise.
 */
export function missingCustomTags(constraint: string): string[] {
  let expr: Expr;
  try {
    expr = parseConstraint(constraint);
  } catch {
    return [];
  }
  if (evaluate(expr, defaultTag)) return [];
  const custom = tagsOf(expr).filter((t) => !isKnownTag(t));
  if (custom.length === 0) return [];
  const withCustom = (t: string) => (isKnownTag(t) ? defaultTag(t) : true);
  return evaluate(expr, withCustom) ? custom : [];
}
