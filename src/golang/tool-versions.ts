// The Go tools the app installs for itself, pinned: gopls for the agent's code tools,
// golangci-lint for the repository's linter check, govulncheck for the vulnerability row and
// benchstat for the benchmark row.
// bin/install-go-tools.sh reads the `module@version` strings below, so keep each on one line
// in this form.
export interface GoToolSpec {
  /** The binary's name in the tools directory. */
  name: "gopls" | "golangci-lint" | "govulncheck" | "benchstat";
  /** `go install` argument: package path and version. */
  install: string;
  version: string;
}

/** v0.23.0 is the newest gopls that builds with Go 1.26 (v0.24 needs a newer Go). */
export const GOPLS: GoToolSpec = {
  name: "gopls",
  install: "golang.org/x/tools/gopls@v0.23.0",
  version: "v0.23.0",
};

/** A v2 release: its configuration files carry `version: "2"`. */
export const GOLANGCI_LINT: GoToolSpec = {
  name: "golangci-lint",
  install: "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0",
  version: "v2.15.0",
};

/** The verdict's vulnerability row (verify/evidence/vulncheck.ts). */
export const GOVULNCHECK: GoToolSpec = {
  name: "govulncheck",
  install: "golang.org/x/vuln/cmd/govulncheck@v1.9.0",
  version: "v1.9.0",
};

/** The verdict's benchmark row (verify/evidence/benchmarks.ts); x/perf is versioned by commit. */
export const BENCHSTAT: GoToolSpec = {
  name: "benchstat",
  install: "golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da",
  version: "v0.0.0-20260908200009-22c9c6c9d4da",
};

export const GO_TOOLS: readonly GoToolSpec[] = [GOPLS, GOLANGCI_LINT, GOVULNCHECK, BENCHSTAT];
