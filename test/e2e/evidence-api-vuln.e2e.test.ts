// The exported-API and govulncheck rows through the whole job: the real app (dist/), the GitHub
// stand-in and the scripted model. A removed exported function is named as incompatible (a
// warning the agent hears once; red where the repository says verify.api: strict) and an added
// one is listed as compatible, while an internal/ package is never compared. A go.mod bump to a
// version with a known vulnerability, from a module proxy and an OSV database made for the
// test, is red with the OSV id, the fixed version and the call path; the vulnerability the code
// never calls is a note.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ensureGoTool } from "../../src/golang/install-go-tools.js";
import { GOVULNCHECK } from "../../src/golang/tool-versions.js";
import { testGoToolsSettings } from "../golang/go-tools-support.js";
import { type ModuleProxy, startModuleProxy } from "../support/module-proxy.js";
import {
  callTools,
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptStep,
  say,
  tool,
} from "../support/scripted-model.js";
import {
  REACHABLE_ID,
  UNREACHABLE_ID,
  VULN_MODULE,
  writeModuleProxy,
  writeVulnDb,
} from "../verify/evidence/vuln-fixture.js";
import { type E2EWorld, labelledIssuePr, lastMessage, startWorld } from "./world.js";

const vulncheckInstalled = await ensureGoTool(GOVULNCHECK, testGoToolsSettings());
if (!vulncheckInstalled.ok && process.env.GO_TOOLS_REQUIRED === "1") {
  throw new Error(vulncheckInstalled.reason);
}
const itWithVulncheck = vulncheckInstalled.ok ? it : it.skip;

const OWNER = "acme";
const MODULE = "example.com/textkit";
const GO_MOD = `module ${MODULE}\n\ngo 1.21\n`;

let world: E2EWorld;
let proxy: ModuleProxy;
let fixtures: string;

const WORDS_BASE = `package words

import "strings"

// Upper returns s in upper case.
func Upper(s string) string { return strings.ToUpper(s) }
`;

const NORM_BASE = `package norm

import "strings"

// Trim removes the spaces around s.
func Trim(s string) string { return strings.TrimSpace(s) }
`;

const MAIN = `package main

import (
	"fmt"

	"${VULN_MODULE}"
)

func main() { fmt.Println(lib.Parse("x")) }
`;

/** go.mod requiring the library at `version`, and the go.sum go itself writes for it. */
async function moduleFiles(version: string): Promise<{ "go.mod": string; "go.sum": string }> {
  const dir = await mkdtemp(join(tmpdir(), "bga-e2e-gosum-"));
  try {
    await writeFile(join(dir, "go.mod"), `${GO_MOD}\nrequire ${VULN_MODULE} ${version}\n`);
    await writeFile(join(dir, "main.go"), MAIN);
    await promisify(execFile)("go", ["mod", "tidy"], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: dir,
        GOPROXY: `file://${join(fixtures, "proxy")}`,
        GONOSUMDB: "example.com/bgavuln",
        GOFLAGS: "-modcacherw",
        GOMODCACHE: join(dir, ".mod"),
        GOCACHE: join(dir, ".cache"),
        GOTOOLCHAIN: "local",
      },
    });
    return {
      "go.mod": await readFile(join(dir, "go.mod"), "utf8"),
      "go.sum": await readFile(join(dir, "go.sum"), "utf8"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  fixtures = await mkdtemp(join(tmpdir(), "bga-e2e-vuln-"));
  writeModuleProxy(join(fixtures, "proxy"));
  writeVulnDb(join(fixtures, "db"));
  proxy = await startModuleProxy(join(fixtures, "proxy"));
  world = await startWorld();
  const { gh } = world;
  const repos: Record<string, Record<string, string>> = {
    api: { "go.mod": GO_MOD, "words/words.go": WORDS_BASE, "internal/norm/norm.go": NORM_BASE },
    "api-strict": {
      "go.mod": GO_MOD,
      "words/words.go": WORDS_BASE,
      "internal/norm/norm.go": NORM_BASE,
      ".github/backend-go-agent.yml": "verify:\n  api: strict\n  repair_rounds: 1\n",
    },
    deps: {
      ...(await moduleFiles("v1.0.0")),
      "main.go": MAIN,
      ".github/backend-go-agent.yml": "verify:\n  repair_rounds: 1\n",
    },
  };
  for (const [repo, files] of Object.entries(repos)) {
    await gh.createRepo(OWNER, repo);
    gh.setPermission(OWNER, repo, "alice", "write");
    await gh.git.commitFiles(`${OWNER}/${repo}`, "main", files);
  }
  await world.startApp({
    // The job's module downloads come from the test's proxy, its vulnerabilities from its database.
    GOPROXY: proxy.url,
    GONOSUMDB: "example.com/bgavuln",
    GOVULNDB: join(fixtures, "db"),
  });
}, 120_000);

