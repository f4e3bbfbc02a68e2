// Tests that need a database or broker, on a real module with real go test runs: one behind
// `//go:build integration`, one skipping for an unset REDIS_URL, one using testcontainers
// (a stand-in module that fails like testcontainers-go without Docker). The verdict must
// show them as "skipped: needs <service>", never fold them into a green go test.
import { beforeAll, describe, expect, it } from "@jest/globals";
import { renderCheckRunOutput, renderVerdictMarkdown } from "../../src/github/publish/render-verdict.js";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { parseTestJson } from "../../src/golang/test-json.js";
import { missingCustomTags } from "../../src/verify/build-constraints.js";
import { applyExcuses, findServiceNeeds, serviceFrom } from "../../src/verify/service-needs.js";
import type { Verdict } from "../../src/verify/verdict.js";
import { SERVICES_CHECK, verify } from "../../src/verify/verify.js";
import { checkoutFixture, testToolchain } from "../golang/support.js";

let tc: GoToolchain;
let verdict: Verdict;

beforeAll(async () => {
  tc = await testToolchain();
  const { dir, cleanup } = await checkoutFixture("go-verify-services");
  try {
    verdict = await verify(tc, { dir });
  } finally {
    await cleanup();
  }
});

describe("tests that need a service", () => {
  it("are reported as skipped with the service they need, while the rest passes", () => {
    expect(verdict.overall).toBe("pass");
    expect(verdict.summary).toBe(
      "all 4 checks passed; skipped: needs PostgreSQL (2 tests), needs Redis (1 test)",
    );
    const row = verdict.checks.find((c) => c.name === SERVICES_CHECK);
    expect(row).toMatchObject({
      status: "skipped",
      summary: "skipped: needs PostgreSQL (2 tests), needs Redis (1 test)",
    });
    expect(row?.details.split("\n").sort()).toEqual([
      "needs PostgreSQL: example.com/servicesfixture/events: TestEventsWithPostgres — testcontainers could not start a container: no Docker in the sandbox",
      "needs PostgreSQL: example.com/servicesfixture/store: TestStoreAgainstPostgres — build tag integration (not set in verification)",
      "needs Redis: example.com/servicesfixture/cache: TestAgainstRealRedis — REDIS_URL not set",
    ]);
    expect(verdict.services?.map((s) => [s.service, s.kind]).sort()).toEqual([
      ["PostgreSQL", "build-tag"],
      ["PostgreSQL", "no-docker"],
      ["Redis", "env-skip"],
    ]);
  });

  it("counts the Docker-less testcontainers test as skipped, not failed, and an ordinary skip as a skip", () => {
    const test = verdict.checks.find((c) => c.name === "go test");
    expect(test?.status).toBe("pass");
    // TestLast, TestName, TestOwnFailure, TestNormalize passed; TestAgainstRealRedis,
    // TestSlowPath and TestEventsWithPostgres did not run to the end.
    expect(test?.summary).toBe("4 passed, 0 failed, 3 skipped in 3 packages");
    expect(JSON.stringify(verdict.services)).not.toContain("TestSlowPath");
  });

  it("shows them in the PR table and in the Check Run title", () => {
    const md = renderVerdictMarkdown(verdict);
    expect(md).toContain(
      "| integration tests | ⏭️ skipped | skipped: needs PostgreSQL (2 tests), needs Redis (1 test) |",
    );
    expect(md).toContain("<details><summary>integration tests: skipped: needs PostgreSQL");
    const run = renderCheckRunOutput(verdict);
    expect(run.conclusion).toBe("success");
    expect(run.title).toBe(
      "Passed: gofmt, go vet, go build, go test (skipped: needs PostgreSQL (2 tests), needs Redis (1 test))",
    );
  });

  it("still fails a testcontainers package's test that fails for a reason of its own", async () => {
    const { dir, cleanup } = await checkoutFixture("go-verify-services");
    try {
      const res = await tc.go(["test", "-json", "-count=1", "./events/"], {
        cwd: dir,
        env: { FAIL_FOR_REAL: "1" },
      });
      const report = parseTestJson(res.stdout, res.stderr);
      const { excused } = await findServiceNeeds(dir, report);
      expect(excused).toEqual([
        { package: "example.com/servicesfixture/events", test: "TestEventsWithPostgres" },
      ]);
      applyExcuses(report, excused);
      expect(report.packages[0]).toMatchObject({ status: "fail", failed: 1, skipped: 1 });
      expect(report.packages[0]?.failedTests.map((t) => t.name)).toEqual(["TestOwnFailure"]);
    } finally {
      await cleanup();
    }
  });
});

describe("missingCustomTags", () => {
  it("names the repository's own tags a file waits for, not other platforms", () => {
    expect(missingCustomTags("integration")).toEqual(["integration"]);
    expect(missingCustomTags("e2e && linux")).toEqual(["e2e"]);
    expect(missingCustomTags("!integration")).toEqual([]);
    expect(missingCustomTags("windows")).toEqual([]);
    expect(missingCustomTags("windows && integration")).toEqual([]);
    expect(missingCustomTags("(integration || e2e) && !race")).toEqual(["integration", "e2e"]);
  });
});

describe("serviceFrom", () => {
  it("prefers a testcontainers module, then a variable, then a client library", () => {
    expect(serviceFrom({ imports: ["github.com/testcontainers/testcontainers-go/modules/kafka"] })).toBe(
      "Kafka",
    );
    expect(serviceFrom({}, "KAFKA_BROKERS is empty")).toBe("Kafka");
    expect(serviceFrom({ imports: ["github.com/rabbitmq/amqp091-go"] }, "no broker")).toBe("RabbitMQ");
    expect(serviceFrom({ env: ["DATABASE_URL"], imports: ["github.com/go-sql-driver/mysql"] })).toBe("MySQL");
    expect(serviceFrom({ env: ["DATABASE_URL"] })).toBe("a database");
    expect(serviceFrom({}, "too slow")).toBeUndefined();
  });
});
