// Where the signing mode comes from: the repository's commits.signing, else the app's
// COMMIT_SIGNING, else git push; a typo in either is an error, never a silent push.
import { describe, expect, it } from "@jest/globals";
import { ConfigError, loadConfig } from "../../src/config/env.js";
import { RepoConfigError } from "../../src/repo/config-errors.js";
import { parseRepoConfig } from "../../src/repo/repo-config.js";

describe("commit signing settings", () => {
  it("COMMIT_SIGNING defaults to git, accepts github, and refuses anything else", () => {
    expect(loadConfig({}).commitSigning).toBe("git");
    expect(loadConfig({ COMMIT_SIGNING: "github" }).commitSigning).toBe("github");
    expect(() => loadConfig({ COMMIT_SIGNING: "gpg" })).toThrow(ConfigError);
    expect(() => loadConfig({ COMMIT_SIGNING: "gpg" })).toThrow(/COMMIT_SIGNING must be "git" or "github"/);
  });

  it("commits.signing is per repository, unset by default so the app's default applies", () => {
    expect(parseRepoConfig({}, "f.yml").commits.signing).toBeUndefined();
    expect(parseRepoConfig({ commits: { signing: "github" } }, "f.yml").commits.signing).toBe("github");
    expect(() => parseRepoConfig({ commits: { signing: "ssh" } }, "f.yml")).toThrow(RepoConfigError);
    expect(() => parseRepoConfig({ commits: { signin: "github" } }, "f.yml")).toThrow(RepoConfigError);
  });
});
