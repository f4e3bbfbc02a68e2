// The job's Go tools beyond `go`: gopls behind the agent's go_* code tools, golangci-lint and
// govulncheck as verification checks and benchstat for the benchmark row, all installed on
// first need (install-go-tools.ts); those that read the repository run in the toolchain's sandbox. The GitHub job and the CLI spread this into their JobDeps.
import { join } from "node:path";
import { createGoplsSession } from "../golang/gopls-session.js";
import { ensureGoTool, goToolsSettings, installedTool } from "../golang/install-go-tools.js";
import { goInstallationOf } from "../golang/tool-sandbox.js";
import { BENCHSTAT, GOLANGCI_LINT, GOPLS, GOVULNCHECK } from "../golang/tool-versions.js";
import type { Toolchain } from "../golang/toolchain.js";
import { DEFAULT_VULN_DB, vulncheckCheck } from "../verify/evidence/vulncheck.js";
import { findModuleDirs } from "../verify/go-modules.js";
import { golangciConfig, golangciLintCheck } from "../verify/golangci-lint.js";
import type { JobDeps } from "./ports.js";

export function goToolDeps(
  toolchain: Toolchain,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Pick<JobDeps, "codeIntelligence" | "extraChecks" | "evidenceTools"> {
  const go = goInstallationOf(toolchain);
  if (!go) return {};
  const settings = goToolsSettings(env, dataDir);
  // The repository's own tool caches (go-env.ts): the tools directory may be the image's
  // read-only one, and one repository's lint results must never be another's.
  const caches = go.caches.tools;
  return {
    evidenceTools: { benchstat: () => ensureGoTool(BENCHSTAT, settings) },
    codeIntelligence: (_plan, checkoutDir) =>
      createGoplsSession({
        go,
        gopls: () => ensureGoTool(GOPLS, settings),
        root: checkoutDir,
        cacheDir: join(caches, "gopls"),
      }),
    // No row at all where the repository does not lint: a skipped row on every job is noise.
    extraChecks: (plan, checkoutDir) => {
      const checks = [];
      const mode = plan.config.verify.golangci_lint;
      // A repository of several modules may configure the linter in each module, not at the root.
      const configured =
        mode === "on" ||
        (mode === "auto" && [checkoutDir, ...findModuleDirs(checkoutDir)].some((d) => golangciConfig(d, d)));
      if (configured) {
        checks.push(
          golangciLintCheck({
            go,
            golangciLint: () => ensureGoTool(GOLANGCI_LINT, settings),
            installed: () => installedTool(GOLANGCI_LINT, settings.dir) !== undefined,
            mode,
            cacheDir: join(caches, "golangci-lint"),
          }),
        );
      }
      // Its row appears only when it has something to say (go.mod or go.sum changed, under auto).
      const vulncheck = plan.config.verify.vulncheck;
      if (vulncheck !== "off") {
        checks.push(
          vulncheckCheck({
            go,
            govulncheck: () => ensureGoTool(GOVULNCHECK, settings),
            mode: vulncheck,
            db: env.GOVULNDB?.trim() || DEFAULT_VULN_DB,
          }),
        );
      }
      return checks;
    },
  };
}
