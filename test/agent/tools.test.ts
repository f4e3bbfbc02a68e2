// The tools one call at a time, on a real git checkout of the fixture.
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { moduleSectionsFirst } from "../../src/agent/tools/go-code.js";
import { runTool } from "../../src/agent/tools/registry.js";
import type { ToolContext } from "../../src/agent/tools/types.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { redactSecrets } from "../../src/secrets.js";
import { truncateMiddle } from "../../src/text.js";
import { BUILTIN_PROTECTED_GLOBS, globToRegExp } from "../../src/workspace/safe-path.js";
import { testToolchain } from "../golang/support.js";
import { git, type LedgerCheckout, ledgerCheckout } from "../support/model-checkout.js";

let toolchain: GoToolchain;
let checkout: LedgerCheckout;
let ctx: ToolContext;

beforeAll(async () => {
  toolchain = await testToolchain();
});

beforeEach(async () => {
  checkout = await ledgerCheckout();
  const root = realpathSync(checkout.dir);
  ctx = {
    root,
    policy: { root, protectedGlobs: [...BUILTIN_PROTECTED_GLOBS, "secrets/**"] },
    toolchain,
    signal: new AbortController().signal,
    goTimeoutMs: 60_000,
    maxFileBytes: 4096,
    touched: new Set(),
  };
});

afterEach(() => checkout.cleanup());

const call = (name: string, input: unknown) => runTool(name, input, ctx);