afterAll(async () => {
  await world?.close();
  await proxy?.close();
  if (fixtures) await rm(fixtures, { recursive: true, force: true });
});

const runIssue = (repo: string, title: string, script: ScriptStep[]) =>
  labelledIssuePr(world, OWNER, repo, { title, body: "As the title says." }, script);

/** The text a reviewer unfolds under a row of the verdict in the PR body. */
function unfolded(body: string | null, check: string): string {
  if (!body) throw new Error("the pull request has no body");
  const start = body.indexOf(`<details><summary>${check}: `);
  if (start < 0) throw new Error(`no details for ${check} in:\n${body}`);
  return body.slice(start, body.indexOf("</details>", start));
}

const REPORT = report(GO_ENGINEER_SECTIONS, "Done; `go test ./...` passes.");
const KEEP_REPORT = report(
  GO_ENGINEER_SECTIONS,
  "The issue asks for Title in place of Upper, so the removal is intended.",
);

/** Replaces Upper with Title (tested) and, in internal/norm, Trim with Fold (tested). */
const RENAME: ScriptStep = callTools(
  {
    name: "write_file",
    input: {
      path: "words/words.go",
      content:
        'package words\n\nimport "strings"\n\n// Title returns s with its first letter in upper case.\nfunc Title(s string) string {\n\tif s == "" {\n\t\treturn s\n\t}\n\treturn strings.ToUpper(s[:1]) + s[1:]\n}\n',
    },
  },
  {
    name: "write_file",
    input: {
      path: "words/words_test.go",
      content:
        'package words\n\nimport "testing"\n\nfunc TestTitle(t *testing.T) {\n\tif got := Title("go"); got != "Go" {\n\t\tt.Fatalf("Title(go) = %q", got)\n\t}\n}\n',
    },
  },
  {
    name: "write_file",
    input: {
      path: "internal/norm/norm.go",
      content:
        'package norm\n\nimport "strings"\n\n// Fold trims s and puts it in lower case.\nfunc Fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }\n',
    },
  },
  {
    name: "write_file",
    input: {
      path: "internal/norm/norm_test.go",
      content:
        'package norm\n\nimport "testing"\n\nfunc TestFold(t *testing.T) {\n\tif got := Fold(" Go "); got != "go" {\n\t\tt.Fatalf("Fold = %q", got)\n\t}\n}\n',
    },
  },
);

