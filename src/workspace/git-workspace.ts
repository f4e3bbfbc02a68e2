// The job's git workspace: a per-repository partial-clone cache under
// <dataDir>/repos/<owner>/<repo> (bare, remote-tracking refs only) and one worktree per
// running job under <dataDir>/work/<owner>/<repo>/<slot>, the lowest slot no other job of
// that repository holds. The next job on the same repository fetches incrementally; jobs
// on two issues of one repository get separate slots and run side by side. Slots are
// reused, not named after the job, because Go's build cache keys every compiled package by
// its directory: a checkout at a path Go has seen before builds from the cache, a new path
// rebuilds the whole module (on a 2,000-file module, seconds of CPU in every job).
//
// The installation token is fetched from the provider right before each network step (a
// long job gets a fresh one for the push) and passed to that one git command as an
// origin-scoped `http.extraheader`. It never enters a URL, a config file, an environment
// variable or an error message. Pushes are plain `git push origin <branch>`: an issue job
// starts from the remote branch when it exists, so re-runs fast-forward it and nothing is
// ever force-pushed; a push that races another writer fails as "push-rejected".

import { mkdir, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SimpleGit, simpleGit } from "simple-git";
import { redactValues } from "../secrets.js";
import { validateBranchName } from "./branch-name.js";
import { parseChangedFiles } from "./changed-files.js";
import { ALLOWED_GIT_ENV, authHeaderConfig, cloneGitEnv, createGitHome, removeGitHome } from "./git-env.js";
import { classify, refuseLoggedArguments } from "./git-failures.js";
import { checkPerson, isSafeSegment, parseCloneUrl, repoSegments } from "./git-inputs.js";
import type {
  BaseMerge,
  CaughtUp,
  ChangedFile,
  CommitOptions,
  GitPerson,
  GitWorkspaceOptions,
  PreparedWorkspace,
  PrepareOptions,
  PushResult,
} from "./git-workspace-types.js";
import { refuseNestedRepositories } from "./nested-repositories.js";
import { literalPaths } from "./pathspec.js";
import { withRepoLock } from "./repo-lock.js";
import { GitWorkspaceError, printable } from "./workspace-errors.js";

export { botIdentity } from "./git-inputs.js";
export type {
  ChangedFile,
  CommitOptions,
  GitPerson,
  GitWorkspaceOptions,
  PreparedWorkspace,
  PrepareOptions,
  PushResult,
  TokenProvider,
} from "./git-workspace-types.js";

interface Prepared extends PreparedWorkspace {
  baseBranch: string;
  cloneUrl: URL;
  cacheDir: string;
  home: string;
  /** The remote branch's tip when the job started; absent when the branch was new. */
  remoteTip?: string;
}

export class GitWorkspace {
  readonly #options: GitWorkspaceOptions;
  /** Every token used so far, so all of them are scrubbed from messages. */
  readonly #tokens: string[] = [];
  #prepared: Prepared | undefined;
  #home: string | undefined;
  /** Who committed, so a commit replayed onto a moved branch has the same committer. */
  #committer: string[] = [];
  /** Aborts this prepare's git commands (clone, fetch, checkout) when the job stops. */
  #signal: AbortSignal | undefined;

  constructor(options: GitWorkspaceOptions) {
    if (!isSafeSegment(options.jobId)) {
      throw new GitWorkspaceError(
        "invalid-argument",
        `The job id "${printable(options.jobId)}" is not usable.`,
      );
    }
    this.#options = options;
  }

  get dir(): string | undefined {
    return this.#prepared?.dir;
  }

