// The repository's golangci-lint as a verification check: the real pinned golangci-lint in
// the sandbox on a real module, through runJob (the row the host publishes) and verify()
// (green once repaired); and the pure parts (its JSON report, the touched packages, the base
// subtraction) on their own.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { renderVerdictMarkdown } from "../../src/github/publish/render-verdict.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { goInstallationOf } from "../../src/golang/tool-sandbox.js";
import { goToolDeps } from "../../src/pipeline/go-tool-deps.js";
import type { WorkPlan } from "../../src/pipeline/ports.js";
import { runJob } from "../../src/pipeline/run-job.js";
import { parseRepoConfig } from "../../src/repo/repo-config.js";
import {
  GOLANGCI_LINT_CHECK,
  type GolangciLintMode,
  golangciLintCheck,
  lintPackages,
  parseGolangciJson,
} from "../../src/verify/golangci-lint.js";
import { newLintFindings } from "../../src/verify/verdict.js";
import { verify } from "../../src/verify/verify.js";
import { paymentsCheckout, testGoTools } from "../golang/go-tools-support.js";
import { testToolchain } from "../golang/support.js";
import { localJob } from "../support/local-job.js";
import { cliTask } from "../support/model-checkout.js";
import {
  GO_ENGINEER_SECTIONS,
  type ScriptedModelServer,
  say,
  startScriptedModel,
  tool,
} from "../support/scripted-model.js";

const tools = await testGoTools();
const withLint = tools.golangciLint ? describe : describe.skip;

const CONFIG = 'version: "2"\nlinters:\n  default: none\n  enable:\n    - errcheck\n';

const UNCHECKED = `// Package store writes ledger snapshots to disk.
package store

import (
	"encoding/json"
	"os"
)

// Save writes v as JSON to path.
func Save(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return json.NewEncoder(f).Encode(v)
}

// Remove deletes a snapshot.
func Remove(path string) {
	os.Remove(path)
}
`;

const CHECKED = UNCHECKED.replace("\tos.Remove(path)\n", "\t_ = os.Remove(path)\n").replace(
  "\tdefer f.Close()\n\treturn json.NewEncoder(f).Encode(v)\n",
  "\tif err := json.NewEncoder(f).Encode(v); err != nil {\n\t\t_ = f.Close()\n\t\treturn err\n\t}\n\treturn f.Close()\n",
);

let toolchain: GoToolchain;
let server: ScriptedModelServer | undefined;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  toolchain = await testToolchain();
});

afterEach(async () => {
  await server?.close();
  await cleanup?.();
  server = undefined;
  cleanup = undefined;
});

function check(mode: GolangciLintMode = "auto") {
  return golangciLintCheck({
    go: goInstallationOf(toolchain)!,
    golangciLint: async () => ({ ok: true, tool: tools.golangciLint! }),
    mode,
  });
}

withLint("golangci-lint in verification", () => {
  it("fails the verdict with the unchecked errors the change introduced (file:line, linter), and passes once repaired", async () => {
    const checkout = await paymentsCheckout({ ".golangci.yml": CONFIG });
    cleanup = checkout.cleanup;
    server = await startScriptedModel({
      script: [
        tool("write_file", { path: "store/store.go", content: UNCHECKED }),
        say(GO_ENGINEER_SECTIONS.map((s) => `## ${s}\nDone.`).join("\n\n")),
      ],
    });
    const rec = localJob({
      repoDir: checkout.dir,
      branch: "backend-go/lint",
      modelUrl: server.url,
      toolchain,
    });
    const result = await runJob(cliTask("Stream snapshots to the file."), {
      ...rec.deps,
      extraChecks: (plan) => [check(plan.config.verify.golangci_lint)],
    });
    const verdict = rec.published[0]!.verdict!;
    expect(result.verdict).toEqual(verdict);
    expect(verdict.overall).toBe("fail");
    const row = verdict.checks.find((c) => c.name === GOLANGCI_LINT_CHECK)!;
    expect(row.status).toBe("fail");
    expect(row.summary).toBe("2 findings: errcheck ×2");
    expect(row.details).toContain(
      "store/store.go:15:15: Error return value of `f.Close` is not checked (errcheck)",
    );
    expect(row.details).toContain(
      "store/store.go:21:11: Error return value of `os.Remove` is not checked (errcheck)",
    );
    expect(row.command).toBe(
      "golangci-lint run --output.json.path=stdout --show-stats=false --max-issues-per-linter=0 --max-same-issues=0 -- ./store",
    );
    expect(row.lintFindings).toEqual([
      expect.objectContaining({ file: "store/store.go", line: 15, linter: "errcheck" }),
      expect.objectContaining({ file: "store/store.go", line: 21, linter: "errcheck" }),
    ]);
    // Keyed without the line for the base comparison.
    expect(row.findings?.map((f) => f.key)).toEqual([
      expect.stringMatching(
        /^lint store\/store\.go: Error return value of `\S+` is not checked \(errcheck\)$/,
      ),
      expect.stringMatching(
        /^lint store\/store\.go: Error return value of `os\.Remove` is not checked \(errcheck\)$/,
      ),
    ]);
    // The other checks are green: lint alone makes this change red.
    expect(verdict.checks.filter((c) => c.status === "fail").map((c) => c.name)).toEqual([
      GOLANGCI_LINT_CHECK,
    ]);
    expect(renderVerdictMarkdown(verdict)).toContain(`golangci-lint ${tools.golangciLint!.version}`);

    // Repaired: the same check on the same checkout is green.
    writeFileSync(join(checkout.dir, "store", "store.go"), CHECKED);
    const again = await verify(toolchain, {
      dir: checkout.dir,
      changedFiles: ["store/store.go"],
      checks: ["build"],
      extraChecks: [check()],
    });
    const green = again.checks.find((c) => c.name === GOLANGCI_LINT_CHECK)!;
    expect(green).toMatchObject({ status: "pass", summary: "no findings in ./store", lintFindings: [] });
  });

  it("is skipped without a configuration (auto), and runs the default linters when on", async () => {
    const checkout = await paymentsCheckout({ "store/store.go": UNCHECKED });
    cleanup = checkout.cleanup;
    const opts = { dir: checkout.dir, changedFiles: ["store/store.go"], checks: [] };
    const auto = await verify(toolchain, { ...opts, extraChecks: [check("auto")] });
    expect(auto.checks).toEqual([
      expect.objectContaining({
        name: GOLANGCI_LINT_CHECK,
        status: "skipped",
        summary: "no golangci-lint configuration",
      }),
    ]);
    const on = await verify(toolchain, { ...opts, extraChecks: [check("on")] });
    expect(on.checks[0]).toMatchObject({ status: "fail", summary: expect.stringContaining("errcheck") });
  });
});

