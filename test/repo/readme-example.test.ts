// The documented example configuration (docs/configuration.md) must stay a file the app accepts.

import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { githubConfigReader } from "../../src/github/context/contents-api-files.js";
import { CONFIG_PATH } from "../../src/repo/config-schema.js";
import { loadRepoConfig, protectedPaths, triggerLabels } from "../../src/repo/repo-config.js";
import { API, octokit, serveFile } from "./octokit.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

function yamlBlock(file: string, heading: string): string {
  const page = readFileSync(file, "utf8");
  const at = page.indexOf(heading);
  const block = at >= 0 ? /```yaml\n([\s\S]*?)```/.exec(page.slice(at)) : null;
  if (!block) throw new Error(`${file} has no example configuration under "${heading}"`);
  return block[1]!;
}

const readmeExample = () => yamlBlock("docs/configuration.md", "## Per-repository configuration");

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
    expect(config.verify).toMatchObject({ fail_pass: "on", race: "auto", api: "strict", vulncheck: "auto" });
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
      keep_up_to_date: false,
    });
    expect(config.verify.services).toEqual({
      postgres: { url: "DATABASE_URL", extensions: ["pgcrypto"], init: "testdata/init.sql" },
      redis: { url: "REDIS_URL" },
      nats: { url: "NATS_URL" },
    });
    expect(config.verify.tags).toEqual(["integration"]);
    expect(config.verify.migrations).toBe("db/migrations");
    expect(config.go.goprivate).toBe("github.com/acme/*");
    expect(config.base_branch).toBe("develop");
  });
});

describe("the README's minimal configuration", () => {
  it("loads, with the values it documents and the defaults for the rest", async () => {
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, yamlBlock("README.md", "## A minimal configuration"));
    const config = await loadRepoConfig(githubConfigReader(octokit()), { owner: "acme", repo: "ledger" });
    expect(scope.isDone()).toBe(true);
    expect(config.trigger.min_permission).toBe("maintain");
    expect(config.budgets.max_usd).toBe(5);
    expect(protectedPaths(config)).toEqual([".git/**", ".github/workflows/**", "migrations/**"]);
    expect(config.pull_request.reviewers).toEqual(["alice"]);
    expect(triggerLabels(config)).toEqual(["backend-go"]);
  });
});
