// The worker's initialised PostgreSQL cluster, made once per DATA_DIR and major version and
// copied for each job (measured: initdb ≈ 1.4 s; the copy is most of a later job's start). Its
// superuser has a random password only the worker knows; every other role logs in over the
// socket without one, so the job's own role (never a superuser) is all a test can be.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PostgresInstall } from "./postgres-install.js";
import { execAs, giveTo, type ServiceUser } from "./run-as.js";

/** The superuser the worker administers job clusters with. */
export const ADMIN_ROLE = "bga_admin";

// First match wins: the admin needs its password; every other role (the job's) needs none.
const HBA = `# backend-go-agent: Unix socket only (listen_addresses is empty)
local all ${ADMIN_ROLE} scram-sha-256
local all all trust
`;

export interface PostgresTemplate {
  /** The initialised data directory to copy. */
  dataDir: string;
  adminPassword: string;
}

/** initdb failed: the worker's PostgreSQL cannot make clusters. */
export class PostgresTemplateError extends Error {
  override name = "PostgresTemplateError";
}

/** The template for this install under `root` (DATA_DIR/services), made when missing. */
export async function ensureTemplate(
  root: string,
  install: PostgresInstall,
  user: ServiceUser,
): Promise<PostgresTemplate> {
  const home = join(root, "templates", `postgres-${install.major}`);
  const found = await readTemplate(home);
  if (found) return found;
  await mkdir(join(root, "templates"), { recursive: true, mode: 0o711 });
  // Made aside and renamed into place: two workers on one DATA_DIR never see half a template.
  const scratch = join(root, "templates", `.postgres-${install.major}-${randomBytes(6).toString("hex")}`);
  await mkdir(scratch, { mode: 0o700 });
  try {
    await giveTo(user, scratch);
    const password = randomBytes(24).toString("hex");
    const pwfile = join(scratch, "pwfile");
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    await giveTo(user, pwfile);
    const res = await execAs(
      user,
      join(install.binDir, "initdb"),
      [
        "-D",
        join(scratch, "data"),
        "-U",
        ADMIN_ROLE,
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
        "--no-instructions",
        // 1 MB WAL segments instead of 16: the template's WAL is copied for every job (the copy
        // is most of a later job's start), and a test database never needs more at once.
        "--wal-segsize=1",
      ],
      { timeoutMs: 120_000 },
    );
    await rm(pwfile, { force: true });
    if (res.code !== 0) {
      throw new PostgresTemplateError(
        `initdb failed (exit ${res.code ?? "killed"}): ${(res.stderr || res.stdout).trim().split("\n").at(-1) ?? ""}`,
      );
    }
    await writeFile(join(scratch, "data", "pg_hba.conf"), HBA);
    await writeFile(join(scratch, "admin-password"), password, { mode: 0o600 });
    try {
      await rename(scratch, home);
    } catch (err) {
      // Another worker finished first: use its template.
      const theirs = await readTemplate(home);
      if (!theirs) throw err;
      await rm(scratch, { recursive: true, force: true });
      return theirs;
    }
    return { dataDir: join(home, "data"), adminPassword: password };
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

async function readTemplate(home: string): Promise<PostgresTemplate | undefined> {
  const passwordFile = join(home, "admin-password");
  if (!existsSync(join(home, "data", "PG_VERSION")) || !existsSync(passwordFile)) return undefined;
  return { dataDir: join(home, "data"), adminPassword: (await readFile(passwordFile, "utf8")).trim() };
}