describe("the exported-API and govulncheck rows through the whole job", () => {
  it("a removed exported function is a warning the agent hears once, an added one is compatible, internal/ is ignored", async () => {
    const { pr, requests } = await runIssue("api", "Replace Upper with Title", [
      RENAME,
      say(REPORT),
      say(KEEP_REPORT),
    ]);
    const repairAsk = requests.find((r) => lastMessage(r).includes("repair round 1 of 2"));
    expect(lastMessage(repairAsk!)).toContain("passed, with warnings");
    expect(lastMessage(repairAsk!)).toContain(
      `Your change breaks the exported API that code outside the package may use: ${MODULE}/words: removed func Upper.`,
    );
    expect(lastMessage(repairAsk!)).not.toContain("Trim");
    // Heard once: the same warning, explained, costs no second round.
    expect(requests.some((r) => lastMessage(r).includes("repair round 2 of 2"))).toBe(false);
    expect(pr.pull!.draft).toBe(false);
    expect(pr.body).toContain(
      `| exported API | 🟡 warning | 1 incompatible change: ${MODULE}/words: removed func Upper; 1 addition (a warning; verify.api: strict makes it fail) |`,
    );
    const api = unfolded(pr.body, "exported API");
    expect(api).toMatch(
      new RegExp(
        `Incompatible with [0-9a-f]{7,}:\\n- ${MODULE}/words: removed func Upper\\n\\nAdded \\(compatible\\):\\n\\+ ${MODULE}/words: func Title\\n`,
      ),
    );
    expect(api).not.toContain("norm");
    expect(pr.body).toContain(
      "| fail → pass | ✅ pass | 2 of 2 new or changed tests fail without the change and pass with it |",
    );
    expect(pr.body).toContain("Round 1: exported API warned → resolved nothing; still warning: exported API");
  }, 480_000);

  it("under verify.api: strict the removal is red: the repair round is told and the PR is a draft", async () => {
    const { pr, requests } = await runIssue("api-strict", "Replace Upper with Title", [
      RENAME,
      say(REPORT),
      say(KEEP_REPORT),
    ]);
    const repairAsk = requests.find((r) => lastMessage(r).includes("repair round 1 of 1"));
    expect(lastMessage(repairAsk!)).toContain("Verification of your change failed");
    expect(lastMessage(repairAsk!)).toContain(`${MODULE}/words: removed func Upper`);
    expect(pr.pull!.draft).toBe(true);
    expect(pr.body).toContain(
      `| exported API | ❌ fail | 1 incompatible change: ${MODULE}/words: removed func Upper; 1 addition |`,
    );
    expect(unfolded(pr.body, "exported API")).toContain(`+ ${MODULE}/words: func Title`);
    expect(pr.body).toContain("Round 1: exported API failed → fixed nothing; still failing: exported API");
  }, 480_000);

  itWithVulncheck(
    "a go.mod bump to a version with a reachable vulnerability is red with the OSV id, the fixed version and the call path; the unreachable one is a note",
    async () => {
      const bumped = await moduleFiles("v1.1.0");
      const { pr, requests } = await runIssue("deps", `Upgrade ${VULN_MODULE} to v1.1.0`, [
        tool("write_file", { path: "go.mod", content: bumped["go.mod"] }),
        tool("go", { args: ["mod", "tidy"] }),
        say(REPORT),
        say(REPORT),
      ]);
      const tidied = requests.find((r) => lastMessage(r).includes("$ go mod tidy"));
      expect(lastMessage(tidied!)).toContain("exit code 0");
      const repairAsk = requests.find((r) => lastMessage(r).includes("repair round 1 of 1"));
      expect(lastMessage(repairAsk!)).toContain("Verification of your change failed");
      expect(lastMessage(repairAsk!)).toContain(REACHABLE_ID);
      expect(lastMessage(repairAsk!)).toContain("call path");
      expect(pr.pull!.draft).toBe(true);
      expect(pr.body).toContain(
        `| govulncheck | ❌ fail | 1 reachable vulnerability: ${REACHABLE_ID} (${VULN_MODULE}, fixed in v1.2.0); 1 in a required module the code does not call: ${UNREACHABLE_ID} |`,
      );
      const vulns = unfolded(pr.body, "govulncheck");
      expect(vulns).toContain(
        `${REACHABLE_ID} in ${VULN_MODULE}@v1.1.0 (fixed in v1.2.0): Parse in ${VULN_MODULE} mishandles input (CVE-2026-90001)\ncall path:\n${MODULE}.main (main.go:9)\n  ${VULN_MODULE}.Parse (lib.go:4)`,
      );
      expect(vulns).toContain(
        `Not reached by the code (a note):\n- ${UNREACHABLE_ID} in ${VULN_MODULE}@v1.1.0 (fixed in v1.2.0): Render in ${VULN_MODULE} mishandles input`,
      );
      expect(pr.body).toContain("Round 1: govulncheck failed → fixed nothing; still failing: govulncheck");
      // The base (v1.0.0) came from the same proxy, and nothing it reaches is set apart.
      expect(proxy.requests).toContain(`/${VULN_MODULE}/@v/v1.0.0.zip`);
      expect(pr.body).not.toContain("Pre-existing on");
    },
    480_000,
  );
});
