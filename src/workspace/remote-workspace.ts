// The Workspace port over the git workspace: what runJob sees of a clone that is fetched
// from, and pushed to, the repository's remote. The GitHub job binds the branch choice
// here so the pipeline only calls prepare/commit/push.
import type { CommitRequest, PreparedWorkspace, Workspace } from "../jobs/ports.js";
import { GitWorkspace, type GitWorkspaceOptions, type PrepareOptions } from "./git-workspace.js";

export interface RemoteWorkspace extends Workspace {
  /** How the branch started: continuing the remote branch, or fresh from the base. */
  readonly startedFrom: "remote-branch" | "base-branch" | undefined;
}

export function createRemoteWorkspace(options: GitWorkspaceOptions, target: PrepareOptions): RemoteWorkspace {
  const git = new GitWorkspace(options);
  let startedFrom: RemoteWorkspace["startedFrom"];
  return {
    get startedFrom() {
      return startedFrom;
    },
    async prepare(): Promise<PreparedWorkspace> {
      const prepared = await git.prepare(target);
      startedFrom = prepared.startedFrom;
      return { dir: prepared.dir, branch: prepared.branch, baseSha: prepared.baseSha };
    },
    async changedFiles() {
      return (await git.changedFiles()).map((f) => f.path);
    },
    commit: (request: CommitRequest) => git.commit(request),
    async push() {
      await git.push();
      return { pushed: true };
    },
    dispose: () => git.dispose(),
  };
}
