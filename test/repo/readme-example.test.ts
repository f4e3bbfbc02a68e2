// The documented example configuration (docs/configuration.md) must stay a file the app accepts.

import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { githubConfigReader } from "../../src/github/repo-files.js";
import { CONFIG_PATH } from "../../src/repo/config-schema.js";
import { loadRepoConfig, protectedPaths, triggerLabels } from "../../src/repo/repo-config.js";
import { API, octokit, serveFile } from "./octokit.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

function readmeExample(): string {
  const page = readFileSync("docs/configuration.md", "utf8");
  const section = page.slice(page.indexOf("## Per-repository configuration"));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("docs/configuration.md has no example configuration");
  return block[1]!;
}

describe("the documented example configuration", () => {
  it("loads through the config plugin, _extends included, with the values it documents", async () => {
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, readmeExample());
    serveFile(scope, "acme", ".github", CONFIG_PATH, "protected_paths: [secrets/**]\n");
    const config = await loadRepoConfig(githubConfigReader(octokit()), { owner: "acme", repo: "ledger" });
    expect(scope.isDone()).toBe(true);
    expect(triggerLabels(config)).toEqual(["backend-go", "needs-review", "needs-migration"]);
    expect(config.verify.commands).toContainEqual(["make", "test"]);
    expect(config.verify.commands).toContainEqual([
      "go",
      "test",
      "-race",
      "-count=1",
      "./internal/ledger/...",
    ]);
    expect(protectedPaths(config)).toEqual([
      ".git/**",
      ".github/workflows/**",
      "secrets/**",
      "migrations/**",
      "api/openapi.yaml",
    ]);
    expect(config.pull_request).toEqual({
      draft: "when-not-green",
      reviewers: ["alice", "bob"],
      team_reviewers: ["payments-backend"],
      labels: ["bot", "backend"],
      on_review: "command",
    });
    expect(config.go.goprivate).toBe("github.com/acme/*");
    expect(config.base_branch).toBe("develop");
  });
});
