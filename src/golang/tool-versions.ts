// The Go tools the app installs for itself, pinned: gopls for the agent's code tools,
// golangci-lint for the repository's linter check and govulncheck for the vulnerability row.
// bin/install-go-tools.sh reads the `module@version` strings below, so keep each on one line
// in this form.
export interface GoToolSpec {
  /** The binary's name in the tools directory. */
  name: "gopls" | "golangci-lint" | "govulncheck";
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

export const GO_TOOLS: readonly GoToolSpec[] = [GOPLS, GOLANGCI_LINT, GOVULNCHECK];
