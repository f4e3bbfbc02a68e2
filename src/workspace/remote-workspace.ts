// The Workspace port over the git workspace: what runJob sees of a clone that is fetched
// from, and pushed to, the repository's remote. The branch choice is bound here, so the
// pipeline only calls prepare/commit/push.
import type { CommitOptions, PreparedWorkspace, Workspace } from "../pipeline/ports.js";
import { GitWorkspace, type GitWorkspaceOptions, type PrepareOptions } from "./git-workspace.js";

export function createRemoteWorkspace(options: GitWorkspaceOptions, target: PrepareOptions): Workspace {
  const git = new GitWorkspace(options);
  let preparing: Promise<PreparedWorkspace> | undefined;
  return {
    // runJob starts the checkout while it reads the thread, and joins it later.
    prepare(signal) {
      preparing ??= git.prepare(target, signal);
      return preparing;
    },
    async changedFiles() {
      return (await git.changedFiles()).map((f) => f.path);
    },
    commit: (request: CommitOptions) => git.commit(request),
    catchUp: (signal) => git.catchUp(signal),
    mergeBase: (committer, signal) => git.mergeBase(committer, signal),
    async push(signal) {
      await git.push(signal);
      return { pushed: true };
    },
    async dispose() {
      // A checkout still in progress is finished first, then removed with the rest.
      await preparing?.catch(() => undefined);
      await git.dispose();
    },
  };
}
