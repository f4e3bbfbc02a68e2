// `commits.signing: github`: the job's commit goes through GitHub's Git database API
// instead of `git push`, so GitHub signs it as the App. The wrapped workspace still makes
// the local commit (same staging, exclusions and author; runJob has already refused
// protected paths), which is then read back and recreated through the API: commit()
// returns the API commit's sha (the one the check run and the PR name), push() moves the
// branch to it with one ref update. The worktree is removed after the job, and the next
// job fetches the branch, so it builds on the API commit.
import type { CommitOptions, PreparedWorkspace, Workspace } from "../../pipeline/ports.js";
import { committedChange } from "../../workspace/committed-change.js";
import type { GitHubClient, RepoRef } from "../auth/client.js";
import { createApiCommit, moveRef } from "./api-commit.js";
import type { ApiCommitLimits } from "./api-commit-limits.js";

export const COMMIT_SIGNING_MODES = ["git", "github"] as const;
export type CommitSigning = (typeof COMMIT_SIGNING_MODES)[number];

export function withCommitSigning(
  mode: CommitSigning,
  gh: Pick<GitHubClient, "request">,
  repo: RepoRef,
  limits?: ApiCommitLimits,
): (workspace: Workspace) => Workspace {
  if (mode === "git") return (workspace) => workspace;
  return (inner) => {
    let prepared: PreparedWorkspace | undefined;
    let apiSha: string | undefined;
    let branchExists = false;
    return {
      async prepare(signal) {
        prepared = await inner.prepare(signal);
        branchExists = prepared.startedFrom === "remote-branch";
        return prepared;
      },
      changedFiles: () => inner.changedFiles(),
      async commit(options: CommitOptions) {
        const p = prepared ?? (await inner.prepare());
        const local = await inner.commit(options);
        if (!local) return null;
        const change = await committedChange(p.dir, p.baseSha, local);
        apiSha = await createApiCommit(gh, repo, { dir: p.dir, parent: p.baseSha, change, limits });
        return apiSha;
      },
      // The local commit is replayed onto the moved branch, then recreated there through the API.
      ...(inner.catchUp
        ? {
            async catchUp(signal?: AbortSignal) {
              const caught = await inner.catchUp!(signal);
              if (caught.kind !== "rebased" || !prepared) return caught;
              branchExists = true;
              const change = await committedChange(prepared.dir, caught.onto, caught.sha);
              apiSha = await createApiCommit(gh, repo, {
                dir: prepared.dir,
                parent: caught.onto,
                change,
                limits,
              });
              return { ...caught, sha: apiSha };
            },
          }
        : {}),
      async push() {
        const p = prepared;
        if (!p || !apiSha) return { pushed: false };
        await moveRef(gh, repo, { branch: p.branch, sha: apiSha, exists: branchExists });
        return { pushed: true };
      },
      ...(inner.dispose ? { dispose: () => inner.dispose?.() ?? Promise.resolve() } : {}),
    };
  };
}
