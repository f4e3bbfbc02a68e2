// The schema of `.github/backend-go-agent.yml`. Every object is strict: an unknown key is an
// error naming it, because a typo (`protected_path:`) silently ignored would leave a
// repository believing it is protected when it is not. Every key has a default, so an
// absent or empty file means "the app's defaults".
import { z } from "zod";
import { CommandLineError, splitCommandLine } from "./command-line.js";

export const CONFIG_PATH = ".github/backend-go-agent.yml";

/** Never writable, whatever a configuration says. */
export const ALWAYS_PROTECTED: readonly string[] = [".git/**", ".github/workflows/**"];

export const DEFAULT_VERIFY_COMMANDS: readonly (readonly string[])[] = [
  ["gofmt", "-l", "."],
  ["go", "vet", "./..."],
  ["go", "build", "./..."],
  ["go", "test", "./..."],
];

// "read" and "none" are left out on purpose: on a public repository everyone has read access.
export const TRIGGER_PERMISSIONS = ["triage", "write", "maintain", "admin"] as const;

const AGENT_NAME = /^[a-z0-9][a-z0-9._-]*$/i;
const agentName = z.string().regex(AGENT_NAME, "must be an agent name: letters, digits, '.', '_' or '-'");

const noControl = (what: string) =>
  z
    .string()
    .min(1, `must not be empty`)
    .refine(
      (s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
      `${what} must be one line without control characters`,
    );

const labelName = noControl("a label").pipe(
  z.string().max(50, "is longer than GitHub's 50-character label limit"),
);

// A branch name git accepts and that cannot be mistaken for an option.
const branchName = z
  .string()
  .regex(/^[A-Za-z0-9._/-]+$/, "must be a branch name (letters, digits, '.', '_', '/', '-')")
  .refine(
    (b) => !b.startsWith("-") && !b.startsWith("/") && !b.endsWith("/"),
    "must not start with '-' or '/'",
  )
  .refine(
    (b) => !b.includes("..") && !b.includes("//") && !b.endsWith(".lock"),
    "is not a valid git branch name",
  );

const protectedGlob = z
  .string()
  .min(1, "must not be empty")
  .refine(
    (g) => !g.startsWith("!"),
    `negation ("!") is not supported: protected paths can only be added, and ${ALWAYS_PROTECTED.join(" and ")} are always protected`,
  )
  .refine(
    (g) => !g.startsWith("/") && !g.split("/").includes(".."),
    "must be relative to the repository root, without '..'",
  );

/** A command as argv: a list of words, or one string split like a shell would, without a shell. */
const command = z.union([z.string(), z.array(z.string().min(1)).min(1)]).transform((value, ctx): string[] => {
  if (Array.isArray(value)) return value;
  try {
    return splitCommandLine(value);
  } catch (err) {
    if (!(err instanceof CommandLineError)) throw err;
    // Only the problem: the value itself is shown (or hidden) with the key, see config-errors.ts.
    ctx.addIssue({ code: "custom", message: err.message });
    return z.NEVER;
  }
});

/** `go.private_modules` entries: `owner/repo`, or a module path `host/owner/repo[/…]`. */
export const OWNER_REPO = /^([A-Za-z0-9-]+)\/([A-Za-z0-9_.-]+)$/;
export const MODULE_REPO_PATH =
  /^([a-z0-9-]+(?:\.[a-z0-9-]+)+)\/([A-Za-z0-9-]+)\/([A-Za-z0-9_.-]+)(?:\/[A-Za-z0-9_.~-]+)*$/;

const privateModule = z
  .string()
  .refine(
    (e) => OWNER_REPO.test(e) || MODULE_REPO_PATH.test(e),
    "must be a repository of this repository's owner: owner/repo, or a module path like github.com/owner/repo",
  );

const positiveInt = (max: number) =>
  z.number().int("must be a whole number").positive("must be above 0").max(max, `must be at most ${max}`);

/** A file or directory of the repository: relative, inside it (never a path on the worker). */
const repoPath = z
  .string()
  .min(1, "must not be empty")
  .refine(
    (p) => !p.startsWith("/") && !p.startsWith("~") && !p.split(/[\\/]/).includes(".."),
    "must be a path inside the repository, relative to its root, without '..' (not a path on the worker)",
  );

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be a variable name: capitals, digits and '_'");

/** The services a job can have, started from the worker's own binaries (src/services/). */
export const SERVICE_NAMES = ["postgres", "redis", "nats", "rabbitmq"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

// Keys people bring from docker-compose or Actions `services:`: each refused with the reason.
const chosenByWorker = (what: string) =>
  z
    .custom<never>(() => false, {
      error: `${what}: services run from the worker's own binaries, for this job alone, reachable only over a Unix socket in the sandbox — there is none to choose`,
    })
    .optional();
const notConfigurable = {
  image: chosenByWorker("no image"),
  port: chosenByWorker("no port"),
  ports: chosenByWorker("no port"),
  host: chosenByWorker("no host"),
  data_dir: chosenByWorker("no data directory"),
  volumes: chosenByWorker("no volume"),
  version: chosenByWorker("the worker's installed version runs (the verdict names it), no version"),
};

const postgresService = z.strictObject({
  /** The variable holding the connection URL; PGHOST, PGDATABASE, PGUSER… are set too. */
  url: envName.default("DATABASE_URL"),
  /** Extensions created in the job's database before anything runs (pgcrypto, citext…). */
  extensions: z
    .array(z.string().regex(/^[a-z_][a-z0-9_-]*$/, "must be an extension name"))
    .max(20, "may list at most 20 extensions")
    .default([]),
  /** A SQL file of the repository run in the job's database once it is made. */
  init: repoPath.optional(),
  ...notConfigurable,
});

const redisService = z.strictObject({
  /** The variable holding the unix:// URL. */
  url: envName.default("REDIS_URL"),
  ...notConfigurable,
});

const natsService = z.strictObject({
  /** The variable holding the nats:// URL. */
  url: envName.default("NATS_URL"),
  ...notConfigurable,
});

const rabbitmqService = z.strictObject({
  /** The variable holding the amqp:// URL. */
  url: envName.default("AMQP_URL"),
  ...notConfigurable,
});

/** `[postgres, redis]` is short for `{postgres: {}, redis: {}}`; `postgres:` alone means the defaults. */
function servicesMapping(value: unknown): unknown {
  const mapping =
    Array.isArray(value) && value.every((v) => typeof v === "string")
      ? Object.fromEntries(value.map((name) => [name, {}]))
      : value;
  if (!mapping || typeof mapping !== "object" || Array.isArray(mapping)) return mapping;
  return Object.fromEntries(Object.entries(mapping).map(([k, v]) => [k, v ?? {}]));
}

const servicesSchema = z.preprocess(
  servicesMapping,
  z.strictObject({
    postgres: postgresService.optional(),
    redis: redisService.optional(),
    nats: natsService.optional(),
    rabbitmq: rabbitmqService.optional(),
  }),
);

export const repoConfigSchema = z.strictObject({
  /** Handled by Probot's config loader; accepted here so a leftover does not read as a typo. */
  _extends: z.string().optional(),
  trigger: z
    .strictObject({
      label: labelName.default("backend-go"),
      command: z
        .string()
        .regex(
          /^[a-z][a-z0-9_-]{0,31}$/i,
          "must be one word of letters, digits, '_' or '-' (used as /<command>)",
        )
        .default("agent"),
      min_permission: z.enum(TRIGGER_PERMISSIONS).default("write"),
    })
    .prefault({}),
  agents: z
    .strictObject({
      default: agentName.default("backend-engineer-golang"),
      labels: z.record(labelName, agentName).default({}),
    })
    .prefault({}),
  model: noControl("a model").optional(),
  budgets: z
    .strictObject({
      max_turns: positiveInt(500).optional(),
      max_tokens: positiveInt(100_000_000).optional(),
      max_usd: z.number().positive("must be above 0").max(1000, "must be at most 1000").optional(),
      max_minutes: positiveInt(24 * 60).optional(),
    })
    .prefault({}),
  protected_paths: z.array(protectedGlob).default([]),
  verify: z
    .strictObject({
      commands: z
        .array(command)
        .min(1, "must list at least one command (leave the key out for the defaults)")
        .default(DEFAULT_VERIFY_COMMANDS.map((c) => [...c])),
      /** golangci-lint as a check: auto runs it when the repository has a .golangci.* file. */
      golangci_lint: z.enum(["off", "on", "auto"]).default("auto"),
      // Rounds in which a red verdict goes back to the agent before publishing; 0 turns it off.
      repair_rounds: z.number().int().min(0).max(5).default(2),
      // Packages vet, build and test cover: those the change can affect, or the whole module.
      scope: z.enum(["affected", "all"]).default("affected"),
      /** PostgreSQL, Redis, NATS and RabbitMQ started for the job (src/services/): the agent's and the verdict's Go runs see them. */
      services: servicesSchema.default({}),
      /** Build tags added to every Go run (e.g. integration), so tests behind them run. */
      tags: z
        .array(z.string().regex(/^[A-Za-z0-9_.]+$/, "must be a build tag: letters, digits, '_' or '.'"))
        .max(20, "may list at most 20 tags")
        .default([]),
      /** The SQL migrations directory, when it is not found by itself (golang-migrate or goose files). */
      migrations: repoPath.optional(),
      // Evidence rows (verify/evidence/): the change's new tests run on the base and the change.
      fail_pass: z.enum(["on", "off"]).default("on"),
      // go test -race on the affected packages; auto where cgo and a C compiler are available.
      race: z.enum(["auto", "on", "off"]).default("auto"),
      // The exported API against the base: incompatible changes warn, or fail under strict.
      api: z.enum(["warn", "strict", "off"]).default("warn"),
      // govulncheck: auto runs it when go.mod or go.sum changed.
      vulncheck: z.enum(["auto", "on", "off"]).default("auto"),
      // Benchmarks on the base and the change, compared by benchstat: auto when the task asks for speed.
      bench: z.enum(["auto", "on", "off"]).default("auto"),
    })
    .prefault({}),
  base_branch: branchName.optional(),
  pull_request: z
    .strictObject({
      draft: z.enum(["when-not-green", "always", "never"]).default("when-not-green"),
      reviewers: z
        .array(z.string().regex(/^[a-z\d](?:[a-z\d-]{0,38})$/i, "must be a GitHub login"))
        .default([]),
      team_reviewers: z.array(z.string().regex(/^[a-z\d][a-z\d._-]*$/i, "must be a team slug")).default([]),
      labels: z.array(labelName).default([]),
      /** Which reviews on the bot's PRs start a job: only `/agent` in the body, or any "Request changes". */
      on_review: z.enum(["command", "changes_requested"]).default("command"),
      /** Merge the base into the bot's open PRs when the base moves ahead of them (a `push` to it). */
      keep_up_to_date: z.boolean().default(false),
    })
    .prefault({}),
  /** Fixing the repository's own CI when it fails on the bot's pull request. */
  ci_fix: z
    .strictObject({
      enabled: z.boolean().default(true),
      max_attempts: positiveInt(20).default(3),
    })
    .prefault({}),
  commits: z
    .strictObject({
      // How the bot's commits reach the branch: `git` push, or GitHub's Git database API
      // (signed by GitHub, "Verified"). Unset: the app's COMMIT_SIGNING.
      signing: z.enum(["git", "github"]).optional(),
    })
    .prefault({}),
  go: z
    .strictObject({
      goproxy: noControl("GOPROXY").optional(),
      goprivate: noControl("GOPRIVATE").optional(),
      gonosumdb: noControl("GONOSUMDB").optional(),
      goflags: noControl("GOFLAGS").optional(),
      // Other repositories of the owner whose modules downloads may fetch with a read-only
      // token for them alone; the repository's own module needs no entry.
      private_modules: z.array(privateModule).max(50, "may list at most 50 repositories").default([]),
    })
    .prefault({}),
});

/** The validated configuration, with every default filled in. */
export type RepoConfig = Omit<z.output<typeof repoConfigSchema>, "_extends">;

/** The configuration of a repository without a file. */
export function defaultRepoConfig(): RepoConfig {
  const { _extends, ...config } = repoConfigSchema.parse({});
  return config;
}
