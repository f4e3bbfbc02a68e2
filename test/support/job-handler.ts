// The GitHub job handler in process, for tests that drive single jobs: a real Probot against
// the GitHub stand-in (retries and throttling off, so each request is seen once), the
// scripted model through the real SDK, and the real Go toolchain.
import { Probot, ProbotOctokit } from "probot";
import { createAnthropicModelClient } from "../../src/agent/model/anthropic-client.js";
import { createGitHubJobHandler } from "../../src/github/github-job.js";
import type { JobHandler } from "../../src/queue/job-queue.js";
import { testToolchain } from "../golang/support.js";
import type { GitHubStandIn } from "./github-server.js";

/** A Probot for the stand-in's App, retries and throttling off. */
export function standInProbot(gh: GitHubStandIn, privateKey: string): Probot {
  return new Probot({
    appId: gh.app.id,
    privateKey,
    baseUrl: gh.apiUrl,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
}

export async function inProcessJobHandler(opts: {
  gh: GitHubStandIn;
  privateKey: string;
  modelUrl: string;
  dataDir: string;
}): Promise<JobHandler> {
  const { gh } = opts;
  const probot = standInProbot(gh, opts.privateKey);
  return createGitHubJobHandler({
    probot,
    dataDir: opts.dataDir,
    modelClient: createAnthropicModelClient({ apiKey: "sk-ant-test", baseURL: opts.modelUrl, maxRetries: 0 }),
    toolchain: await testToolchain(),
    identity: async () => ({
      slug: gh.app.slug,
      name: `${gh.app.slug}[bot]`,
      email: `${gh.bot.id}+${gh.app.slug}[bot]@users.noreply.github.com`,
    }),
    logger: { info() {}, warn() {}, error() {} },
    trackingIntervalMs: 10,
    finalRetryDelaysMs: [10, 20, 40],
  });
}
