// A commit created through GitHub's Git database API (blobs, trees, commit), which GitHub
// signs as the App, so it shows as Verified and satisfies "require signed commits". The
// objects are unreferenced until moveRef points the branch at the commit, once, at the
// end: a failure anywhere before leaves the branch as it was.
import type { CommittedChange } from "../../workspace/committed-change.js";
import { git } from "../../workspace/committed-change.js";
import { GitWorkspaceError } from "../../workspace/workspace-errors.js";
import { type GitHubClient, type RepoRef, statusOf } from "../auth/client.js";
import { API_COMMIT_LIMITS, type ApiCommitLimits, checkApiCommitLimits } from "./api-commit-limits.js";

type GitApi = Pick<GitHubClient, "request">;

interface TreeEntry {
  path: string;
  mode: "100644" | "100755" | "040000" | "160000" | "120000";
  type: "blob" | "tree" | "commit";
  sha: string | null;
}

/** Creates the API commit for `change` (read from the worktree `dir`) on top of `parent`; returns its sha. */
export async function createApiCommit(
  gh: GitApi,
  repo: RepoRef,
  o: { dir: string; parent: string; change: CommittedChange; limits?: ApiCommitLimits },
): Promise<string> {
  const limits = o.limits ?? API_COMMIT_LIMITS;
  checkApiCommitLimits(o.change.files, limits);
  const entries = await uploadBlobs(gh, repo, o.dir, o.change, limits.blobConcurrency);
  const parent = await gh.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
    ...repo,
    commit_sha: o.parent,
  });
  let tree = parent.data.tree.sha;
  // Each batch builds on the tree before it, so any number of files fits GitHub's request size.
  for (let i = 0; i < entries.length; i += limits.treeBatch) {
    const res = await gh.request("POST /repos/{owner}/{repo}/git/trees", {
      ...repo,
      base_tree: tree,
      tree: entries.slice(i, i + limits.treeBatch) as never,
    });
    tree = res.data.sha;
  }
  // No committer: GitHub then commits (and signs) as the App; the author stays the bot,
  // and the message keeps its Co-authored-by trailer.
  const commit = await gh.request("POST /repos/{owner}/{repo}/git/commits", {
    ...repo,
    message: o.change.message,
    tree,
    parents: [o.parent],
    author: o.change.author,
  });
  return commit.data.sha;
}

/** Points the branch at `sha`: created when new, otherwise fast-forwarded (never forced). */
export async function moveRef(
  gh: GitApi,
  repo: RepoRef,
  o: { branch: string; sha: string; exists: boolean },
): Promise<void> {
  try {
    await updateRef(gh, repo, o);
  } catch (err) {
    // 422: the branch moved (not a fast-forward) or appeared meanwhile — as a rejected push.
    if (statusOf(err) !== 422) throw err;
    throw new GitWorkspaceError(
      "push-rejected",
      `The branch "${o.branch}" moved on GitHub meanwhile, so the signed commit was not added to it; re-run the job.`,
    );
  }
}

async function updateRef(gh: GitApi, repo: RepoRef, o: { branch: string; sha: string; exists: boolean }) {
  if (o.exists) {
    await gh.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
      ...repo,
      ref: `heads/${o.branch}`,
      sha: o.sha,
      force: false,
    });
  } else {
    await gh.request("POST /repos/{owner}/{repo}/git/refs", {
      ...repo,
      ref: `refs/heads/${o.branch}`,
      sha: o.sha,
    });
  }
}

async function uploadBlobs(
  gh: GitApi,
  repo: RepoRef,
  dir: string,
  change: CommittedChange,
  concurrency: number,
): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = new Array(change.files.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < change.files.length; i = next++) {
      const f = change.files[i];
      if (!f) continue;
      const mode = f.mode as TreeEntry["mode"];
      if (f.sha === null) {
        // A deletion: GitHub drops the path from base_tree.
        entries[i] = { path: f.path, mode, type: "blob", sha: null };
      } else if (f.mode === "160000") {
        entries[i] = { path: f.path, mode, type: "commit", sha: f.sha };
      } else {
        // Base64 for every file: binary content survives, and text is unchanged byte for byte.
        const content = (await git(dir, ["cat-file", "blob", f.sha])).toString("base64");
        const blob = await gh.request("POST /repos/{owner}/{repo}/git/blobs", {
          ...repo,
          content,
          encoding: "base64",
        });
        entries[i] = { path: f.path, mode, type: "blob", sha: blob.data.sha };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return entries;
}
