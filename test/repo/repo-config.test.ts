import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { DEFAULT_BUDGETS } from "../../src/agent/budget.js";
import { githubConfigReader } from "../../src/github/context/contents-api-files.js";
import { RepoConfigError } from "../../src/repo/config-errors.js";
import { CONFIG_PATH, defaultRepoConfig } from "../../src/repo/config-schema.js";
import {
  budgetsFor,
  loadRepoConfig,
  parseRepoConfig,
  protectedPaths,
  triggerLabels,
} from "../../src/repo/repo-config.js";
import { API, missingFile, octokit, serveFile } from "./octokit.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

function configError(fn: () => unknown): RepoConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RepoConfigError);
    return err as RepoConfigError;
  }
  throw new Error("expected a RepoConfigError");
}

describe("repository configuration schema", () => {
  it("fills every default for an empty file", () => {
    const config = parseRepoConfig({}, "f");
    expect(config).toEqual(defaultRepoConfig());
    expect(config.trigger).toEqual({ label: "backend-go", command: "agent", min_permission: "write" });
    expect(config.agents.default).toBe("backend-engineer-golang");
    expect(config.pull_request.draft).toBe("when-not-green");
    expect(config.verify.commands).toEqual([
      ["gofmt", "-l", "."],
      ["go", "vet", "./..."],
      ["go", "build", "./..."],
      ["go", "test", "./..."],
    ]);
    expect(protectedPaths(config)).toEqual([".git/**", ".github/workflows/**"]);
  });

  it("quotes the file, the key path and the problem for a bad value", () => {
    const err = configError(() =>
      parseRepoConfig({ trigger: { min_permission: "read" } }, "acme/ledger:.github/backend-go-agent.yml"),
    );
    expect(err.message).toMatch(
      /^acme\/ledger:\.github\/backend-go-agent\.yml: key "trigger\.min_permission": /,
    );
    expect(err.message).toContain('must be one of "triage", "write", "maintain", "admin"');
    expect(err.key).toBe("trigger.min_permission");
    const md = err.render();
    expect(md).toContain("`acme/ledger:.github/backend-go-agent.yml`");
    expect(md).toContain("- `trigger.min_permission`:");
    expect(md).toContain('"read"');
  });

  it("names an unknown key and suggests the one probably meant", () => {
    const err = configError(() =>
      parseRepoConfig({ protected_path: ["migrations/**"], pull_request: { reveiwers: ["bob"] } }, "f.yml"),
    );
    const keys = err.problems.map((p) => p.key).sort();
    expect(keys).toEqual(["protected_path", "pull_request.reveiwers"]);
    expect(err.problems.find((p) => p.key === "protected_path")!.problem).toContain(
      'did you mean "protected_paths"?',
    );
    expect(err.problems.find((p) => p.key === "pull_request.reveiwers")!.problem).toContain(
      'did you mean "reviewers"?',
    );
    expect(err.render()).toContain('"bob"');
  });

  it("refuses to unprotect the workflows or .git with a negated glob", () => {
    const err = configError(() =>
      parseRepoConfig({ protected_paths: ["docs/**", "!.github/workflows/**"] }, "f.yml"),
    );
    expect(err.key).toBe("protected_paths[1]");
    expect(err.problems[0]!.problem).toMatch(
      /negation.*\.git\/\*\* and \.github\/workflows\/\*\* are always protected/,
    );
    expect(err.problems[0]!.value).toBe("!.github/workflows/**");
  });

  it("adds the repository's protected paths to the built-in ones", () => {
    const config = parseRepoConfig({ protected_paths: ["migrations/**", ".github/workflows/**"] }, "f");
    expect(protectedPaths(config)).toEqual([".git/**", ".github/workflows/**", "migrations/**"]);
  });

  it("splits string commands into argv without a shell and refuses shell syntax", () => {
    const config = parseRepoConfig(
      { verify: { commands: ["make test", 'go test -run "Test Balance" ./...', ["go", "vet", "./..."]] } },
      "f",
    );
    expect(config.verify.commands).toEqual([
      ["make", "test"],
      ["go", "test", "-run", "Test Balance", "./..."],
      ["go", "vet", "./..."],
    ]);
    for (const bad of ["go test ./... | tee out", "make test && rm -rf /", "echo $HOME", "go test; curl x"]) {
      const err = configError(() => parseRepoConfig({ verify: { commands: ["go build ./...", bad] } }, "f"));
      expect(err.key).toBe("verify.commands[1]");
      expect(err.problems[0]!.problem).toContain("without a shell");
    }
  });

  it("reads the evidence keys, defaults included, and names a wrong value", () => {
    expect(parseRepoConfig({}, "f").verify).toMatchObject({
      fail_pass: "on",
      race: "auto",
      api: "warn",
      vulncheck: "auto",
    });
    const set = parseRepoConfig({ verify: { fail_pass: "off", race: "on", api: "strict" } }, "f");
    expect(set.verify).toMatchObject({ fail_pass: "off", race: "on", api: "strict" });
    const err = configError(() => parseRepoConfig({ verify: { api: "loose", racy: "on" } }, "f"));
    const problems = Object.fromEntries(err.problems.map((p) => [p.key, p.problem]));
    expect(problems["verify.api"]).toContain('must be one of "warn", "strict", "off"');
    expect(Object.keys(problems)).toContain("verify.racy");
  });

  it("rejects wrong types and bad branch names with their keys, in plain words", () => {
    const err = configError(() =>
      parseRepoConfig(
        {
          budgets: { max_usd: "ten", max_turns: 2.5 },
          base_branch: "--upload-pack=x",
          verify: { commands: [42] },
          pull_request: "yes",
        },
        "f",
      ),
    );
    const problems = Object.fromEntries(err.problems.map((p) => [p.key, p.problem]));
    expect(Object.keys(problems).sort()).toEqual([
      "base_branch",
      "budgets.max_turns",
      "budgets.max_usd",
      "pull_request",
      "verify.commands[0]",
    ]);
    expect(problems["budgets.max_usd"]).toBe("must be a number, not a string");
    expect(problems.pull_request).toBe("must be a mapping, not a string");
    expect(problems["verify.commands[0]"]).toBe("must be a command: one string, or a list of words");
    expect(err.message).toContain("(and 4 more problems)");
  });

  it("applies budgets over the app's and lists every trigger label", () => {
    const config = parseRepoConfig(
      { budgets: { max_usd: 2.5, max_minutes: 10 }, agents: { labels: { "go-review": "go-reviewer" } } },
      "f",
    );
    const budgets = budgetsFor(config, DEFAULT_BUDGETS);
    expect(budgets.maxCostUsd).toBe(2.5);
    expect(budgets.maxWallClockMs).toBe(600_000);
    expect(budgets.maxTurns).toBe(DEFAULT_BUDGETS.maxTurns);
    expect(triggerLabels(config)).toEqual(["backend-go", "go-review"]);
  });
});

