// What a repository's code can reach beyond its own job, tried as an attacker would against
// the real app (node dist/main.js), the GitHub stand-in (REST and git), the scripted model
// through the real SDK, real git and real Go in bubblewrap:
// - a test that turns a submodule's directory into a repository whose config runs a command
//   (core.fsmonitor) when host git looks into it;
// - a test that plants files in the Go caches for the next repository's job to trust.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { AppProcess } from "../e2e/harness.js";
import { type E2EWorld, startWorld } from "../e2e/world.js";
import type { GitHubStandIn } from "../support/github-server.js";
import { issuesLabeled, sendWebhook } from "../support/github-webhooks.js";
import {
  GO_ENGINEER_SECTIONS,
  report,
  type ScriptedModelServer,
  say,
  tool,
  toolResults,
} from "../support/scripted-model.js";

const OWNER = "acme";
const LEDGER = "ledger";
const OTHER = "rates";
const WEBHOOK_SECRET = "bga-containment-webhook-secret";
const JOBS_TOKEN = "bga-containment-jobs-token";
/** The submodule's recorded commit: the nested repository's HEAD must equal it. */
const GITLINK = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

const MODULE_FILES: Record<string, string> = {
  "go.mod": "module example.com/ledger\n\ngo 1.21\n",
  "ledger/ledger.go":
    "package ledger\n\n// Balance sums the entries.\nfunc Balance(entries []int64) int64 {\n\tvar sum int64\n\tfor _, e := range entries {\n\t\tsum += e\n\t}\n\treturn sum\n}\n",
  "ledger/ledger_test.go":
    'package ledger\n\nimport "testing"\n\nfunc TestBalance(t *testing.T) {\n\tif Balance([]int64{1, 2}) != 3 {\n\t\tt.Fatal("wrong sum")\n\t}\n}\n',
};

/** A test that makes third_party/fx a repository whose config runs `touch <marker>`. */
function nestingTest(marker: string): string {
  return `package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNest(t *testing.T) {
	git := filepath.Join("..", "third_party", "fx", ".git")
	for _, d := range []string{"objects", "refs"} {
		if err := os.MkdirAll(filepath.Join(git, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.WriteFile(filepath.Join(git, "HEAD"), []byte("${GITLINK}\\n"), 0o644)
	cfg := "[core]\\n\\trepositoryformatversion = 0\\n\\tfsmonitor = \\"touch ${marker}; false\\"\\n"
	if err := os.WriteFile(filepath.Join(git, "config"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}
`;
}

/** Plants a file in every Go cache the test can name, and says what each write did. */
const PLANT_TEST = `package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPlant(t *testing.T) {
	for _, dir := range []string{os.Getenv("GOMODCACHE"), filepath.Join(os.Getenv("GOMODCACHE"), "cache", "vcs"), os.Getenv("GOCACHE")} {
		err := os.WriteFile(filepath.Join(dir, "planted-by-ledger"), []byte("x"), 0o644)
		t.Logf("PLANT %s: %v", filepath.Base(dir), err)
	}
}
`;

/** Looks for what the ledger's test planted, in this job's caches. */
const LOOK_TEST = `package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLook(t *testing.T) {
	for _, dir := range []string{os.Getenv("GOMODCACHE"), filepath.Join(os.Getenv("GOMODCACHE"), "cache", "vcs"), os.Getenv("GOCACHE")} {
		if _, err := os.Stat(filepath.Join(dir, "planted-by-ledger")); err == nil {
			t.Errorf("FOUND in %s", dir)
		}
	}
	t.Log("LOOKED")
}
`;

let world: E2EWorld;
let gh: GitHubStandIn;
let model: ScriptedModelServer;
let app: AppProcess;
let moduleDir: string;
let markerDir: string;

beforeAll(async () => {
  world = await startWorld({ extra: { WEBHOOK_SECRET, JOBS_TOKEN, JOB_CONCURRENCY: "1" } });
  ({ gh, model } = world);
  moduleDir = await mkdtemp(join(tmpdir(), "bga-containment-module-"));
  markerDir = await mkdtemp(join(tmpdir(), "bga-containment-marker-"));
  for (const [path, content] of Object.entries(MODULE_FILES)) {
    mkdirSync(join(moduleDir, path, ".."), { recursive: true });
    writeFileSync(join(moduleDir, path), content);
  }
  for (const repo of [LEDGER, OTHER]) {
    await gh.createRepo(OWNER, repo, { fromDir: moduleDir });
    gh.setPermission(OWNER, repo, "alice", "write");
  }
  // A submodule entry: cloned as an empty directory, as the bot never initialises submodules.
  await gh.git.commitFiles(`${OWNER}/${LEDGER}`, "main", { "third_party/fx": { gitlink: GITLINK } });
  app = await world.startApp();
}, 120_000);

