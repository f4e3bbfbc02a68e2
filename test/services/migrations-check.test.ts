// The migration check on the job's real PostgreSQL, through psql in the sandbox: a correct
// change goes up, down and up again; a broken down step is named with its file, line and
// statement; a new migration without its down step is named; goose's annotated files too.
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { parseRepoConfig } from "../../src/repo/repo-config.js";
import { type StartedServices, startJobServices, withServices } from "../../src/services/index.js";
import { createLocalServices } from "../../src/services/local-services.js";
import { MIGRATIONS_CHECK, migrationChecks } from "../../src/services/migrations-check.js";
import type { Check } from "../../src/verify/verdict.js";
import { verify } from "../../src/verify/verify.js";
import { checkoutFixture, testToolchain } from "../golang/support.js";
import { servicesDescribe } from "./support.js";

const config = parseRepoConfig({ verify: { services: ["postgres"] } }, "f");

servicesDescribe("the migration check", () => {
  let tc: GoToolchain;
  let dataDir: string;
  let checkout: { dir: string; cleanup: () => Promise<void> };
  let started: StartedServices;

  beforeAll(async () => {
    tc = await testToolchain();
    dataDir = await mkdtemp(join(tmpdir(), "bga-migrations-"));
    checkout = await checkoutFixture("services-ledger");
    started = await startJobServices(createLocalServices({ dataDir }), config, checkout.dir);
  }, 120_000);
  afterAll(async () => {
    await started?.job?.stop();
    await checkout?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The check's row for a change that wrote `files` (relative to the checkout). */
  async function check(files: Record<string, string>): Promise<Check> {
    for (const [file, text] of Object.entries(files)) writeFileSync(join(checkout.dir, file), text);
    try {
      const verdict = await verify(withServices(tc, started.job, started.tags), {
        dir: checkout.dir,
        changedFiles: Object.keys(files),
        checks: [],
        extraChecks: migrationChecks(started, config),
      });
      const row = verdict.checks.find((c) => c.name === MIGRATIONS_CHECK);
      if (!row) throw new Error(`no migrations row in ${JSON.stringify(verdict.checks)}`);
      return row;
    } finally {
      for (const file of Object.keys(files)) rmSync(join(checkout.dir, file), { force: true });
    }
  }

  it("applies a correct change up, down and up again", async () => {
    const row = await check({
      "migrations/0002_add_email.up.sql": "ALTER TABLE accounts ADD COLUMN email text;\n",
      "migrations/0002_add_email.down.sql": "ALTER TABLE accounts DROP COLUMN email;\n",
    });
    expect(row).toMatchObject({
      status: "pass",
      summary: "2 up, 1 down (0002_add_email) and up again on a scratch database",
    });
  }, 120_000);

  it("names the file, line and statement of a broken down step", async () => {
    const row = await check({
      "migrations/0002_add_email.up.sql":
        "ALTER TABLE accounts ADD COLUMN email text;\nCREATE INDEX accounts_email ON accounts (email);\n",
      "migrations/0002_add_email.down.sql":
        "DROP INDEX accounts_email;\nALTER TABLE accounts\n  DROP COLUMN emial;\n",
    });
    expect(row.status).toBe("fail");
    expect(row.summary).toBe(
      'migrations/0002_add_email.down.sql:3 (down): ERROR: column "emial" of relation "accounts" does not exist',
    );
    expect(row.details).toContain("statement: ALTER TABLE accounts DROP COLUMN emial;");
  }, 120_000);

  it("names a new migration without its down step", async () => {
    const row = await check({
      "migrations/0002_add_email.up.sql": "ALTER TABLE accounts ADD COLUMN email text;\n",
    });
    expect(row.status).toBe("fail");
    expect(row.summary).toBe(
      "migrations/0002_add_email.up.sql has no down step: add migrations/0002_add_email.down.sql",
    );
  }, 120_000);

  it("never reads a migration that is a link out of the repository", async () => {
    symlinkSync("/etc/passwd", join(checkout.dir, "migrations", "0003_secrets.up.sql"));
    try {
      const row = await check({
        "migrations/0002_add_email.up.sql": "ALTER TABLE accounts ADD COLUMN email text;\n",
        "migrations/0002_add_email.down.sql": "ALTER TABLE accounts DROP COLUMN email;\n",
      });
      expect(row.status).toBe("pass");
      expect(row.summary).toBe("2 up, 1 down (0002_add_email) and up again on a scratch database");
    } finally {
      rmSync(join(checkout.dir, "migrations", "0003_secrets.up.sql"));
    }
  }, 120_000);

  it("reads goose's annotated files and names a failing Up statement's line", async () => {
    rmSync(join(checkout.dir, "migrations", "0001_accounts.down.sql"));
    rmSync(join(checkout.dir, "migrations", "0001_accounts.up.sql"));
    const row = await check({
      "migrations/20260101120000_accounts.sql": [
        "-- +goose Up",
        "CREATE TABLE accounts (id bigint PRIMARY KEY);",
        "INSERT INTO acounts VALUES (1);",
        "",
        "-- +goose Down",
        "DROP TABLE accounts;",
        "",
      ].join("\n"),
    });
    expect(row.status).toBe("fail");
    expect(row.summary).toBe(
      'migrations/20260101120000_accounts.sql:3 (up): ERROR: relation "acounts" does not exist',
    );
  }, 120_000);
});
