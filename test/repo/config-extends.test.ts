// `_extends` reads only what it may: this repository (any path) and the owner's `.github`
// repository, more only when the operator lists it in CONFIG_EXTENDS_ALLOW; and an error
// about another repository's file names keys, never the values the file holds.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { ConfigError, loadConfig } from "../../src/config/env.js";
import { githubConfigReader } from "../../src/github/context/contents-api-files.js";
import { RepoConfigError } from "../../src/repo/config-errors.js";
import { CONFIG_PATH } from "../../src/repo/config-schema.js";
import { mayExtend, parseExtendsAllow } from "../../src/repo/extends-policy.js";
import { type LoadConfigOptions, loadRepoConfig } from "../../src/repo/repo-config.js";
import { API, missingFile, octokit, serveFile } from "./octokit.js";

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

const SECRET = "hunter2-db-password-77a1";
const LEDGER = { owner: "acme", repo: "ledger" };

async function loadError(options?: LoadConfigOptions): Promise<RepoConfigError> {
  const err = await loadRepoConfig(githubConfigReader(octokit()), LEDGER, options).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RepoConfigError);
  return err as RepoConfigError;
}

describe("_extends", () => {
  it("refuses another repository's file without reading it, and says what is allowed", async () => {
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, "_extends: acme/payroll:deploy/values.yml\n");
    // Not served: a request for it would fail the test (nock refuses unknown requests).
    const err = await loadError();
    expect(err.file).toBe("acme/ledger:.github/backend-go-agent.yml");
    expect(err.key).toBe("_extends");
    expect(err.message).toContain("names acme/payroll, which it may not read");
    expect(err.message).toContain("acme/.github");
    expect(err.message).toContain("CONFIG_EXTENDS_ALLOW");
    expect(err.render()).toContain("`_extends`");
  });

  it("refuses another owner's repository and a bare repository name of the same owner", async () => {
    for (const target of ["evil/secrets:prod.yml", "payroll", "payroll:x.yml"]) {
      const scope = nock(API);
      serveFile(scope, "acme", "ledger", CONFIG_PATH, `_extends: ${target}\n`);
      expect((await loadError()).key).toBe("_extends");
    }
  });

  it("still reads the owner's .github repository and another path of the same repository", async () => {
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, "_extends: ledger:ci/agent.yml\nmodel: opus\n");
    serveFile(scope, "acme", "ledger", "ci/agent.yml", "_extends: acme/.github:bots/go.yml\n");
    serveFile(scope, "acme", ".github", "bots/go.yml", "trigger:\n  command: gopher\n");
    const config = await loadRepoConfig(githubConfigReader(octokit()), LEDGER);
    expect(config.model).toBe("opus");
    expect(config.trigger.command).toBe("gopher");
  });

  it("reads what CONFIG_EXTENDS_ALLOW lists, and nothing beside it", async () => {
    const allow = parseExtendsAllow("acme/shared-config, platform/*");
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, "_extends: shared-config:go.yml\n");
    serveFile(scope, "acme", "shared-config", "go.yml", "_extends: platform/base\nmodel: sonnet\n");
    serveFile(scope, "platform", "base", CONFIG_PATH, "budgets:\n  max_turns: 7\n");
    const config = await loadRepoConfig(githubConfigReader(octokit()), LEDGER, { extendsAllow: allow });
    expect(config.model).toBe("sonnet");
    expect(config.budgets.max_turns).toBe(7);
    expect(mayExtend(LEDGER, { owner: "acme", repo: "payroll" }, allow)).toBe(false);
    expect(mayExtend(LEDGER, { owner: "platform", repo: "anything" }, allow)).toBe(true);
  });

  it("a .github file that extends elsewhere is refused without naming where", async () => {
    const scope = nock(API);
    missingFile(scope, "acme", "ledger", CONFIG_PATH);
    serveFile(scope, "acme", ".github", CONFIG_PATH, `_extends: acme/payroll:${SECRET}.yml\n`);
    const err = await loadError();
    expect(err.file).toBe("acme/.github:.github/backend-go-agent.yml");
    expect(err.key).toBe("_extends");
    expect(`${err.message}\n${err.render()}`).not.toMatch(/payroll|hunter2/);
  });
});

describe("errors about another repository's file", () => {
  it("name the keys of an allowed extended file, never its values", async () => {
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, "_extends: payroll:deploy/values.yml\n");
    serveFile(
      scope,
      "acme",
      "payroll",
      "deploy/values.yml",
      `db_password: ${SECRET}\nverify:\n  commands: ["echo \\"$${SECRET}\\""]\nmodel: 42\n`,
    );
    const err = await loadError({ extendsAllow: [{ owner: "acme", repo: "payroll" }] });
    expect(err.file).toBe("acme/payroll:deploy/values.yml");
    expect(err.problems.map((p) => p.key).sort()).toEqual(["db_password", "model", "verify.commands[0]"]);
    const shown = `${err.message}\n${err.render()}`;
    expect(shown).toContain("`db_password`");
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain("42");
  });

  it("name keys of the organisation's .github file, which the reader may not see", async () => {
    const scope = nock(API);
    missingFile(scope, "acme", "ledger", CONFIG_PATH);
    serveFile(scope, "acme", ".github", CONFIG_PATH, `api_token: ${SECRET}\n`);
    const err = await loadError();
    expect(err.render()).toContain("`api_token`");
    expect(err.render()).not.toContain(SECRET);
  });

  it("give a YAML error of another repository's file by position only", async () => {
    const scope = nock(API);
    serveFile(scope, "acme", "ledger", CONFIG_PATH, "_extends: .github\n");
    serveFile(scope, "acme", ".github", CONFIG_PATH, `a: 1\n${SECRET}: !<!${SECRET}> x\n`);
    const err = await loadError();
    expect(err.render()).toContain("invalid YAML: at line 2");
    expect(`${err.message}\n${err.render()}`).not.toContain(SECRET);
  });

  it("keep showing the repository's own values, where they help the person fix them", async () => {
    const scope = nock(API);
    // The own file is checked first, alone: its mistake is reported with its value (and the
    // .github file it extends is not even read).
    serveFile(scope, "acme", "ledger", CONFIG_PATH, `_extends: .github\nmodle: ${SECRET}\n`);
    const err = await loadError();
    expect(err.file).toBe("acme/ledger:.github/backend-go-agent.yml");
    expect(err.render()).toContain(SECRET);
    expect(err.render()).toContain('did you mean "model"');
  });
});

describe("CONFIG_EXTENDS_ALLOW", () => {
  it("is a comma-separated list of owner/repo or owner/*, refused by name otherwise", () => {
    expect(parseExtendsAllow(" acme/base , tools/* ")).toEqual([
      { owner: "acme", repo: "base" },
      { owner: "tools", repo: "*" },
    ]);
    expect(parseExtendsAllow(undefined)).toEqual([]);
    expect(loadConfig({ CONFIG_EXTENDS_ALLOW: "acme/base" }).configExtendsAllow).toEqual([
      { owner: "acme", repo: "base" },
    ]);
    expect(loadConfig({}).configExtendsAllow).toEqual([]);
    for (const bad of ["acme", "*/*", "acme/base/x", "https://github.com/acme/x"]) {
      expect(() => loadConfig({ CONFIG_EXTENDS_ALLOW: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ CONFIG_EXTENDS_ALLOW: bad })).toThrow(/CONFIG_EXTENDS_ALLOW/);
    }
  });
});
