// Step 3's services, as runJob uses them: started when the repository's `verify.services`
// asks, after the checkout (the init file is in it), with the build tags that bring the
// integration tests in — left off when a service is missing, so those tests are reported as
// needing it rather than failing for want of it.
import type { RepoConfig } from "../repo/config-schema.js";
import { createLocalServices, type LocalServices } from "./local-services.js";
import {
  type JobServices,
  notInstalled,
  requestedServices,
  type Services,
  wantsServices,
} from "./services.js";

export interface StartedServices {
  declared: boolean;
  job?: JobServices;
  /** The build tags every Go run of the job sets. */
  tags: string[];
  /** How long starting took. */
  costMs: number;
}

/** What a job whose worker has no Services adapter gets: each requested service named missing. */
function noServices(config: RepoConfig): JobServices {
  return {
    env: {},
    socketDirs: [],
    used: [],
    problems: requestedServices(config.verify.services).map(notInstalled),
    stop: async () => undefined,
  };
}

export async function startJobServices(
  services: Services | undefined,
  config: RepoConfig,
  checkoutDir: string,
  signal?: AbortSignal,
  /** Whether the job's Go runs are sandboxed (their own network namespace): NATS needs it. */
  sandboxed = false,
): Promise<StartedServices> {
  const tags = [...config.verify.tags];
  if (!wantsServices(config.verify.services)) return { declared: false, tags, costMs: 0 };
  const began = Date.now();
  const job = services
    ? await services.start(config.verify.services, { checkoutDir, sandboxed, ...(signal ? { signal } : {}) })
    : noServices(config);
  return { declared: true, job, tags: job.problems.length ? [] : tags, costMs: Date.now() - began };
}

const perDataDir = new Map<string, LocalServices>();

/**
 * The worker's one Services adapter per DATA_DIR: the PostgreSQL template is made once per
 * process, whatever number of jobs share it.
 */
export function sharedServices(dataDir: string): LocalServices {
  let services = perDataDir.get(dataDir);
  if (!services) {
    services = createLocalServices({ dataDir });
    perDataDir.set(dataDir, services);
  }
  return services;
}

/** What the agent is told about the job's services, so it runs the integration tests itself. */
export function servicesMaterial(started: StartedServices | undefined): string {
  const job = started?.job;
  if (!job) return "";
  const vars = Object.keys(job.env).filter((k) => !k.startsWith("PG") || k === "PGHOST");
  const lines = ["## Services for this job"];
  if (job.used.length) {
    lines.push(
      `${job.used.map((u) => u.label).join(" and ")} run for this job alone; every \`go\` run (yours and the verifier's) gets ${vars.map((v) => `\`${v}\``).join(", ")}${started.tags.length ? ` and the build tags \`${started.tags.join(",")}\` (already set: plain \`go test ./...\` runs the integration tests)` : ""}.`,
      "Run the integration tests of what you change against them; the verdict runs them too.",
    );
  }
  for (const p of job.problems) lines.push(`${p.reason}: tests that need it cannot run in this job.`);
  return lines.join("\n");
}
