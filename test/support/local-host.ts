// The CLI's code host over a temporary checkout, recording the stages it was told and what it
// published instead of printing them: for tests that drive runJob directly.
import { join } from "node:path";
import { LocalCodeHost } from "../../src/local/local-code-host.js";
import type { CodeHost, JobResult } from "../../src/pipeline/ports.js";
import { REPO_ROOT } from "./model-checkout.js";

export interface RecordingHost {
  host: CodeHost;
  /** Stage changes, and `agent:<tool> <detail>` for each tool call. */
  stages: string[];
  published: JobResult[];
}

export function recordingHost(repoDir: string): RecordingHost {
  const stages: string[] = [];
  const published: JobResult[] = [];
  const local = new LocalCodeHost({ repoDir, appAgentsDir: join(REPO_ROOT, "agents"), out() {}, err() {} });
  const host: CodeHost = {
    gate: (task) => local.gate(task),
    taskContext: (task, plan) => local.taskContext(task, plan),
    reportProgress(stage, detail, progress) {
      // A stage's own detail lines ("go test — 3 of 5 packages") are not stage changes.
      if (!progress) {
        if (stages.at(-1) !== stage) stages.push(stage);
      } else if (progress.event === "tool_call") stages.push(`${stage}:${detail}`);
    },
    async publish(result) {
      published.push(result);
      return {};
    },
  };
  return { host, stages, published };
}
