// The repository's golangci-lint configuration as the pinned v2 can read it. Most repositories
// still carry a v1 file, which v2 refuses ("unsupported version of the configuration"): such a
// file is migrated on a copy in a temporary directory (`golangci-lint migrate`, never the
// repository's own file), with paths kept relative to the module as v1 had them. A file that
// cannot be migrated, or that golangci-lint cannot load at all, is a note in the verdict —
// the repository's configuration is not the change's fault.
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import yaml from "js-yaml";
import { type GoInstallation, toolProcess } from "../golang/tool-sandbox.js";
import { runProcess } from "../process/run-process.js";

export type LintConfig =
  /** The file as it is (v2), or none. */
  | { kind: "as-is"; path?: string }
  /** A v1 file migrated to a temporary v2 copy; `dir` is removed by cleanup(). */
  | { kind: "migrated"; path: string; dir: string; note: string; cleanup: () => Promise<void> }
  /** Cannot be read as v2 nor migrated: why, for the verdict's note. */
  | { kind: "unusable"; note: string };

const MIGRATE_TIMEOUT_MS = 60_000;

/** The configuration's `version`, "" when it has none (v1), undefined when the file cannot be parsed. */
export function configVersion(text: string, file: string): string | undefined {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === ".json") return String((JSON.parse(text) as { version?: unknown }).version ?? "");
    if (ext === ".toml") return /^\s*version\s*=\s*["']?([^"'\s]+)/m.exec(text)?.[1] ?? "";
    const doc = yaml.safeLoad(text) as { version?: unknown } | null | undefined;
    return String(doc?.version ?? "");
  } catch {
    return undefined;
  }
}

function lastLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/[│╭╰]/.test(l));
  return (lines.at(-1) ?? "").replace(/^(Error|The command is terminated due to an error):\s*/, "");
}

/** What golangci-lint says when its configuration, not the code, is the problem. */
export const CONFIG_LOAD_ERROR =
  /can't load config|unsupported version of the configuration|unknown linters?|failed to parse|While parsing config/;

/** The configuration for this run: as it is, migrated from v1 on a copy, or unusable (why). */
export async function lintConfig(
  config: string | undefined,
  go: GoInstallation,
  binary: string,
  signal?: AbortSignal,
): Promise<LintConfig> {
  if (!config) return { kind: "as-is" };
  const text = await readFile(config, "utf8").catch(() => undefined);
  const version = text === undefined ? undefined : configVersion(text, config);
  if (version === undefined) {
    return { kind: "unusable", note: `${config.split("/").pop()} could not be parsed; not linted` };
  }
  if (version === "2") return { kind: "as-is", path: config };
  const dir = await mkdtemp(join(tmpdir(), "bga-golangci-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const copy = join(dir, `.golangci${extname(config)}`);
    await copyFile(config, copy);
    let why = "";
    // A v1 file naming linters v1 has since removed fails the v1 schema; the second try skips it.
    for (const extra of [[], ["--skip-validation"]]) {
      const proc = await toolProcess(go, {
        binary,
        args: ["migrate", "--color=never", `--config=${copy}`, "--format=yml", ...extra],
        root: dir,
        cwd: dir,
      });
      try {
        const res = await runProcess(
          { command: proc.command, args: proc.args, env: proc.env },
          { cwd: proc.cwd, timeoutMs: MIGRATE_TIMEOUT_MS, ...(signal ? { signal } : {}) },
        );
        if (res.exitCode === 0) {
          const migrated = yaml.safeLoad(await readFile(join(dir, ".golangci.yml"), "utf8")) as Record<
            string,
            unknown
          >;
          // v1 read paths relative to where it ran (the module); v2's default is the config's directory.
          const run = (migrated.run ?? {}) as Record<string, unknown>;
          migrated.run = { ...run, "relative-path-mode": "wd" };
          const path = join(dir, "migrated.golangci.yml");
          await writeFile(path, yaml.safeDump(migrated));
          return {
            kind: "migrated",
            path,
            dir,
            note: "v1 configuration migrated to v2 for this run (golangci-lint migrate on a copy; the repository's file is unchanged)",
            cleanup,
          };
        }
        why = lastLine(`${res.stdout}\n${res.stderr}`) || `exit ${res.exitCode}`;
      } finally {
        await proc.cleanup();
      }
    }
    await cleanup();
    return { kind: "unusable", note: `v1 configuration could not be migrated to v2 (${why}); not linted` };
  } catch (err) {
    await cleanup();
    return { kind: "unusable", note: `v1 configuration could not be migrated: ${(err as Error).message}` };
  }
}
