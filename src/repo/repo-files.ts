// The RepoFiles port: read-only access to a repository's files as of one ref, for material
// the bot itself relies on (configuration, instructions, agent files). The app reads through
// the GitHub contents API (src/github/context/contents-api-files.ts) at the default branch — on pull requests
// at the base branch — rather than from the job's checkout: the checkout holds the PR's head
// (the very content a PR author controls), its base may not even be fetched, and the agent
// writes into it during the run. The CLI, which has no GitHub, reads a ref of a local
// repository with git instead (local-repo-files.ts).

export interface RepoFiles {
  /** For messages and labels: `owner/repo@ref`. */
  readonly where: string;
  /** The text of a file, or null when there is no such file. */
  read(path: string): Promise<string | null>;
  /** Names of the files (not folders) directly in a folder; empty when there is none. */
  list(dir: string): Promise<string[]>;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

export class RepoFilesError extends Error {
  override name = "RepoFilesError";
}

/** Reads one file of a repository at its default branch; null when there is none. */
export type ConfigFileReader = (repo: RepoRef, path: string) => Promise<string | null>;
