// The pinned gopls and golangci-lint for the tests: installed once per machine into a
// shared directory (GO_TOOLS_DIR, default <tmp>/backend-go-agent-go-tools; .ci/run installs
// there before the tests), or installed here on first need. Where they are not installed
// and cannot be (no module proxy), the tests that need them are skipped with the reason —
// unless GO_TOOLS_REQUIRED=1 (CI), where a missing tool is a failure.
import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ensureGoTool,
  type GoToolsSettings,
  goToolsSettings,
  type InstalledTool,
} from "../../src/golang/install-go-tools.js";
import { GOLANGCI_LINT, GOPLS } from "../../src/golang/tool-versions.js";
import { REPO_ROOT } from "../support/model-checkout.js";
import { TEST_DATA_DIR } from "./support.js";

export const TEST_GO_TOOLS_DIR = process.env.GO_TOOLS_DIR || join(tmpdir(), "backend-go-agent-go-tools");

export function testGoToolsSettings(): GoToolsSettings {
  return goToolsSettings({ ...process.env, GO_TOOLS_DIR: TEST_GO_TOOLS_DIR }, TEST_DATA_DIR);
}

export interface TestGoTools {
  gopls?: InstalledTool;
  golangciLint?: InstalledTool;
  /** Why a tool is missing, for the skip message. */
  missing: string[];
}

export async function testGoTools(): Promise<TestGoTools> {
  const settings = testGoToolsSettings();
  const [gopls, lint] = await Promise.all([
    ensureGoTool(GOPLS, settings),
    ensureGoTool(GOLANGCI_LINT, settings),
  ]);
  const missing = [gopls, lint].flatMap((r) => (r.ok ? [] : [r.reason]));
  if (missing.length && process.env.GO_TOOLS_REQUIRED === "1") {
    throw new Error(`GO_TOOLS_REQUIRED=1 but: ${missing.join("; ")}`);
  }
  for (const reason of missing) console.warn(`skipping the tests that need it: ${reason}`);
  return {
    ...(gopls.ok ? { gopls: gopls.tool } : {}),
    ...(lint.ok ? { golangciLint: lint.tool } : {}),
    missing,
  };
}

const GIT_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Fixture",
  GIT_AUTHOR_EMAIL: "fixture@example.com",
  GIT_COMMITTER_NAME: "Fixture",
  GIT_COMMITTER_EMAIL: "fixture@example.com",
};

/** test/fixtures/payments-service (six packages, google/uuid) as a git repository on main. */
export async function paymentsCheckout(
  extra: Record<string, string> = {},
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), "bga-payments-"));
  const dir = join(base, "payments-service");
  cpSync(join(REPO_ROOT, "test", "fixtures", "payments-service"), dir, { recursive: true });
  for (const [path, content] of Object.entries(extra)) {
    execFileSync("sh", ["-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", join(dir, path)], {
      input: content,
    });
  }
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: GIT_ENV });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "payments-service fixture");
  return { dir, cleanup: () => rm(base, { recursive: true, force: true }) };
}
