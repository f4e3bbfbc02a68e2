// The verdict's migration check: on a scratch database in the job's PostgreSQL, every
// migration up, then the change's own migrations down (newest first, with any newer ones),
// then up again. A failing statement is named with its file and line; a migration the change
// adds without a down step is named too. The SQL runs through psql in the sandbox, as the
// job's role, like the repository's tests.
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { RepoConfig } from "../repo/config-schema.js";
import type { CheckContext } from "../verify/checks.js";
import type { Check } from "../verify/verdict.js";
import type { CustomCheck } from "../verify/verify.js";
import type { StartedServices } from "./job-services.js";
import {
  findMigrationDirs,
  type Migration,
  type MigrationStep,
  readMigrations,
  statementAt,
} from "./migrations.js";
import { inside, realDirInside } from "./repo-file.js";
import type { JobServices } from "./services.js";

export const MIGRATIONS_CHECK = "migrations";

interface StepFailure {
  step: MigrationStep;
  direction: "up" | "down" | "up again";
  message: string;
  line?: number;
}

/** psql's "psql:<file>:<line>: ERROR:  …" and what follows it. */
function psqlError(stderr: string): { line?: number; message: string } {
  const m = /^psql:[^\n]*?:(\d+): (ERROR|FATAL):\s+(.*)$/m.exec(stderr);
  if (m) return { line: Number(m[1]), message: `${m[2]}: ${m[3]}` };
  return { message: stderr.trim().split("\n")[0] ?? "psql failed" };
}

function versionText(m: Migration): string {
  return `${m.id}_${m.name}`;
}

async function runStep(
  ctx: CheckContext,
  shared: string,
  env: Record<string, string>,
  step: MigrationStep,
  direction: StepFailure["direction"],
): Promise<StepFailure | undefined> {
  // The SQL as psql reads it (goose's other section blanked), where the sandbox can read it.
  const file = join(shared, step.file.replace(/[/\\]/g, "__"));
  await writeFile(file, step.sql);
  const res = await ctx.toolchain.run(
    "psql",
    ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", file],
    {
      cwd: ctx.root,
      root: ctx.root,
      env,
      timeoutMs: ctx.timeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    },
  );
  if (res.exitCode === 0) return undefined;
  if (res.timedOut)
    return { step, direction, message: `did not finish in ${Math.round(ctx.timeoutMs / 1000)} s` };
  const { line, message } = psqlError(res.stderr || res.stdout);
  return { step, direction, message, ...(line ? { line } : {}) };
}

function failureText(f: StepFailure): string {
  const where = f.line ? `${f.step.file}:${f.line}` : f.step.file;
  const statement = f.line ? statementAt(f.step.sql, f.line) : "";
  return `${where} (${f.direction}): ${f.message}${statement ? `\n  statement: ${statement}` : ""}`;
}

async function checkDir(
  ctx: CheckContext,
  job: JobServices,
  dir: string,
): Promise<{ problems: string[]; summary: string }> {
  const migrations = await readMigrations(ctx.root, dir);
  const changed = new Set((ctx.changedFiles ?? []).map((f) => relative(ctx.root, f).split("\\").join("/")));
  const ofChange = migrations.filter((m) => m.files.some((f) => changed.has(f)));
  const problems: string[] = [];
  for (const m of ofChange) {
    if (!m.down) {
      problems.push(
        m.format === "golang-migrate"
          ? `${m.up?.file ?? versionText(m)} has no down step: add ${relative(ctx.root, join(dir, `${versionText(m)}.down.sql`))}`
          : `${m.up?.file ?? versionText(m)} has no -- +goose Down section`,
      );
    }
  }
  const scratch = await job.scratchDatabase!();
  const shared = join(job.socketDirs[0]!, `sql-${scratch.name}`);
  await mkdir(shared, { recursive: true, mode: 0o755 });
  try {
    const run = async (steps: [MigrationStep | undefined, StepFailure["direction"]][]) => {
      for (const [step, direction] of steps) {
        if (!step) continue;
        const failed = await runStep(ctx, shared, scratch.env, step, direction);
        if (failed) return failed;
      }
      return undefined;
    };
    const ups = migrations.map((m) => [m.up, "up"] as [MigrationStep | undefined, StepFailure["direction"]]);
    const failedUp = await run(ups);
    if (failedUp) return { problems: [...problems, failureText(failedUp)], summary: "" };
    if (ofChange.length === 0) {
      return { problems, summary: `${migrations.length} migration${migrations.length === 1 ? "" : "s"} up` };
    }
    // Down to just below the change's oldest migration, newest first, then up again.
    const lowest = ofChange[0]!.version;
    const undone = migrations.filter((m) => m.version >= lowest && m.down);
    const failedDown = await run([...undone].reverse().map((m) => [m.down, "down"]));
    if (failedDown) return { problems: [...problems, failureText(failedDown)], summary: "" };
    const failedAgain = await run(undone.map((m) => [m.up, "up again"]));
    if (failedAgain) return { problems: [...problems, failureText(failedAgain)], summary: "" };
    return {
      problems,
      summary: `${migrations.length} up, ${undone.length} down (${undone.map(versionText).join(", ")}) and up again`,
    };
  } finally {
    await scratch.drop().catch(() => undefined);
  }
}

/** The migration check for this job, when its PostgreSQL runs and the repository has migrations. */
export function migrationChecks(services: StartedServices, config: RepoConfig): CustomCheck[] {
  const job = services.job;
  if (!job?.scratchDatabase) return [];
  return [
    {
      name: MIGRATIONS_CHECK,
      async run(ctx: CheckContext): Promise<Check> {
        const started = Date.now();
        // ctx.root, not the job's checkout: the base comparison runs this check in the base's tree.
        const root = resolve(ctx.root);
        const dirs = config.verify.migrations
          ? [resolve(root, config.verify.migrations)]
          : await findMigrationDirs(ctx.dir);
        const inModule: string[] = [];
        for (const d of dirs) if (inside(ctx.dir, d) && (await realDirInside(root, d))) inModule.push(d);
        const base = { name: MIGRATIONS_CHECK, details: "", durationMs: 0 };
        if (inModule.length === 0) return { ...base, status: "skipped", summary: "no SQL migrations found" };
        const results = [];
        for (const dir of inModule) results.push(await checkDir({ ...ctx, root }, job, dir));
        const problems = results.flatMap((r) => r.problems);
        const durationMs = Date.now() - started;
        if (problems.length) {
          return {
            ...base,
            status: "fail",
            summary: problems[0]!.split("\n")[0]!,
            details: problems.join("\n"),
            durationMs,
          };
        }
        return {
          ...base,
          status: "pass",
          summary: `${results.map((r) => r.summary).join("; ")} on a scratch database`,
          durationMs,
        };
      },
    },
  ];
}
