// Why this combination: Probot 14 is ESM-only, so jest runs in native ESM mode
// (`node --experimental-vm-modules`). TypeScript is stripped by @swc/jest, which needs
// no TypeScript compiler API (ts-jest cannot run on TypeScript 7, and the type check
// runs separately with `tsc`). nock 14 is the newest that supports Node 20 and still
// intercepts Octokit's native fetch.
/** @type {import('jest').Config} */
export default {
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
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  testTimeout: 60_000,
  globalSetup: "<rootDir>/test/setup/global-setup.js",
  globalTeardown: "<rootDir>/test/setup/global-teardown.js",
};