describe("read_file", () => {
  it("shows a numbered window of at most 400 lines and says what was left out", async () => {
    const lines = Array.from({ length: 450 }, (_, i) => `// line ${i + 1}`).join("\n");
    ctx.maxFileBytes = 1 << 20;
    writeFileSync(join(checkout.dir, "long.go"), `${lines}\n`);
    const first = await call("read_file", { path: "long.go" });
    expect(first.isError).toBeUndefined();
    expect(first.content).toMatch(/^long\.go \(lines 1-400 of 450\)\n {2}1\t\/\/ line 1\n/);
    expect(first.content).toMatch(
      /400\t\/\/ line 400\n\[lines 401-450 not shown; call read_file with start_line=401/,
    );
    const tail = await call("read_file", { path: "long.go", start_line: 440, end_line: 441 });
    expect(tail.content).toBe(
      "long.go (lines 440-441 of 450)\n440\t// line 440\n441\t// line 441\n[lines 1-439 not shown; lines 442-450 not shown; call read_file with start_line=442 to continue]",
    );
  });

  it("refuses binary files, files over the size cap, and missing files", async () => {
    writeFileSync(join(checkout.dir, "blob.bin"), Buffer.from([1, 0, 2, 3]));
    writeFileSync(join(checkout.dir, "big.txt"), "x".repeat(5000));
    expect((await call("read_file", { path: "blob.bin" })).content).toMatch(/binary file/);
    expect((await call("read_file", { path: "big.txt" })).content).toMatch(
      /5000 bytes, over the 4096-byte limit/,
    );
    const missing = await call("read_file", { path: "nope.go" });
    expect(missing).toEqual({ content: 'read_file refused: "nope.go" does not exist', isError: true });
  });
});

describe("write_file, edit_file and delete_file", () => {
  it("creates nested files and records what changed", async () => {
    const res = await call("write_file", { path: "internal/money/money.go", content: "package money\n" });
    expect(res.content).toBe("Created internal/money/money.go (1 lines, 14 bytes).");
    expect(readFileSync(join(checkout.dir, "internal/money/money.go"), "utf8")).toBe("package money\n");
    await call("delete_file", { path: "README.md" });
    expect(existsSync(join(checkout.dir, "README.md"))).toBe(false);
    expect([...ctx.touched].sort()).toEqual(["README.md", "internal/money/money.go"]);
  });

  it("refuses an old_string that is absent or not unique, and honours replace_all", async () => {
    const absent = await call("edit_file", {
      path: "ledger/ledger.go",
      old_string: "func Nope()",
      new_string: "x",
    });
    expect(absent.isError).toBe(true);
    expect(absent.content).toMatch(/old_string was not found in ledger\/ledger.go/);
    const many = await call("edit_file", {
      path: "ledger/ledger.go",
      old_string: "l.mu.Lock()",
      new_string: "l.mu.Lock() // locked",
    });
    expect(many.content).toMatch(/appears 4 times in ledger\/ledger.go/);
    ctx.maxFileBytes = 1 << 20;
    const all = await call("edit_file", {
      path: "ledger/ledger.go",
      old_string: "l.mu.Lock()",
      new_string: "l.mu.Lock() // locked",
      replace_all: true,
    });
    expect(all.isError).toBeUndefined();
    expect(all.content).toMatch(/^Edited ledger\/ledger.go: replaced 4 occurrences\./);
    expect(readFileSync(join(checkout.dir, "ledger/ledger.go"), "utf8").match(/\/\/ locked/g)).toHaveLength(
      4,
    );
  });

  it("never writes protected paths, but may read them", async () => {
    mkdirSync(join(checkout.dir, "secrets"));
    writeFileSync(join(checkout.dir, "secrets/keep.txt"), "keep\n");
    const write = await call("write_file", { path: "secrets/keep.txt", content: "gone\n" });
    expect(write.content).toMatch(/protected \(matches secrets\/\*\*\)/);
    expect((await call("delete_file", { path: "secrets/keep.txt" })).isError).toBe(true);
    expect((await call("read_file", { path: "secrets/keep.txt" })).content).toContain("1\tkeep");
  });

  it("refuses content with NUL bytes", async () => {
    const res = await call("write_file", { path: "x.bin", content: "a\0b" });
    expect(res.content).toMatch(/binary files cannot be written/);
  });
});

describe("list_files and search_code", () => {
  it("lists the tree, honouring .gitignore, including new files", async () => {
    writeFileSync(join(checkout.dir, ".gitignore"), "build/\n");
    mkdirSync(join(checkout.dir, "build"));
    writeFileSync(join(checkout.dir, "build/out.txt"), "x");
    writeFileSync(join(checkout.dir, "api/new.go"), "package api\n");
    const res = await call("list_files", {});
    expect(res.content).toBe(
      [
        "Repository root: 9 files",
        ".gitignore",
        "AGENTS.md",
        "README.md",
        "api/",
        "  new.go",
        "  server.go",
        "  server_test.go",
        "go.mod",
        "ledger/",
        "  ledger.go",
        "  ledger_test.go",
      ].join("\n"),
    );
    expect((await call("list_files", { depth: 1 })).content).toContain("api/ (3 files)");
  });

  it("searches with a regex, a path and a glob, and says when nothing matched", async () => {
    const res = await call("search_code", {
      pattern: "func \\(l \\*Ledger\\) (Deposit|Withdraw)",
      glob: "*.go",
    });
    expect(res.content).toMatch(/^2 matches\nledger\/ledger.go:\d+:func \(l \*Ledger\) Deposit/);
    const none = await call("search_code", { pattern: "Deposit", path: "api" });
    expect(none.content).toBe("No matches for /Deposit/ in api.");
    const tests = await call("search_code", { pattern: "^func Test", glob: "**/*_test.go" });
    expect(tests.content).toMatch(/^3 matches/);
  });
});

describe("go", () => {
  it("runs allowed subcommands and refuses the rest with a message", async () => {
    const vet = await call("go", { args: ["vet", "./..."] });
    expect(vet).toEqual({ content: "$ go vet ./...\nexit code 0\n(no output)", isError: false });
    writeFileSync(join(checkout.dir, "ledger/messy.go"), "package ledger\nconst  messy = 1\n");
    const fmt = await call("go", { args: ["fmt", "./..."] });
    expect(fmt).toEqual({ content: "$ go fmt ./...\nexit code 0\nledger/messy.go", isError: false });
    expect(readFileSync(join(checkout.dir, "ledger/messy.go"), "utf8")).toBe(
      "package ledger\n\nconst messy = 1\n",
    );
    for (const [args, pattern] of [
      [["run", "."], /"go run \." is not allowed/],
      [["mod", "edit", "-replace=x=y"], /"go mod edit" is not allowed/],
      [["test", "-exec", "sh", "./..."], /the flag -exec is not allowed/],
      [["test", "-toolexec=sh", "./..."], /the flag -toolexec is not allowed/],
      [["env", "-w", "GOPROXY=x"], /go env -w\/-u is not allowed/],
      [["build", "-o", "/tmp/x", "./..."], /points outside the repository/],
      [[], /args is empty/],
    ] as const) {
      const res = await call("go", { args });
      expect(res.isError).toBe(true);
      expect(res.content).toMatch(pattern);
    }
  });

  it("reports a failing build with its exit code and output", async () => {
    writeFileSync(
      join(checkout.dir, "ledger/broken.go"),
      'package ledger\n\nfunc broken() int { return "x" }\n',
    );
    const res = await call("go", { args: ["build", "./..."] });
    expect(res.isError).toBe(true);
    expect(res.content).toMatch(/^\$ go build \.\/\.\.\.\nexit code 1\n[\s\S]*broken\.go:3/);
  });
});

describe("the registry", () => {
  it("answers unknown tools, tools outside the allowed set and bad input with readable errors", async () => {
    expect((await call("bash", { cmd: "ls" })).content).toMatch(
      /^There is no tool named "bash" here\. Tools: list_files,/,
    );
    ctx.allowedTools = new Set(["read_file", "ask_clarification"]);
    expect((await call("write_file", { path: "a", content: "b" })).content).toBe(
      'There is no tool named "write_file" here. Tools: read_file, ask_clarification.',
    );
    expect((await call("read_file", { path: 42 })).content).toMatch(/^Invalid input for read_file: path:/);
    expect(git(checkout.dir, "status", "--porcelain")).toBe("");
  });
});

describe("output limits", () => {
  it("cuts the middle of long output with a marker saying how much", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    const cut = truncateMiddle(text, 1000);
    expect(cut.startsWith("line 0\n")).toBe(true);
    expect(cut.endsWith("line 999")).toBe(true);
    expect(cut).toMatch(/… \d+ characters \(\d+ lines\) cut from the middle …/);
    expect(truncateMiddle("short", 1000)).toBe("short");
  });

  it("matches globs the way the protected paths need", () => {
    const workflows = globToRegExp(".github/workflows/**");
    expect(workflows.test(".github/workflows/ci.yml")).toBe(true);
    expect(workflows.test(".github/workflows/nested/x.yml")).toBe(true);
    expect(workflows.test(".github/dependabot.yml")).toBe(false);
    expect(globToRegExp("**/*.pem").test("a/b/key.pem")).toBe(true);
    expect(globToRegExp("**/*.pem").test("key.pem")).toBe(true);
    expect(globToRegExp("*.go").test("a/b.go")).toBe(false);
  });

  it("redacts credentials from error text", () => {
    expect(
      redactSecrets("fatal: unable to access 'https://x-access-token:ghs_abc123@github.com/o/r.git/'"),
    ).toBe("fatal: unable to access 'https://[redacted]@github.com/o/r.git/'");
    expect(redactSecrets("bad key sk-ant-api03-XYZ_1 and ghp_0123")).toBe(
      "bad key sk-ant-[redacted] and ghp_[redacted]",
    );
  });
});

