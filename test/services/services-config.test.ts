// The `verify.services`, `verify.tags` and `verify.migrations` keys of the repository's file:
// the short and the long form, and the clear errors for what services here cannot be.
import { describe, expect, it } from "@jest/globals";
import { RepoConfigError } from "../../src/repo/config-errors.js";
import { parseRepoConfig } from "../../src/repo/repo-config.js";

function problemsOf(verify: unknown): { key: string; problem: string }[] {
  try {
    parseRepoConfig({ verify }, "acme/ledger:.github/backend-go-agent.yml");
  } catch (err) {
    expect(err).toBeInstanceOf(RepoConfigError);
    return (err as RepoConfigError).problems.map(({ key, problem }) => ({ key, problem }));
  }
  throw new Error("expected a RepoConfigError");
}

describe("verify.services", () => {
  it("is empty by default: no service starts unless asked for", () => {
    const config = parseRepoConfig({}, "f");
    expect(config.verify.services).toEqual({});
    expect(config.verify.tags).toEqual([]);
    expect(config.verify.migrations).toBeUndefined();
  });

  it("takes a list of names, with the common variable names", () => {
    const config = parseRepoConfig(
      { verify: { services: ["postgres", "redis"], tags: ["integration"] } },
      "f",
    );
    expect(config.verify.services).toEqual({
      postgres: { url: "DATABASE_URL", extensions: [] },
      redis: { url: "REDIS_URL" },
    });
    expect(config.verify.tags).toEqual(["integration"]);
  });

  it("takes a mapping that renames the variables and sets PostgreSQL's extensions and init file", () => {
    const config = parseRepoConfig(
      {
        verify: {
          services: {
            postgres: { url: "TEST_DATABASE_URL", extensions: ["pgcrypto"], init: "testdata/init.sql" },
            redis: null,
          },
          migrations: "db/migrations",
        },
      },
      "f",
    );
    expect(config.verify.services).toEqual({
      postgres: { url: "TEST_DATABASE_URL", extensions: ["pgcrypto"], init: "testdata/init.sql" },
      redis: { url: "REDIS_URL" },
    });
    expect(config.verify.migrations).toBe("db/migrations");
  });

  it("takes NATS and RabbitMQ in both forms, with NATS_URL and AMQP_URL renamed as REDIS_URL is", () => {
    expect(parseRepoConfig({ verify: { services: ["nats", "rabbitmq"] } }, "f").verify.services).toEqual({
      nats: { url: "NATS_URL" },
      rabbitmq: { url: "AMQP_URL" },
    });
    expect(
      parseRepoConfig(
        { verify: { services: { nats: { url: "BUS_URL" }, rabbitmq: { url: "BROKER_URL" }, redis: null } } },
        "f",
      ).verify.services,
    ).toEqual({ nats: { url: "BUS_URL" }, rabbitmq: { url: "BROKER_URL" }, redis: { url: "REDIS_URL" } });
    expect(parseRepoConfig({ verify: { services: { nats: null } } }, "f").verify.services).toEqual({
      nats: { url: "NATS_URL" },
    });
  });

  it("names an unknown service", () => {
    expect(problemsOf({ services: ["postgres", "mysql"] })).toEqual([
      {
        key: "verify.services.mysql",
        problem: expect.stringMatching(/^unknown service.*postgres, redis, nats, rabbitmq/),
      },
    ]);
  });

  it("refuses a port or a host for a broker, and a variable name that is not one", () => {
    const problems = problemsOf({
      services: { nats: { port: 4222 }, rabbitmq: { host: "mq.internal", url: "amqp://x" } },
    });
    expect(problems.map((p) => p.key).sort()).toEqual([
      "verify.services.nats.port",
      "verify.services.rabbitmq.host",
      "verify.services.rabbitmq.url",
    ]);
  });

  it("refuses a port, an image, a host or a version, saying why", () => {
    const problems = problemsOf({
      services: { postgres: { image: "postgres:16", port: 5432 }, redis: { host: "cache.internal" } },
    });
    expect(problems.map((p) => p.key).sort()).toEqual([
      "verify.services.postgres.image",
      "verify.services.postgres.port",
      "verify.services.redis.host",
    ]);
    for (const p of problems) expect(p.problem).toMatch(/worker's own binaries.*Unix socket/);
  });

  it("refuses a host path for the init file and the migrations", () => {
    expect(problemsOf({ services: { postgres: { init: "/etc/passwd" } }, migrations: "../other" })).toEqual([
      { key: "verify.services.postgres.init", problem: expect.stringMatching(/inside the repository/) },
      { key: "verify.migrations", problem: expect.stringMatching(/inside the repository/) },
    ]);
  });

  it("refuses a variable name that is not one, and a tag with spaces", () => {
    expect(problemsOf({ services: { redis: { url: "redis url" } }, tags: ["integration tests"] })).toEqual([
      { key: "verify.services.redis.url", problem: expect.stringMatching(/variable name/) },
      { key: "verify.tags[0]", problem: expect.stringMatching(/build tag/) },
    ]);
  });
});