describe("loading the configuration from GitHub", () => {
  it("returns the defaults when neither the repository nor the organisation has a file", async () => {
    const scope = nock(API);
    missingFile(scope, "acme", "ledger", CONFIG_PATH);
    missingFile(scope, "acme", ".github", CONFIG_PATH);
    expect(await loadRepoConfig(githubConfigReader(octokit()), { owner: "acme", repo: "ledger" })).toEqual(
      defaultRepoConfig(),
    );
  });

  it("layers the repository's file over the organisation file it _extends", async () => {
    const scope = nock(API);
    serveFile(
      scope,
      "acme",
      "ledger",
      CONFIG_PATH,
      "_extends: .github\ntrigger:\n  label: go-bot\nprotected_paths: [migrations/**]\npull_request:\n  reviewers: [alice]\n",
    );
    serveFile(
      scope,
      "acme",
      ".github",
      CONFIG_PATH,
      "trigger:\n  command: gopher\n  min_permission: maintain\nprotected_paths: [secrets/**]\nmodel: sonnet\npull_request:\n  reviewers: [org-lead]\n  labels: [bot]\n",
    );
    const config = await loadRepoConfig(githubConfigReader(octokit()), { owner: "acme", repo: "ledger" });
    expect(config.trigger).toEqual({ label: "go-bot", command: "gopher", min_permission: "maintain" });
    expect(config.model).toBe("sonnet");
    expect(config.pull_request.reviewers).toEqual(["alice"]);
    expect(config.pull_request.labels).toEqual(["bot"]);
    expect(protectedPaths(config)).toEqual([
      ".git/**",
      ".github/workflows/**",
      "secrets/**",
      "migrations/**",
    ]);
  });

  it("uses the organisation's .github file when the repository has none", async () => {
    const scope = nock(API);
    missingFile(scope, "acme", "ledger", CONFIG_PATH);
    serveFile(scope, "acme", ".github", CONFIG_PATH, "agents:\n  default: go-reviewer\n");
    const config = await loadRepoConfig(githubConfigReader(octokit()), { owner: "acme", repo: "ledger" });
    expect(config.agents.default).toBe("go-reviewer");
  });

  it("names the extended file when the mistake is in it", async () => {
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, "_extends: shared-config:bots/go.yml\n");
    serveFile(scope, "acme", "shared-config", "bots/go.yml", "budgets:\n  max_usd: -3\n");
    const err = await loadRepoConfig(
      githubConfigReader(octokit()),
      { owner: "acme", repo: "ledger" },
      { extendsAllow: [{ owner: "acme", repo: "shared-config" }] },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RepoConfigError);
    expect((err as RepoConfigError).file).toBe("acme/shared-config:bots/go.yml");
    expect((err as Error).message).toContain('key "budgets.max_usd": must be above 0');
  });

  it("turns YAML the plugin cannot parse into a configuration error naming the file", async () => {
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, "trigger: [unclosed\n");
    const err = await loadRepoConfig(githubConfigReader(octokit()), { owner: "acme", repo: "ledger" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RepoConfigError);
    expect((err as Error).message).toContain("acme/ledger:.github/backend-go-agent.yml");
    expect((err as Error).message).toContain("invalid YAML");
  });

  it("refuses an _extends loop, naming the file", async () => {
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, "_extends: shared\n");
    serveFile(scope, "acme", "shared", CONFIG_PATH, "_extends: ledger\n");
    const err = await loadRepoConfig(
      githubConfigReader(octokit()),
      { owner: "acme", repo: "ledger" },
      { extendsAllow: [{ owner: "acme", repo: "*" }] },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RepoConfigError);
    expect((err as Error).message).toContain("Recursion detected");
    expect((err as Error).message).toContain("acme/ledger:.github/backend-go-agent.yml");
  });

  it("lets a GitHub outage through as itself, not as a configuration error", async () => {
    const scope = nock(API);
    scope.get(`/repos/acme/ledger/contents/${encodeURIComponent(CONFIG_PATH)}`).reply(502, "bad gateway");
    const err = await loadRepoConfig(githubConfigReader(octokit()), { owner: "acme", repo: "ledger" }).catch(
      (e: unknown) => e,
    );
    expect(err).not.toBeInstanceOf(RepoConfigError);
    expect((err as { status?: number }).status).toBe(502);
  });
});
