// A private module of the installation's owner, fetched with the installation token: a real
// bare repository served by `git http-backend` with token auth on 127.0.0.1, real go runs.
// The module path is the production shape (github.com/<owner>/<repo>); gitUrl points git at
// the stand-in, as it would at a GitHub Enterprise reached under another name.
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { runTool } from "../../src/agent/tools/registry.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import {
  credentialGitConfig,
  ModuleAccessError,
  type PrivateModuleCredentials,
  withModuleAccess,
} from "../../src/golang/module-access.js";
import { verify } from "../../src/verify/verify.js";
import { BUILTIN_PROTECTED_GLOBS } from "../../src/workspace/safe-path.js";
import { git } from "../support/git-repos.js";
import { type GitServer, startGitServer } from "../support/git-server.js";
import { emptyDir, FIXTURES, testToolchain } from "./support.js";

const TOKEN = "ghs_privateModuleSentinel7f3aToken";
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
// Versions no earlier run (or test) left in the shared module cache, so each really downloads.
const RUN = Date.now() % 1_000_000_000;
const VERSION = `v1.0.${RUN}`;
const UNSEEN = `v1.1.${RUN}`;

let tc: GoToolchain;
let server: GitServer;

beforeAll(async () => {
  tc = await testToolchain();
  server = await startGitServer({ token: TOKEN });
  const sha = await server.backend.createBareRepo("acme/lib", join(FIXTURES, "private-module", "lib"));
  await git(["--git-dir", server.backend.gitDir("acme/lib"), "tag", VERSION, sha]);
});

afterAll(() => server.close());

function credentials(token: string): PrivateModuleCredentials {
  return { modulePrefix: "github.com/acme", gitUrl: `${server.url}/acme/`, token: async () => token };
}

async function consumer(version = VERSION) {
  const { dir, cleanup } = await emptyDir();
  cpSync(join(FIXTURES, "private-module", "app"), dir, { recursive: true });
  writeFileSync(
    join(dir, "go.mod"),
    `module example.com/app\n\ngo 1.21\n\nrequire github.com/acme/lib ${version}\n`,
  );
  return { dir, cleanup };
}

/** Every file under dir (small ones), for a token left on disk. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.size < 1 << 20) out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe("private modules", () => {
  it("download with the installation token; the sandboxed tests and all output never see it", async () => {
    const access = withModuleAccess(tc, { credentials: [credentials(TOKEN)] });
    const { dir, cleanup } = await consumer();
    try {
      const tidy = await runTool(
        "go",
        { args: ["mod", "tidy"] },
        {
          root: dir,
          policy: { root: dir, protectedGlobs: [...BUILTIN_PROTECTED_GLOBS] },
          toolchain: access,
          signal: new AbortController().signal,
          goTimeoutMs: 120_000,
          maxFileBytes: 1 << 20,
          touched: new Set(),
        },
      );
      expect(tidy.isError).toBe(false);
      expect(readFileSync(join(dir, "go.sum"), "utf8")).toContain(`github.com/acme/lib ${VERSION} h1:`);
      // The token travelled as the Basic header, and only to the git server.
      expect(server.backend.requests.some((r) => r.authorized)).toBe(true);
      expect(new Set(server.backend.authHeaders)).toEqual(new Set([`Basic ${BASIC}`]));

      const verdict = await verify(access, { dir });
      expect(verdict.overall).toBe("pass");
      expect(verdict.tests?.totals.passed).toBe(2);

      const run = await access.go(["test", "-count=1", "-v", "-run", "TestEnvironment", "./..."], {
        cwd: dir,
      });
      expect(run.exitCode).toBe(0);
      const env = run.stdout.split("\n").filter((l) => l.includes("ENV "));
      expect(env.some((l) => l.includes("GOPRIVATE=github.com/acme"))).toBe(true);
      expect(env.filter((l) => /GIT_CONFIG|extraheader|Authorization/i.test(l))).toEqual([]);

      const seen = [tidy.content, JSON.stringify(verdict), run.stdout, run.stderr].join("\n");
      for (const form of [TOKEN, BASIC]) expect(seen).not.toContain(form);
      const onDisk = [...filesUnder(dir), ...filesUnder(join(tc.caches.gomodcache, "cache", "vcs"))].filter(
        (f) => [TOKEN, BASIC].some((form) => readFileSync(f).includes(form)),
      );
      expect(onDisk).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it("fail clearly when the token is not accepted", async () => {
    // Tagged only now: go's own git cache cannot know it from the download above.
    const lib = server.backend.gitDir("acme/lib");
    await git(["--git-dir", lib, "tag", UNSEEN, (await server.backend.revParse("acme/lib", "main"))!]);
    const access = withModuleAccess(tc, { credentials: [credentials("ghs_revokedTokenSentinel")] });
    const { dir, cleanup } = await consumer(UNSEEN);
    try {
      const v = await verify(access, { dir, checks: ["build"] });
      const download = v.checks.find((c) => c.name === "go mod download");
      expect(download?.status).toBe("error");
      expect(download?.summary).toBe(
        `could not download github.com/acme/lib@${UNSEEN}: authentication failed: the repository is private and no valid credentials were sent`,
      );
      expect(JSON.stringify(v)).not.toContain("ghs_revokedTokenSentinel");
      expect(server.backend.requests.at(-1)).toMatchObject({ hadAuth: true, authorized: false, status: 401 });
      expect(v.overall).toBe("error");
    } finally {
      await cleanup();
    }
  });
});

describe("credentialGitConfig", () => {
  const token = async () => TOKEN;

  it("sends the token only to the module's own git URL", () => {
    expect(credentialGitConfig({ modulePrefix: "github.com/acme", token }, TOKEN)).toEqual([
      ["http.https://github.com/acme/.extraheader", `Authorization: Basic ${BASIC}`],
    ]);
    expect(
      credentialGitConfig(
        { modulePrefix: "ghe.example.com/acme", gitUrl: "https://git.internal/acme", token },
        TOKEN,
      ),
    ).toEqual([
      ["http.https://git.internal/acme/.extraheader", `Authorization: Basic ${BASIC}`],
      ["url.https://git.internal/acme/.insteadOf", "https://ghe.example.com/acme/"],
      ["url.https://git.internal/acme.insteadOf", "https://ghe.example.com/acme"],
    ]);
  });

  it("refuses a token that could add headers, and prefixes that are not module paths", () => {
    expect(() => credentialGitConfig({ modulePrefix: "github.com/acme", token }, "abc\r\nX-Evil: 1")).toThrow(
      ModuleAccessError,
    );
    expect(() =>
      withModuleAccess(tc, { credentials: [{ modulePrefix: "https://github.com/acme", token }] }),
    ).toThrow(/not a module path prefix/);
    expect(() =>
      credentialGitConfig(
        { modulePrefix: "github.com/acme", gitUrl: "https://user:pw@git.internal/", token },
        TOKEN,
      ),
    ).toThrow(/without credentials/);
  });
});