  /** Fetches the repository into its cache and checks the work branch out in a fresh worktree. */
  async prepare(options: PrepareOptions, signal?: AbortSignal): Promise<PreparedWorkspace> {
    if (this.#prepared)
      throw new GitWorkspaceError("invalid-argument", "This workspace is already prepared.");
    this.#signal = signal;
    refuseLoggedArguments();
    const cloneUrl = parseCloneUrl(options.cloneUrl);
    const baseBranch = validateBranchName(options.baseBranch);
    const branch = validateBranchName(options.workBranch);
    const { owner, repo } = repoSegments(cloneUrl);
    const cacheDir = join(this.#options.dataDir, "repos", owner, repo);
    const workRoot = join(this.#options.dataDir, "work", owner, repo);
    await mkdir(join(this.#options.dataDir, "repos", owner), { recursive: true });
    await mkdir(workRoot, { recursive: true });
    const home = await createGitHome(tmpdir(), cloneUrl.protocol === "http:" ? "http" : "https");
    this.#home = home;
    try {
      return await this.#prepareIn({
        ...options,
        cloneUrl,
        baseBranch,
        branch,
        cacheDir,
        workRoot: await realpath(workRoot),
        home,
      });
    } catch (err) {
      await this.dispose();
      throw err;
    }
  }

  async #prepareIn(o: {
    cloneUrl: URL;
    baseBranch: string;
    branch: string;
    existingBranch?: boolean;
    cacheDir: string;
    workRoot: string;
    home: string;
  }): Promise<PreparedWorkspace> {
    const { cloneUrl, baseBranch, branch, cacheDir, workRoot, home } = o;
    const prepared = await withRepoLock(cacheDir, async () => {
      // A job stopped while it waited for another job's fetch does not start its own.
      if (this.#signal?.aborted) throw new GitWorkspaceError("aborted", "The job was stopped.");
      const fresh = !(await exists(join(cacheDir, "HEAD")));
      if (fresh) {
        await this.#run(this.#git(this.#options.dataDir, home), ["init", "--bare", "--quiet", cacheDir]);
      }
      const cache = this.#git(cacheDir, home);
      if (fresh) {
        await this.#run(cache, ["remote", "add", "origin", cloneUrl.href]);
      } else if ((await this.#run(cache, ["remote", "get-url", "origin"])).trim() !== cloneUrl.href) {
        await this.#run(cache, ["remote", "set-url", "origin", cloneUrl.href]);
      }
      // --verbose, not --quiet: see #run on commands that print nothing.
      const token = await this.#authed((t) =>
        this.#run(this.#git(cacheDir, home, [authHeaderConfig(cloneUrl, t)], this.#signal), [
          "fetch",
          "--verbose",
          "--prune",
          "--no-tags",
          "--filter=blob:none",
          "origin",
        ]).then(() => t),
      );

      const work = `refs/remotes/origin/${branch}`;
      const base = `refs/remotes/origin/${baseBranch}`;
      const refs = await this.#resolve(cache, [work, base]);
      const remoteWork = refs.get(work);
      let startSha = remoteWork;
      if (!startSha) {
        if (o.existingBranch) {
          throw new GitWorkspaceError(
            "branch-missing",
            `The branch "${branch}" does not exist on the remote; it may have been deleted or renamed.`,
          );
        }
        startSha = refs.get(base);
        if (!startSha) {
          throw new GitWorkspaceError(
            "branch-missing",
            `The base branch "${baseBranch}" does not exist on the remote.`,
          );
        }
      }

      await this.#clearStaleWorktrees(cache, branch);
      const dir = await this.#freeSlot(cache, workRoot);
      // Checking out lazily fetches the blobs of this one tree, hence the token.
      await this.#run(this.#git(cacheDir, home, [authHeaderConfig(cloneUrl, token)], this.#signal), [
        "worktree",
        "add",
        "--no-track",
        "-B",
        branch,
        dir,
        startSha,
      ]);
      return { startSha, remoteWork, dir };
    });

    this.#prepared = {
      dir: prepared.dir,
      branch,
      baseBranch,
      baseSha: prepared.startSha,
      startedFrom: prepared.remoteWork ? "remote-branch" : "base-branch",
      ...(prepared.remoteWork ? { remoteTip: prepared.remoteWork } : {}),
      cloneUrl,
      cacheDir,
      home,
    };
    const { dir: d, branch: b, baseSha, startedFrom } = this.#prepared;
    return { dir: d, branch: b, baseSha, startedFrom };
  }

  /** Files that differ from the start point, untracked ones included, .gitignore honoured. */
  async changedFiles(): Promise<ChangedFile[]> {
    const p = this.#require();
    // Code has run in the checkout by now: see nested-repositories.ts.
    await refuseNestedRepositories(p.dir);
    const git = this.#git(p.dir, p.home);
    const tracked = await this.#run(git, [
      "diff",
      "--name-status",
      "--no-renames",
      "--ignore-submodules=all",
      "-z",
      p.baseSha,
      "--",
    ]);
    const untracked = await this.#run(git, ["ls-files", "--others", "--exclude-standard", "-z"]);
    return parseChangedFiles(tracked, untracked);
  }

  /** Commits everything changed as the given author; null when there is nothing to commit. */
  async commit(options: CommitOptions): Promise<string | null> {
    const p = this.#require();
    const author = checkPerson(options.author, "author");
    // `git add` looks into every directory that holds a repository, submodule or not.
    await refuseNestedRepositories(p.dir);
    this.#committer = [`user.name=${author.name}`, `user.email=${author.email}`];
    const git = this.#git(p.dir, p.home, this.#committer);
    await this.#run(git, ["add", "--all", "--verbose"]);
    if (options.exclude?.length)
      await this.#run(git, ["reset", "--quiet", "--", ...literalPaths(options.exclude)]);
    const staged = await this.#run(git, ["diff", "--cached", "--name-only", "-z"]);
    if (staged.length === 0) return null;
    let message = options.message.trim() || "Update from backend-go-agent";
    if (options.coAuthor) {
      const co = checkPerson(options.coAuthor, "co-author");
      message += `\n\nCo-authored-by: ${co.name} <${co.email}>`;
    }
    await this.#run(git, ["commit", "--no-verify", "--cleanup=whitespace", "-m", message]);
    return (await this.#run(git, ["rev-parse", "HEAD"])).trim();
  }

  /**
   * Before the push: when someone pushed to the branch since prepare, replays the job's
   * commit onto the branch's new tip. A conflict leaves the worktree as it was and names the
   * files. Only the commit moves: files the job left uncommitted (test leftovers) are dropped.
   */
  async catchUp(signal?: AbortSignal): Promise<CaughtUp> {
    const p = this.#require();
    const remote = `refs/remotes/origin/${p.branch}`;
    const listed = await this.#authed((token) =>
      this.#run(this.#git(p.dir, p.home, [authHeaderConfig(p.cloneUrl, token)], signal), [
        "ls-remote",
        "origin",
        `refs/heads/${p.branch}`,
      ]),
    );
    const tip = /^([0-9a-f]{40})\s/m.exec(listed)?.[1];
    if (!tip || tip === p.remoteTip) return { kind: "current" };
    // reset, clean and rebase look into the worktree's directories like `git add` does.
    await refuseNestedRepositories(p.dir);
    await withRepoLock(p.cacheDir, () =>
      this.#authed((token) =>
        this.#run(this.#git(p.cacheDir, p.home, [authHeaderConfig(p.cloneUrl, token)], signal), [
          "fetch",
          "--verbose",
          "--no-tags",
          "--filter=blob:none",
          "origin",
          `+refs/heads/${p.branch}:${remote}`,
        ]),
      ),
    );
    // Replaying checks out the new commits' files: blobs a partial clone fetches lazily, hence the token.
    const token = await this.#token();
    const git = this.#git(p.dir, p.home, [...this.#committer, authHeaderConfig(p.cloneUrl, token)], signal);
    // Our own earlier push (a re-run) is not a move: the commit already builds on it.
    if ((await this.#run(git, ["merge-base", "HEAD", tip])).trim() === tip) return { kind: "current" };
    await this.#run(git, ["reset", "--hard", "--quiet", "HEAD"]);
    await this.#run(git, ["clean", "-d", "--force", "--quiet"]);
    try {
      // --rebase-merges: a base update's merge commit is replayed as a merge, not dropped.
      await this.#run(git, ["rebase", "--no-autosquash", "--rebase-merges", "--onto", tip, p.baseSha]);
    } catch (err) {
      const unmerged = await this.#run(git, ["diff", "--name-only", "--diff-filter=U", "-z"]).catch(() => "");
      await this.#run(git, ["rebase", "--abort"]).catch(() => undefined);
      const files = unmerged.split("\0").filter(Boolean);
      if (files.length === 0) throw err;
      return { kind: "conflict", onto: tip, files };
    }
    p.baseSha = tip;
    p.remoteTip = tip;
    return { kind: "rebased", onto: tip, sha: (await this.#run(git, ["rev-parse", "HEAD"])).trim() };
  }

  /**
   * Merges the base branch's tip (as fetched by prepare) into the work branch without
   * committing: the job commits the merge (a merge commit) once it is resolved and verified.
   * On conflicts the merge stays in progress, with conflict markers in the files named and
   * both sides of each file returned.
   */
  async mergeBase(committer: GitPerson, signal?: AbortSignal): Promise<BaseMerge> {
    const p = this.#require();
    const who = checkPerson(committer, "author");
    this.#committer = [`user.name=${who.name}`, `user.email=${who.email}`];
    const tip = (await this.#resolve(this.#git(p.dir, p.home), [`refs/remotes/origin/${p.baseBranch}`])).get(
      `refs/remotes/origin/${p.baseBranch}`,
    );
    if (!tip) {
      throw new GitWorkspaceError(
        "branch-missing",
        `The base branch "${p.baseBranch}" does not exist on the remote.`,
      );
    }
    await refuseNestedRepositories(p.dir);
    // Merging checks out the base's files: blobs a partial clone fetches lazily, hence the token.
    const token = await this.#token();
    const git = this.#git(p.dir, p.home, [...this.#committer, authHeaderConfig(p.cloneUrl, token)], signal);
    if ((await this.#run(git, ["merge-base", "HEAD", tip])).trim() === tip) {
      return { kind: "current", base: tip, branch: p.baseBranch };
    }
    const brought = async () =>
      (await this.#run(git, ["diff", "--name-only", "--no-renames", "-z", "HEAD"]))
        .split("\0")
        .filter(Boolean);
    // git exits 1 on conflicts, which simple-git may or may not report: the index says.
    const failed = await this.#run(git, ["merge", "--no-ff", "--no-commit", "--no-edit", tip]).then(
      () => undefined,
      (err: unknown) => err,
    );
    const unmerged = await this.#run(git, ["diff", "--name-only", "--diff-filter=U", "-z"]).catch(() => "");
    const files = unmerged.split("\0").filter(Boolean);
    if (files.length === 0) {
      if (failed) throw failed;
      return { kind: "merged", base: tip, branch: p.baseBranch, brought: await brought() };
    }
    // The argument starts with ":", so a file name can never read as an option.
    const side = (stage: 2 | 3, file: string) =>
      this.#run(git, ["show", `:${stage}:${file}`]).catch(() => undefined);
    const sides = [];
    for (const file of files.slice(0, 20)) {
      sides.push({ path: file, ours: await side(2, file), theirs: await side(3, file) });
    }
    return { kind: "conflict", base: tip, branch: p.baseBranch, files, brought: await brought(), sides };
  }

  /** `git push origin <branch>` with a fresh token; never forced. */
  async push(signal?: AbortSignal): Promise<PushResult> {
    const p = this.#require();
    await this.#authed((token) =>
      this.#run(this.#git(p.dir, p.home, [authHeaderConfig(p.cloneUrl, token)], signal), [
        "push",
        "origin",
        p.branch,
      ]),
    );
    const sha = (await this.#run(this.#git(p.dir, p.home), ["rev-parse", "HEAD"])).trim();
    return { branch: p.branch, sha };
  }

  /** Removes the worktree, its local branch and the private HOME; safe to call twice. */
  async dispose(): Promise<void> {
    const p = this.#prepared;
    this.#prepared = undefined;
    if (p) {
      await withRepoLock(p.cacheDir, async () => {
        const cache = this.#git(p.cacheDir, p.home);
        // The slot is ours only while it holds our branch: after a lost lease, another job
        // may have cleared this worktree and taken the slot.
        const holder = (await this.#worktrees(cache).catch(() => [])).find((w) => w.path === p.dir);
        // Removing the directory and pruning is what `worktree remove --force` does, and
        // prune --verbose says what it pruned (see #run on commands that print nothing).
        if (!holder || holder.head === `refs/heads/${p.branch}`)
          await rm(p.dir, { recursive: true, force: true });
        await this.#run(cache, ["worktree", "prune", "--verbose"]).catch(() => undefined);
        await this.#run(cache, ["branch", "-D", p.branch]).catch(() => undefined);
      });
    }
    if (this.#home) await removeGitHome(this.#home);
    this.#home = undefined;
  }

  /**
   * Runs a network step with a token; when the server refuses it (revoked, or expired
   * early), reports it as refused and runs the step once more with a newly minted one.
   */
  async #authed<T>(step: (token: string) => Promise<T>): Promise<T> {
    const token = await this.#token();
    try {
      return await step(token);
    } catch (err) {
      if (!(err instanceof GitWorkspaceError) || err.code !== "auth-failed") throw err;
      return step(await this.#token({ refused: token }));
    }
  }

  async #token(opts?: { refused: string }): Promise<string> {
    refuseLoggedArguments();
    const token = await this.#options.token(opts);
    if (typeof token !== "string" || token.length === 0 || /\s/.test(token)) {
      throw new GitWorkspaceError("auth-failed", "The token provider returned no usable token.");
    }
    if (!this.#tokens.includes(token)) this.#tokens.push(token);
    return token;
  }

  #require(): Prepared {
    if (!this.#prepared) throw new GitWorkspaceError("not-prepared", "Call prepare() first.");
    return this.#prepared;
  }

  #git(baseDir: string, home: string, config: string[] = [], abort?: AbortSignal): SimpleGit {
    return simpleGit({
      baseDir,
      config,
      ...(abort ? { abort } : {}),
      allowEnvironment: ALLOWED_GIT_ENV,
      maxConcurrentProcesses: 1,
      timeout: { block: this.#options.idleTimeoutMs ?? 300_000 },
    }).env(cloneGitEnv(home));
  }

  /**
   * Runs git; failures become GitWorkspaceErrors whose text is scrubbed of every token.
   * simple-git waits 50 ms more after a command that printed nothing at all (a guard for
   * late output), so the commands on a job's path are chosen to print something: fetch,
   * add and prune --verbose, push, commit and worktree add without --quiet, one
   * for-each-ref for both refs. Their output is never shown or logged.
   */
  async #run(git: SimpleGit, args: string[]): Promise<string> {
    try {
      return await git.raw(args);
    } catch (err) {
      // Only the scrubbed message survives: simple-git's error object carries the full
      // argument list (with the auth header) on `task`, so it is never kept as a cause.
      const text = redactValues(err instanceof Error ? err.message : String(err), this.#tokens).trim();
      throw classify(args[0] ?? "git", text);
    }
  }

  /** The shas of those of `refs` that exist, by exact name. */
  async #resolve(git: SimpleGit, refs: string[]): Promise<Map<string, string>> {
    // for-each-ref also matches on a prefix up to a slash ("origin/a" finds "origin/a/b"),
    // so only the exact refnames count.
    const out = await this.#run(git, ["for-each-ref", "--format=%(objectname) %(refname)", ...refs]);
    const found = new Map<string, string>();
    for (const line of out.split("\n")) {
      const [sha, name] = line.split(" ");
      if (name && sha && refs.includes(name)) found.set(name, sha);
    }
    return found;
  }

  /** A crashed job may have left a worktree holding our branch, or one whose directory is gone. */
  async #clearStaleWorktrees(cache: SimpleGit, branch: string): Promise<void> {
    const worktrees = await this.#worktrees(cache);
    if (worktrees.some((w) => w.prunable)) await this.#run(cache, ["worktree", "prune", "--verbose"]);
    for (const { path, head, prunable } of worktrees) {
      if (head === `refs/heads/${branch}` && !prunable) {
        await this.#run(cache, ["worktree", "remove", "--force", path]);
      }
    }
  }

  /** The lowest slot under workRoot no worktree of this cache holds, emptied. Runs under the repo lock. */
  async #freeSlot(cache: SimpleGit, workRoot: string): Promise<string> {
    const taken = new Set(
      await Promise.all((await this.#worktrees(cache)).map((w) => realpath(w.path).catch(() => w.path))),
    );
    let slot = 0;
    while (taken.has(join(workRoot, String(slot)))) slot++;
    const dir = join(workRoot, String(slot));
    // A directory no worktree holds is a leftover (a removal that failed): never reuse its files.
    await rm(dir, { recursive: true, force: true });
    return dir;
  }

  async #worktrees(cache: SimpleGit): Promise<{ path: string; head?: string; prunable: boolean }[]> {
    const list = await this.#run(cache, ["worktree", "list", "--porcelain"]);
    return list.split("\n\n").flatMap((block) => {
      const path = /^worktree (.+)$/m.exec(block)?.[1];
      const head = /^branch (.+)$/m.exec(block)?.[1];
      // git ≥ 2.31 marks worktrees whose directory is gone; older git prunes on dispose only.
      return path ? [{ path, head, prunable: /^prunable\b/m.test(block) }] : [];
    });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
