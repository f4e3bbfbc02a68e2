// Small real Go modules as git repositories for the evidence rows: a base commit written from
// files, then the change written over the checkout (uncommitted, as the agent leaves it).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { git } from "../../support/git-repos.js";

export interface Repo {
  dir: string;
  base: string;
  /** Writes (or, with null, removes) files; returns their paths, the change's files. */
  change(files: Record<string, string | null>): string[];
  cleanup(): Promise<void>;
}

export const GO_MOD = "module example.com/evidence\n\ngo 1.21\n";

export async function goRepo(files: Record<string, string>): Promise<Repo> {
  const dir = await mkdtemp(join(tmpdir(), "bga-evidence-"));
  const write = (all: Record<string, string | null>) => {
    for (const [path, content] of Object.entries(all)) {
      if (content === null) rmSync(join(dir, path), { force: true });
      else {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
    }
    return Object.keys(all);
  };
  write({ "go.mod": GO_MOD, ...files });
  await git(["init", "--quiet", "--initial-branch=main"], { cwd: dir });
  await git(["add", "-A"], { cwd: dir });
  await git(["commit", "--quiet", "-m", "base"], { cwd: dir });
  const base = (await git(["rev-parse", "HEAD"], { cwd: dir })).toString().trim();
  return { dir, base, change: write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