describe("golangci-lint's parts", () => {
  it("reads its JSON report as findings", () => {
    const json = JSON.stringify({
      Issues: [
        {
          FromLinter: "errcheck",
          Text: "Error return value of `f.Close` is not checked",
          Pos: { Filename: "store/store.go", Line: 10, Column: 15 },
        },
      ],
      Report: {},
    });
    expect(parseGolangciJson(json)).toEqual([
      {
        file: "store/store.go",
        line: 10,
        column: 15,
        linter: "errcheck",
        message: "Error return value of `f.Close` is not checked",
      },
    ]);
    expect(parseGolangciJson('{"Issues":null}')).toEqual([]);
    expect(parseGolangciJson("level=error msg=config")).toBeUndefined();
  });

  it("lints the packages of changed Go files, the whole module when go.mod changed", async () => {
    const checkout = await paymentsCheckout();
    cleanup = checkout.cleanup;
    const at = (...f: string[]) => f.map((p) => join(checkout.dir, p));
    expect(lintPackages(checkout.dir, at("ledger/ledger.go", "ledger/ledger_test.go", "README.md"))).toEqual([
      "./ledger",
    ]);
    expect(lintPackages(checkout.dir, at("cmd/server/main.go", "gone/deleted.go"))).toEqual(["./cmd/server"]);
    expect(lintPackages(checkout.dir, at("go.mod", "money/money.go"))).toEqual(["./..."]);
  });

  it("subtracts the findings the base already had, whatever line they moved to", () => {
    const f = (file: string, line: number, message: string) => ({ file, line, linter: "errcheck", message });
    const base = [f("a.go", 10, "x not checked"), f("a.go", 20, "y not checked")];
    const current = [
      f("a.go", 14, "x not checked"),
      f("a.go", 24, "y not checked"),
      f("a.go", 30, "y not checked"),
    ];
    expect(newLintFindings(current, base)).toEqual([f("a.go", 30, "y not checked")]);
  });

  it("adds a verdict row only where the repository lints, or asks for it", async () => {
    const checkout = await paymentsCheckout();
    cleanup = checkout.cleanup;
    const deps = goToolDeps(toolchain, checkout.dir, { GO_TOOLS_INSTALL: "off" });
    // govulncheck, the other tool check, off: this is about the linter's row.
    const plan = (yaml: { verify?: Record<string, unknown> }) =>
      ({
        config: parseRepoConfig({ ...yaml, verify: { vulncheck: "off", ...yaml.verify } }, "f"),
        checkout: {},
      }) as unknown as WorkPlan;
    expect(deps.extraChecks!(plan({}), checkout.dir)).toEqual([]);
    expect(deps.extraChecks!(plan({ verify: { golangci_lint: "on" } }), checkout.dir)).toHaveLength(1);
    writeFileSync(join(checkout.dir, ".golangci.yaml"), CONFIG);
    expect(deps.extraChecks!(plan({}), checkout.dir)).toHaveLength(1);
    expect(deps.extraChecks!(plan({ verify: { golangci_lint: "off" } }), checkout.dir)).toEqual([]);
  });

  it("is on when configured unless the repository says otherwise", () => {
    expect(parseRepoConfig({}, "f").verify.golangci_lint).toBe("auto");
    expect(parseRepoConfig({ verify: { golangci_lint: "off" } }, "f").verify.golangci_lint).toBe("off");
    expect(() => parseRepoConfig({ verify: { golangci_lint: "yes" } }, "f")).toThrow(/golangci_lint/);
  });
});
