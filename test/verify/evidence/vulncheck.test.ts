// govulncheck as a verdict row, on a real module whose dependency comes from a module proxy on
// disk and whose vulnerabilities come from a local OSV database: no network.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createGoToolchain, type GoToolchain } from "../../../src/golang/go-toolchain.js";
import { ensureGoTool } from "../../../src/golang/install-go-tools.js";
import { goInstallationOf } from "../../../src/golang/tool-sandbox.js";
import { GOVULNCHECK } from "../../../src/golang/tool-versions.js";
import { goToolDeps } from "../../../src/pipeline/go-tool-deps.js";
import type { WorkPlan } from "../../../src/pipeline/ports.js";
import { parseRepoConfig } from "../../../src/repo/repo-config.js";
import { clearBaseCache } from "../../../src/verify/base-comparison.js";
import { VULNCHECK_CHECK, vulncheckCheck } from "../../../src/verify/evidence/vulncheck.js";
import { repairMessage } from "../../../src/verify/repair-feedback.js";
import type { Check, Verdict } from "../../../src/verify/verdict.js";
import { verifyChange } from "../../../src/verify/verify-change.js";
import { testGoToolsSettings } from "../../golang/go-tools-support.js";
import { TEST_DATA_DIR } from "../../golang/support.js";
import { git } from "../../support/git-repos.js";
import { goRepo, type Repo } from "./support.js";
import { REACHABLE_ID, UNREACHABLE_ID, VULN_MODULE, writeModuleProxy, writeVulnDb } from "./vuln-fixture.js";

const installed = await ensureGoTool(GOVULNCHECK, testGoToolsSettings());
if (!installed.ok && process.env.GO_TOOLS_REQUIRED === "1") throw new Error(installed.reason);
const describeWithTool = installed.ok ? describe : describe.skip;

let toolchain: GoToolchain;
let fixtures: string;
const repos: Repo[] = [];

beforeAll(async () => {
  fixtures = await mkdtemp(join(tmpdir(), "bga-vuln-"));
  writeVulnDb(join(fixtures, "db"));
  toolchain = await createGoToolchain({
    dataDir: TEST_DATA_DIR,
    goflags: "-modcacherw",
    gonosumdb: "example.com/bgavuln",
  });
});
afterAll(async () => {
  clearBaseCache();
  for (const r of repos) await r.cleanup();
  await rm(fixtures, { recursive: true, force: true });
});

const MAIN = `package main

import (
	"fmt"

	"${VULN_MODULE}"
)

func main() { fmt.Println(lib.Parse("x")) }
`;

/** A module requiring the library at `version`, go.sum filled by go itself from the proxy on disk. */
async function appRepo(version: string): Promise<Repo> {
  const r = await goRepo({ "main.go": MAIN });
  repos.push(r);
  // Inside the checkout (its .git: never committed), where the sandbox of a Go run can read it.
  writeModuleProxy(join(r.dir, ".git", "module-proxy"));
  await goGet(r, version);
  await git(["add", "-A"], { cwd: r.dir });
  await git(["commit", "--quiet", "-m", `lib ${version}`], { cwd: r.dir });
  r.base = (await git(["rev-parse", "HEAD"], { cwd: r.dir })).toString().trim();
  return r;
}

async function goGet(r: Repo, version: string): Promise<void> {
  const res = await toolchain.go(["get", `${VULN_MODULE}@${version}`], {
    cwd: r.dir,
    network: true,
    timeoutMs: 120_000,
    modules: { goproxy: `file://${join(r.dir, ".git", "module-proxy")}` },
  });
  if (res.exitCode !== 0) throw new Error(`go get failed: ${res.stderr}`);
}

async function verdictOf(r: Repo, changed: string[]): Promise<Verdict> {
  const check = vulncheckCheck({
    go: goInstallationOf(toolchain)!,
    govulncheck: () => ensureGoTool(GOVULNCHECK, testGoToolsSettings()),
    mode: "auto",
    db: join(fixtures, "db"),
  });
  const v = await verifyChange({
    toolchain,
    root: r.dir,
    baseSha: r.base,
    changed,
    checks: ["build"],
    extraChecks: [check],
  });
  if (!v) throw new Error("no verdict");
  return v;
}

const row = (v: Verdict): Check | undefined => v.checks.find((c) => c.name === VULNCHECK_CHECK);

describe("govulncheck in the job", () => {
  it("is one of the job's checks unless the repository turns it off", () => {
    const deps = goToolDeps(toolchain, fixtures, { GO_TOOLS_INSTALL: "off" });
    const names = (verify: Record<string, unknown>) =>
      deps.extraChecks!({ config: parseRepoConfig({ verify }, "f") } as unknown as WorkPlan, fixtures).map(
        (c) => c.name,
      );
    expect(names({})).toEqual([VULNCHECK_CHECK]);
    expect(names({ vulncheck: "off" })).toEqual([]);
  });
});

describeWithTool("govulncheck", () => {
  it("is red for a go.mod bump to a version with a reachable vulnerability: id, module, fixed version, call path; the unreachable one a note", async () => {
    const r = await appRepo("v1.0.0");
    await goGet(r, "v1.1.0");
    const v = await verdictOf(r, ["go.mod", "go.sum"]);
    const c = row(v)!;
    expect(c.status).toBe("fail");
    expect(c.summary).toBe(
      `1 reachable vulnerability: ${REACHABLE_ID} (${VULN_MODULE}, fixed in v1.2.0); 1 in a required module the code does not call: ${UNREACHABLE_ID}`,
    );
    expect(c.details).toContain(
      `${REACHABLE_ID} in ${VULN_MODULE}@v1.1.0 (fixed in v1.2.0): Parse in ${VULN_MODULE} mishandles input (CVE-2026-90001)`,
    );
    expect(c.details).toMatch(
      /call path:\n\s*example\.com\/evidence\.main \(main\.go:9\)\n\s*example\.com\/bgavuln\/lib\.Parse \(lib\.go:4\)/,
    );
    expect(c.details).toContain(
      `Not reached by the code (a note):\n- ${UNREACHABLE_ID} in ${VULN_MODULE}@v1.1.0`,
    );
    expect(v.overall).toBe("fail");
    const message = repairMessage(v, 1, 2);
    expect(message).toContain(REACHABLE_ID);
    expect(message).toContain("call path");
  }, 240_000);

  it("sets apart a vulnerability the base reaches too, and says nothing when go.mod did not change", async () => {
    const r = await appRepo("v1.1.0");
    r.change({
      "go.mod": `${(await import("node:fs")).readFileSync(join(r.dir, "go.mod"), "utf8")}\n// touched\n`,
    });
    const v = await verdictOf(r, ["go.mod"]);
    const c = row(v)!;
    expect(c.status).toBe("pass");
    expect(c.summary).toContain("nothing new; 1 pre-existing on");
    expect(v.baseline?.preexisting.map((p) => p.findings.map((f) => f.key))).toEqual([
      [`vuln ${REACHABLE_ID} ${VULN_MODULE}`],
    ]);
    const untouched = await verdictOf(r, ["main.go"]);
    expect(row(untouched)).toBeUndefined();
  }, 240_000);
});