afterAll(async () => {
  await world?.close();
  for (const dir of [moduleDir, markerDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

const finished = (deliveryId: string) => world.finishedJob(deliveryId, 240_000);

async function labelIssue(repo: string, title: string): Promise<{ number: number; deliveryId: string }> {
  const issue = gh.createIssue(OWNER, repo, { title, user: "alice" });
  const res = await sendWebhook(`${app.url}/api/github/webhooks`, {
    secret: WEBHOOK_SECRET,
    event: "issues",
    payload: issuesLabeled(gh, { owner: OWNER, repo, number: issue.number, label: "backend-go" }),
  });
  expect(res.status).toBe(200);
  return { number: issue.number, deliveryId: res.deliveryId };
}

const tracking = (repo: string, number: number) =>
  gh.state
    .commentsOn(OWNER, repo, number)
    .find((c) => c.user.login === gh.bot.login && c.body.includes("backend-go-agent:tracking"));

describe("a nested repository planted by a test", () => {
  it("written by a test the agent ran: no command runs on the host, the job names the nested repository, nothing is pushed", async () => {
    const marker = join(markerDir, "ran-by-agent-test");
    model.add(
      tool("write_file", { path: "ledger/nest_test.go", content: nestingTest(marker) }),
      tool("go", { args: ["test", "-count=1", "-run", "TestNest", "./ledger/"] }),
      say(report(GO_ENGINEER_SECTIONS, "Added a test.")),
    );
    const { number, deliveryId } = await labelIssue(LEDGER, "Add a nesting test");
    const job = await finished(deliveryId);
    expect(job.status).toBe("failed");
    expect(existsSync(marker)).toBe(false);
    expect(tracking(LEDGER, number)?.body).toContain(
      "the checkout gained a nested git repository (third_party/fx/.git)",
    );
    expect(await gh.git.revParse(`${OWNER}/${LEDGER}`, `backend-go/issue-${number}`)).toBeUndefined();
    expect(gh.state.pulls(OWNER, LEDGER)).toHaveLength(0);
  }, 300_000);

  it("written by a test already in the repository, during verification: nothing runs on the host and nothing is committed", async () => {
    const marker = join(markerDir, "ran-by-repository-test");
    await gh.git.commitFiles(`${OWNER}/${LEDGER}`, "main", { "ledger/nest_test.go": nestingTest(marker) });
    model.add(
      tool("write_file", {
        path: "ledger/doc.go",
        content: "// Package ledger keeps balances.\npackage ledger\n",
      }),
      say(report(GO_ENGINEER_SECTIONS, "Documented the package.")),
    );
    const { number, deliveryId } = await labelIssue(LEDGER, "Document the package");
    const job = await finished(deliveryId);
    expect(job.status).toBe("failed");
    expect(existsSync(marker)).toBe(false);
    expect(tracking(LEDGER, number)?.body).toContain("gained a nested git repository (third_party/fx/.git)");
    expect(await gh.git.revParse(`${OWNER}/${LEDGER}`, `backend-go/issue-${number}`)).toBeUndefined();
    await gh.git.commitFiles(`${OWNER}/${LEDGER}`, "main", { "ledger/nest_test.go": null });
  }, 300_000);
});

describe("files planted in the Go caches", () => {
  it("one repository's test cannot write the module cache, and what it writes to its build cache never reaches another repository's job", async () => {
    let planted = "";
    model.add(
      tool("write_file", { path: "ledger/plant_test.go", content: PLANT_TEST }),
      tool("go", { args: ["test", "-count=1", "-v", "-run", "TestPlant", "./ledger/"] }),
      (req) => {
        planted = toolResults(req)[0]?.content ?? "";
        return say(report(GO_ENGINEER_SECTIONS, "Planted."));
      },
    );
    const first = await labelIssue(LEDGER, "Plant");
    await finished(first.deliveryId);
    expect(planted).toMatch(/PLANT mod: open \S+: read-only file system/);
    expect(planted).toMatch(/PLANT vcs: open \S+: (read-only file system|no such file or directory)/);
    expect(planted).toMatch(/PLANT build-cache: <nil>/);

    let looked = "";
    model.add(
      tool("write_file", { path: "ledger/look_test.go", content: LOOK_TEST }),
      tool("go", { args: ["test", "-count=1", "-v", "-run", "TestLook", "./ledger/"] }),
      (req) => {
        looked = toolResults(req)[0]?.content ?? "";
        return say(report(GO_ENGINEER_SECTIONS, "Looked."));
      },
    );
    const second = await labelIssue(OTHER, "Look");
    await finished(second.deliveryId);
    expect(looked).toContain("LOOKED");
    expect(looked).not.toContain("FOUND");
    expect(looked).toMatch(/--- PASS: TestLook/);
  }, 400_000);
});
