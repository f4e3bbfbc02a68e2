// Code intelligence tools backed by gopls (through the CodeIntelligence port): a symbol's
// references across packages, a package's exported API, a file's imports and declarations,
// workspace symbol search, and the build's diagnostics. Paths go in and come out relative
// to the checkout; output is clipped with the one truncation marker.
import { z } from "zod";
import { trimHead } from "../../text.js";
import { resolveSafePath } from "../../workspace/safe-path.js";
import { defineTool, type Tool, type ToolContext, ToolInputError, type ToolResult } from "./types.js";

const LIMITS = { maxLines: 400, maxChars: 40_000 };

const NO_GOPLS =
  "gopls code intelligence is not set up for this job. Use search_code, read_file and the go tool (go build, go vet, go doc) instead.";

async function fileArg(ctx: ToolContext, file: string): Promise<string> {
  const resolved = await resolveSafePath(ctx.policy, file, { write: false });
  if (!resolved.exists) throw new ToolInputError(`"${file}" does not exist`);
  if (!resolved.rel.endsWith(".go")) throw new ToolInputError(`"${file}" is not a .go file`);
  return resolved.abs;
}

/** The checkout's absolute path out of gopls's answers: the model sees repository paths. */
function relativize(text: string, root: string): string {
  return text.split(`file://${root}/`).join("").split(`${root}/`).join("").split(root).join(".");
}

const SECTION = "Referenced declarations from ";

/**
 * gopls lists a file's referenced declarations in no fixed order, and the standard library's doc
 * comments are long: the repository's own sections go first, then dependencies', then the
 * standard library's, so clipping cuts what `go doc` can also tell rather than the module's code.
 */
export function moduleSectionsFirst(text: string): string {
  const parts = text.split(`\n${SECTION}`);
  if (parts.length < 2) return text;
  const [head, ...sections] = parts;
  const rank = (s: string) => (s.startsWith("$GOROOT/") ? 2 : s.startsWith("$GOMODCACHE/") ? 1 : 0);
  const ordered = sections.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i);
  return [head, ...ordered.map((o) => o.s)].join(`\n${SECTION}`);
}

type Shape = (text: string) => string;

async function ask(
  tool: string,
  args: Record<string, unknown>,
  ctx: ToolContext,
  shape: Shape = (t) => t,
): Promise<ToolResult> {
  if (!ctx.codeIntelligence) return { content: NO_GOPLS, isError: true };
  const answer = await ctx.codeIntelligence.call(tool, args, ctx.signal);
  const text = trimHead(shape(relativize(answer.text, ctx.root)), LIMITS);
  return answer.isError ? { content: `${tool}: ${text}`, isError: true } : { content: text };
}

export const goSymbolReferences = defineTool({
  name: "go_symbol_references",
  description:
    "gopls: every reference to a package-level Go symbol (function, type, var, const, method as Type.Method), " +
    "across all packages of the module. Name the file where the symbol is declared or used, and the symbol as " +
    'written there ("Deposit", "ledger.Account", "Account.Balance"). Returns file:line:col of each reference.',
  readOnly: true,
  input: z.object({
    file: z
      .string()
      .min(1)
      .describe("A .go file (relative to the repository) that declares or uses the symbol."),
    symbol: z
      .string()
      .min(1)
      .describe('The symbol, optionally qualified: "Deposit", "money.Add", "Account.Close".'),
  }),
  async run({ file, symbol }, ctx) {
    return ask("go_symbol_references", { file: await fileArg(ctx, file), symbol }, ctx);
  },
});

export const goPackageApi = defineTool({
  name: "go_package_api",
  description:
    "gopls: the exported API of Go packages (types, functions, methods, constants with their signatures and " +
    'doc comments), by import path, e.g. ["example.com/svc/ledger"] or a dependency\'s ["github.com/google/uuid"].',
  readOnly: true,
  input: z.object({
    packages: z.array(z.string().min(1)).min(1).describe("Package import paths."),
  }),
  async run({ packages }, ctx) {
    for (const p of packages) {
      if (p.startsWith(".") || p.startsWith("/")) {
        throw new ToolInputError(
          `"${p}" is a directory; pass the package's import path (module path + directory)`,
        );
      }
    }
    return ask("go_package_api", { packagePaths: packages }, ctx);
  },
});

export const goFileContext = defineTool({
  name: "go_file_context",
  description:
    "gopls: what a Go file depends on from other files and packages: the imports it uses and the declarations " +
    "(with signatures) it refers to. Read this before editing a file you have not seen.",
  readOnly: true,
  input: z.object({ file: z.string().min(1).describe("A .go file, relative to the repository.") }),
  async run({ file }, ctx) {
    return ask("go_file_context", { file: await fileArg(ctx, file) }, ctx, moduleSectionsFirst);
  },
});

export const goSearch = defineTool({
  name: "go_search",
  description:
    "gopls: fuzzy, case-insensitive search for Go symbols (types, functions, methods, fields) in the module " +
    'and its dependencies; "acctbal" finds AccountBalance. At most 100 results, with file:line.',
  readOnly: true,
  input: z.object({ query: z.string().min(1).describe("Part of a symbol name, or a qualified name.") }),
  async run({ query }, ctx) {
    return ask("go_search", { query }, ctx);
  },
});

export const goDiagnostics = defineTool({
  name: "go_diagnostics",
  description:
    "gopls: parse, type and build errors across the module, as the editor would show them, without running " +
    "go build. Name files you changed to get gopls's extra analyzers on them too.",
  readOnly: true,
  input: z.object({
    files: z
      .array(z.string().min(1))
      .optional()
      .describe("Changed .go files to analyse in depth (relative)."),
  }),
  async run({ files }, ctx) {
    const abs = await Promise.all((files ?? []).map((f) => fileArg(ctx, f)));
    return ask("go_diagnostics", abs.length ? { files: abs } : {}, ctx);
  },
});

export const GO_CODE_TOOLS: readonly Tool[] = [
  goSymbolReferences,
  goPackageApi,
  goFileContext,
  goSearch,
  goDiagnostics,
];
