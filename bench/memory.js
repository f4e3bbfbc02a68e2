// Memory of the app process (VmRSS from /proc/<pid>/status; child processes such as git,
// go and the sandbox are not counted): idle after startup, and the peak (VmHWM, cross-
// checked by sampling every 20 ms) while 4 jobs run at once with JOB_CONCURRENCY=4, each
// writing a file and running go test on the generated repository, then verify and publish.

import { markerFile } from "./overhead.js";
import { startApp } from "./processes.js";
import { finishedJob, writeAndTestScenario } from "./world.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function measureMemory(world, { dataDir, jobs = 4, firstMarker = 200 }) {
  const app = await startApp({
    appId: world.gh.app.id,
    privateKey: world.keys.privateKey,
    gheHost: world.gh.host,
    modelUrl: world.model.url,
    dataDir,
    env: { JOB_CONCURRENCY: String(jobs) },
  });
  try {
    await sleep(3000);
    const idle = app.memory().rssMiB;
    let sampled = 0;
    const sampler = setInterval(() => {
      sampled = Math.max(sampled, app.memory().rssMiB);
    }, 20);
    const started = await Promise.all(
      Array.from({ length: jobs }, (_, i) => {
        const { path, content } = markerFile(firstMarker + i);
        return world.labelIssue(app.url, { scenario: writeAndTestScenario(path, content) });
      }),
    );
    const records = await Promise.all(started.map((t) => finishedJob(app.url, t.deliveryId)));
    clearInterval(sampler);
    const failed = records.filter((r) => r.status !== "succeeded");
    if (failed.length) throw new Error(`memory jobs failed: ${failed.map((r) => r.error).join("; ")}`);
    const { hwmMiB } = app.memory();
    await sleep(3000);
    const after = app.memory().rssMiB;
    const wall =
      Math.max(...records.map((r) => Date.parse(r.finishedAt))) -
      Math.min(...started.map((t) => t.started.wall));
    return {
      idle,
      peak: Math.max(hwmMiB, sampled),
      sampledPeak: sampled,
      hwm: hwmMiB,
      idleAfter: after,
      jobs,
      wallMs: wall,
    };
  } finally {
    await app.stop();
  }
}
