// Where this worker's PostgreSQL is: `initdb` and `postgres` on PATH, or Debian's
// /usr/lib/postgresql/<major>/bin (the newest), which the package does not put on PATH.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { findOnPath } from "../golang/sandbox.js";

export interface PostgresInstall {
  binDir: string;
  /** "15.18" */
  version: string;
  major: string;
}

const DEBIAN_ROOT = "/usr/lib/postgresql";

function candidates(searchPath: string | undefined): string[] {
  const dirs: string[] = [];
  const onPath = findOnPath("initdb", searchPath);
  if (onPath) dirs.push(dirname(onPath));
  if (existsSync(DEBIAN_ROOT)) {
    const majors = readdirSync(DEBIAN_ROOT)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((m) => join(DEBIAN_ROOT, m, "bin")));
  }
  return dirs;
}

/** The installed PostgreSQL, or undefined when this worker has none. */
export function findPostgres(searchPath = process.env.PATH): PostgresInstall | undefined {
  for (const binDir of candidates(searchPath)) {
    const postgres = join(binDir, "postgres");
    if (!existsSync(join(binDir, "initdb")) || !existsSync(postgres) || !existsSync(join(binDir, "psql")))
      continue;
    try {
      const out = execFileSync(postgres, ["--version"], { encoding: "utf8", timeout: 10_000 });
      const version = /PostgreSQL\)\s+(\d+(?:\.\d+)*)/.exec(out)?.[1];
      if (version) return { binDir, version, major: version.split(".")[0]! };
    } catch {
      // a broken install: try the next
    }
  }
  return undefined;
}
