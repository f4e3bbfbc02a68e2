// Per-job module settings: a repository's `go:` keys and the credentials for its private
// modules. The toolchain applies them run by run. Credentials become git configuration in
// the environment of download runs (network: true: `go mod download`, `go mod tidy`) and of
// nothing else, so code under test, which always runs offline, never sees them; nothing is
// written to disk (no .netrc, no .gitconfig, no credential store).
//
// Wiring a GitHub job (the installation can read the owner's private repositories):
//   const toolchain = withModuleAccess(deps.toolchain, {
//     ...config.go,                      // the repository's go: keys
//     credentials: [{ modulePrefix: "github.com/acme", token: () => installationToken() }],
//   });
// and pass that toolchain to runJob and to verify.
import type { ModuleAccess, PrivateModuleCredentials, RunOptions, Toolchain } from "./toolchain.js";

export type { ModuleAccess, ModuleSettings, PrivateModuleCredentials } from "./toolchain.js";

/** Credentials that cannot be used as given (a bad prefix or URL, a token with line breaks). */
export class ModuleAccessError extends Error {
  override name = "ModuleAccessError";
}

/** A toolchain whose every run carries the job's module settings and credentials. */
export function withModuleAccess<T extends Toolchain>(toolchain: T, access: ModuleAccess): T {
  for (const c of access.credentials ?? []) checkedPrefix(c.modulePrefix);
  const add = (o: RunOptions): RunOptions => ({ ...o, modules: access });
  return {
    ...toolchain,
    go: (args, o) => toolchain.go(args, add(o)),
    gofmt: (args, o) => toolchain.gofmt(args, add(o)),
    run: (command, args, o) => toolchain.run(command, args, add(o)),
  };
}

const MODULE_PREFIX = /^[a-z0-9-]+(\.[a-z0-9-]+)+(\/[A-Za-z0-9._~-]+)*$/;

function checkedPrefix(prefix: string): string {
  const p = prefix.trim().replace(/\/+$/, "");
  if (!MODULE_PREFIX.test(p)) {
    throw new ModuleAccessError(
      `"${prefix}" is not a module path prefix (a host name with a dot, then path segments, e.g. github.com/acme).`,
    );
  }
  return p;
}

function checkedGitUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ModuleAccessError(`gitUrl "${url}" is not a URL.`);
  }
  if (!/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password || parsed.search) {
    throw new ModuleAccessError(`gitUrl "${url}" must be an http(s) URL without credentials or query.`);
  }
  return parsed.href.endsWith("/") ? parsed.href : `${parsed.href}/`;
}

/** The git configuration one credential adds to a download run, as key/value pairs. */
export function credentialGitConfig(c: PrivateModuleCredentials, token: string): [string, string][] {
  if (!token || [...token].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)) {
    // A line break would let the value add headers of its own.
    throw new ModuleAccessError(`the token for ${c.modulePrefix} is empty or contains whitespace.`);
  }
  const canonical = `https://${checkedPrefix(c.modulePrefix)}/`;
  const gitUrl = checkedGitUrl(c.gitUrl ?? canonical);
  // GitHub's git endpoints take an installation token as Basic auth for x-access-token.
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  const entries: [string, string][] = [[`http.${gitUrl}.extraheader`, `Authorization: Basic ${basic}`]];
  if (gitUrl !== canonical) {
    entries.push([`url.${gitUrl}.insteadOf`, canonical]);
    // go asks git for a repository root without the slash (https://github.com/acme/lib), which
    // a prefix naming one repository must rewrite too. The header stays on gitUrl's own path,
    // so a neighbour this also rewrites (…/acme/lib-other) is fetched without the token.
    entries.push([`url.${gitUrl.slice(0, -1)}.insteadOf`, canonical.slice(0, -1)]);
  }
  return entries;
}

/** The modules a job's credentials cover, for GOPRIVATE. */
export function privatePrefixes(access: ModuleAccess | undefined): string[] {
  return (access?.credentials ?? []).map((c) => checkedPrefix(c.modulePrefix));
}
