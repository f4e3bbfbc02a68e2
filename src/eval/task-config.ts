// The task's own `.github/backend-go-agent.yml`, read from the repository as it was before
// the agent ran (the checkout's first commit), never from the tree the agent left: an agent
// that took `verify.services` or `verify.tags` out of the file must not be judged without them
// (its integration-tagged hidden tests would then build to nothing and pass).
import { basename } from "node:path";
import { loadRepoConfig, localConfigReader, localGitRepoFiles, type RepoConfig } from "../repo/index.js";

/** The configuration at `ref` (a commit of the task's checkout); an invalid file throws RepoConfigError. */
export async function loadTaskConfig(checkoutDir: string, ref: string): Promise<RepoConfig> {
  const files = await localGitRepoFiles(checkoutDir, ref);
  const self = { owner: "local", repo: basename(checkoutDir) };
  return loadRepoConfig(localConfigReader(files, self), self);
}
