// The git workspace's public shapes: what a job passes in and gets back.

/** `refused`: a token the server just refused; the provider should not hand it out again. */
export type TokenProvider = (opts?: { refused?: string }) => Promise<string>;

export interface GitWorkspaceOptions {
  dataDir: string;
  /** Names the job's worktree directory; letters, digits, ".", "_" and "-" only. */
  jobId: string;
  /** Returns a valid installation token; called before every fetch and push, and again once when one is refused. */
  token: TokenProvider;
  /** A git command is killed after this long without output. Default 5 minutes. */
  idleTimeoutMs?: number;
}

export interface PrepareOptions {
  /** The repository's clone_url (http or https, no credentials in it). */
  cloneUrl: string;
  /** Where a new branch starts (the default branch for an issue job). */
  baseBranch: string;
  /** The branch the job commits on, e.g. `backend-go/issue-42` or a PR's head ref. */
  workBranch: string;
  /** True for a PR job: the branch must already exist on the remote. */
  existingBranch?: boolean;
}

export interface PreparedWorkspace {
  /** The job's worktree: the only directory the agent reads and writes. */
  dir: string;
  branch: string;
  /** The commit the worktree started from; `changedFiles` compares against it. */
  baseSha: string;
  /** Whether the job continues the remote branch or starts it fresh from baseBranch. */
  startedFrom: "remote-branch" | "base-branch";
}

export interface GitPerson {
  name: string;
  email: string;
}

export interface CommitOptions {
  message: string;
  author: GitPerson;
  /** The person who triggered the job; added as a `Co-authored-by:` trailer. */
  coAuthor?: GitPerson;
  /** Paths (relative to the worktree) not to commit, such as files the tests wrote. */
  exclude?: string[];
}

export interface ChangedFile {
  path: string;
  status: "added" | "modified" | "deleted";
}

export interface PushResult {
  branch: string;
  sha: string;
}

/** What catchUp found: see the Workspace port (src/pipeline/ports.ts). */
export type CaughtUp =
  | { kind: "current" }
  | { kind: "rebased"; onto: string; sha: string }
  | { kind: "conflict"; onto: string; files: string[] };

/** What merging the base into the work branch found: see the Workspace port (src/pipeline/ports.ts). */
export type BaseMerge =
  /** The branch already contains the base's tip. */
  | { kind: "current"; base: string; branch: string }
  /** Merged without conflicts; the merge waits to be committed. `brought`: the files the merge changed. */
  | { kind: "merged"; base: string; branch: string; brought: string[] }
  /** The merge is in progress with conflict markers in `files`; `sides` has each file's two versions. */
  | {
      kind: "conflict";
      base: string;
      branch: string;
      files: string[];
      brought: string[];
      sides: { path: string; ours?: string; theirs?: string }[];
    };
