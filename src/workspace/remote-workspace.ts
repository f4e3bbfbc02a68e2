// The Workspace port over the git workspace: what runJob sees of a clone that is fetched
// from, and pushed to, the repository's remote. The GitHub job binds the branch choice
// here so the pipeline only calls prepare/commit/push.
import type { CommitRequest, PreparedWorkspace, Workspace } from "../jobs/ports.js";
import { GitWorkspace, type GitWorkspaceOptions, type PrepareOptions } from "./git-workspace.js";

export interface RemoteWorkspace extends Workspace {
  /** How the branch started: continuing the remote branch, or fresh from the base. */
  readonly startedFrom: "remote-branch" | "base-branch" | undefined;
  /**
   * Starts the clone or fetch ahead of runJob, whose prepare() then joins it (and sees its
   * failure, if any): the checkout can run while the job still reads the thread.
   */
  start(): void;
}

export function createRemoteWorkspace(options: GitWorkspaceOptions, target: PrepareOptions): RemoteWorkspace {
  const git = new GitWorkspace(options);
  let startedFrom: RemoteWorkspace["startedFrom"];
  let preparing: Promise<PreparedWorkspace> | undefined;
  const prepare = (): Promise<PreparedWorkspace> => {
    preparing ??= git.prepare(target).then((prepared) => {
      startedFrom = prepared.startedFrom;
      return { dir: prepared.dir, branch: prepared.branch, baseSha: prepared.baseSha };
    });
    return preparing;
  };
  return {
    get startedFrom() {
      return startedFrom;
    },
    prepare,
    start() {
      prepare().catch(() => undefined);
    },
    async changedFiles() {
      return (await git.changedFiles()).map((f) => f.path);
    },
    commit: (request: CommitRequest) => git.commit(request),
    async push() {
      await git.push();
      return { pushed: true };
    },
    async dispose() {
      // A checkout still in progress is finished first, then removed with the rest.
      await preparing?.catch(() => undefined);
      await git.dispose();
    },
  };
}