describe("go_file_context's sections", () => {
  it("put the module's own declarations before dependencies' and the standard library's", () => {
    const gopls = [
      'File `api/handler.go` is in package "example.com/payments/api".',
      'Referenced declarations from $GOROOT/src/net/http/server.go (package "net/http"):',
      "type Handler interface",
      'Referenced declarations from $GOMODCACHE/github.com/google/uuid@v1.6.0/uuid.go (package "github.com/google/uuid"):',
      "type UUID [16]byte",
      'Referenced declarations from ledger/ledger.go (package "example.com/payments/ledger"):',
      "func (l *Ledger) Deposit(id uuid.UUID, amount money.Amount) error",
      'Referenced declarations from money/money.go (package "example.com/payments/money"):',
      "type Amount int64",
    ].join("\n");
    const from = [...moduleSectionsFirst(gopls).matchAll(/Referenced declarations from (\S+)/g)].map(
      (m) => m[1],
    );
    expect(from).toEqual([
      "ledger/ledger.go",
      "money/money.go",
      "$GOMODCACHE/github.com/google/uuid@v1.6.0/uuid.go",
      "$GOROOT/src/net/http/server.go",
    ]);
    expect(moduleSectionsFirst(gopls)).toContain(
      "func (l *Ledger) Deposit(id uuid.UUID, amount money.Amount) error\nReferenced declarations from money/money.go",
    );
  });
});
