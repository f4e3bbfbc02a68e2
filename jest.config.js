// Why this combination: Probot 14 is ESM-only, so jest runs in native ESM mode
// (`node --experimental-vm-modules`). TypeScript is stripped by @swc/jest, which needs
// no TypeScript compiler API (ts-jest cannot run on TypeScript 7, and the type check
// runs separately with `tsc`). nock 14 is the newest that supports Node 20 and still
// intercepts Octokit's native fetch.
//
// Three projects (docs/testing.md), run together on three workers by test/setup/lanes-runner.js:
// - app: suites that start the built app or the queue's worker processes (dist/), or Redis:
//   one at a time in a lane of their own (two cold app starts at once starve each other);
// - go: suites that run the real Go toolchain in-process (builds, the sandbox, gopls);
// - unit: the rest. New files land here unless their path says otherwise.
// Ports are asked of the kernel, data directories are per suite, and the Go caches are Go's
// own (safe for concurrent processes), so go and unit suites run side by side. `--selectProjects
// unit` is the quick loop; `--runInBand` runs every suite in a row, as jest's default of one
// worker on 2 cores did before (about three times slower, measured in docs/testing.md).

/** Suites that run dist/ (the app, the CLI, the queue's worker processes) or redis-server. */
const APP = [
  "e2e/**/*.test.ts",
  "**/*.e2e.test.ts",
  "cli/**/*.test.ts",
  "queue/{bullmq-queue,create-queue,crash-recovery,cross-process-stop,queue-faults}.test.ts",
  "github/stop-job.test.ts",
];

/** Suites that build, vet and test Go code in-process (the shared test Go caches). */
const GO = [
  "golang/**/*.test.ts",
  "verify/**/*.test.ts",
  "deps/**/*.test.ts",
  "pipeline/{run-job,verify-and-repair-evidence}.test.ts",
  "services/**/*.test.ts",
  "eval/{eval,judge-services}.test.ts",
  "agent/{model-providers,prompt-cache,tools}.test.ts",
  "github/render-verdict.test.ts",
  "security/{resource-limits,token-scope}.test.ts",
];

/** testMatch globs under test/: these, and none of `but` (jest reads `!` globs in order). */
const under = (globs, but = []) => [
  ...globs.map((g) => `<rootDir>/test/${g}`),
  ...but.map((g) => `!**/test/${g}`),
];

/** @type {import('jest').Config} */
const common = {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "es6" },
      },
    ],
  },
  // The app project's suites one at a time, beside the others (test/setup/lanes-runner.js).
  runner: "<rootDir>/test/setup/lanes-runner.js",
  // Builds dist/ when it is older than src/ (a lone jest run), and the run's shared Go cache.
  globalSetup: "<rootDir>/test/setup/global-setup.js",
  globalTeardown: "<rootDir>/test/setup/global-teardown.js",
};

/** @type {import('jest').Config} */
export default {
  // One worker for the app project's lane, the others for the go and unit projects.
  maxWorkers: 3,
  // A global option: in a project's config jest ignores it (and would give each test 5 s).
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: "app", testMatch: under(APP) },
    { ...common, displayName: "go", testMatch: under(GO, APP) },
    { ...common, displayName: "unit", testMatch: under(["**/*.test.ts"], [...APP, ...GO]) },
  ],
};
