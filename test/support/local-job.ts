// One job in-process, as the CLI runs it: runJob's dependencies over a temporary checkout (the
// local workspace), the real Go toolchain the test made, the scripted model through the real
// SDK, and a code host that records what it was told. Tests spread their own deps on top.
import { createAnthropicModelClient } from "../../src/agent/model/anthropic-client.js";
import type { Toolchain } from "../../src/golang/toolchain.js";
import type { JobDeps } from "../../src/pipeline/ports.js";
import { createLocalWorkspace } from "../../src/workspace/local-workspace.js";
import { type RecordingHost, recordingHost } from "./local-host.js";

export interface LocalJobOptions {
  /** The checkout the job works in (a temporary copy, never the project's own). */
  repoDir: string;
  branch: string;
  /** The scripted model's URL. */
  modelUrl: string;
  toolchain: Toolchain;
}

export interface LocalJob extends RecordingHost {
  deps: JobDeps;
}

/** The agent files' "opus" alias as the app's default MODEL_ALIASES resolve it; ids pass through. */
export const resolveTestModel = (m: string) => (m === "opus" ? "claude-opus-4-5" : m);

export function localJob(options: LocalJobOptions): LocalJob {
  const rec = recordingHost(options.repoDir);
  return {
    ...rec,
    deps: {
      host: rec.host,
      workspace: () => createLocalWorkspace({ repoDir: options.repoDir, branch: options.branch }),
      toolchain: () => options.toolchain,
      modelClient: createAnthropicModelClient({
        apiKey: "sk-ant-test",
        baseURL: options.modelUrl,
        maxRetries: 0,
      }),
      resolveModel: resolveTestModel,
      author: { name: "backend-go-agent", email: "bot@example.com" },
    },
  };
}
