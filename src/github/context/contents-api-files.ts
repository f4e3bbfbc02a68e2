// The RepoFiles port over GitHub's contents API, and the configuration reader built on it.
import type { ConfigFileReader } from "../../repo/repo-config.js";
import type { RepoFiles, RepoRef } from "../../repo/repo-files.js";
import { type GitHubClient, statusOf } from "../auth/client.js";

/** Reads files at `ref` through the GitHub contents API. */
export function githubRepoFiles(gh: GitHubClient, repo: RepoRef & { ref?: string }): RepoFiles {
  const { owner, repo: name, ref } = repo;
  return {
    where: `${owner}/${name}@${ref ?? "default branch"}`,
    async read(path) {
      try {
        const res = await gh.rest.repos.getContent({
          owner,
          repo: name,
          path,
          ref,
          mediaType: { format: "raw" },
        });
        const data: unknown = res.data;
        if (typeof data === "string") return data;
        // Octokit hands back bytes when the raw response's content type names no charset.
        if (data instanceof ArrayBuffer || ArrayBuffer.isView(data))
          return Buffer.from(data as ArrayBuffer).toString("utf8");
        // A folder comes back as a JSON listing even when raw is asked for.
        return null;
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
    },
    async list(dir) {
      try {
        const res = await gh.rest.repos.getContent({ owner, repo: name, path: dir, ref });
        return Array.isArray(res.data) ? res.data.filter((e) => e.type === "file").map((e) => e.name) : [];
      } catch (err) {
        if (statusOf(err) === 404) return [];
        throw err;
      }
    },
  };
}

/** Reads configuration files at each repository's default branch. */
export function githubConfigReader(gh: GitHubClient): ConfigFileReader {
  return (repo, path) => githubRepoFiles(gh, repo).read(path);
}

/**
 * Reads configuration files for one job, whose own token opens only its repository: that
 * repository with the job's client, another repository of the owner (the `.github`
 * repository, one CONFIG_EXTENDS_ALLOW names) with a read-only token minted for it alone,
 * a repository of another owner with the job's client (GitHub decides: public ones read).
 * A repository the installation cannot reach (GitHub refuses to mint, 422) reads as absent.
 */
export function jobConfigReader(
  session: { octokit: GitHubClient; readerFor(repo: string): Promise<GitHubClient> },
  owner: string,
): ConfigFileReader {
  return async (repo, path) => {
    if (repo.owner.toLowerCase() !== owner.toLowerCase()) {
      return githubRepoFiles(session.octokit, repo).read(path);
    }
    try {
      return await githubRepoFiles(await session.readerFor(repo.repo), repo).read(path);
    } catch (err) {
      if (statusOf(err) === 422) return null;
      throw err;
    }
  };
}
