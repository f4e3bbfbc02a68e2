// Shared setup for workspace tests: a git server with one seeded repository, a data dir,
// and a look through every file under a directory for a secret.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { git } from "../support/git-repos.js";
import { type GitServer, startGitServer } from "../support/git-server.js";

export const TOKEN = "ghs_testTokenForTheWorkspace0123456789";
export const REPO = "acme/ledger";

/** Computed here, not with the code under test, so a wrong encoding there cannot hide. */
export function basicAuthValue(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString("base64");
}

export interface Fixture {
  server: GitServer;
  dataDir: string;
  cloneUrl: string;
  cleanup(): Promise<void>;
}

export const GO_FILES: Record<string, string> = {
  "go.mod": "module example.com/ledger\n\ngo 1.21\n",
  "ledger.go": "package ledger\n\nfunc Balance() int { return 0 }\n",
  ".gitignore": "*.log\n",
};

/** A git server holding `acme/ledger` seeded from a fixture directory, and an empty data dir. */
export async function setup(files: Record<string, string> = GO_FILES): Promise<Fixture> {
  const server = await startGitServer({ token: TOKEN });
  const fixtureDir = await mkdtemp(join(tmpdir(), "ws-fixture-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(fixtureDir, path)), { recursive: true });
    await writeFile(join(fixtureDir, path), content);
  }
  await server.backend.createBareRepo(REPO, fixtureDir);
  await rm(fixtureDir, { recursive: true, force: true });
  const dataDir = await mkdtemp(join(tmpdir(), "ws-data-"));
  return {
    server,
    dataDir,
    cloneUrl: server.repoUrl(REPO),
    async cleanup() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Paths of files under `dir` whose bytes contain the token in any of its forms. */
export async function filesContainingToken(dir: string, token: string): Promise<string[]> {
  const forms = [token, basicAuthValue(token), Buffer.from(token).toString("base64")];
  const found: string[] = [];
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const bytes = await readFile(full);
        if (forms.some((form) => bytes.includes(form))) found.push(full);
      }
    }
  }
  await walk(dir);
  return found;
}

/** An independent clone through the server, as a reviewer would make it. */
export async function freshClone(cloneUrl: string, branch: string, token = TOKEN): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ws-fresh-"));
  await git([
    "-c",
    `http.extraheader=AUTHORIZATION: basic ${basicAuthValue(token)}`,
    "clone",
    "--quiet",
    "--branch",
    branch,
    cloneUrl,
    dir,
  ]);
  return dir;
}
