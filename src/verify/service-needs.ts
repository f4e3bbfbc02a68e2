// Tests that need a real database or broker cannot run in the sandbox (no network, no
// Docker). Passing over them silently would read as "tested"; this finds them so the
// verdict can say "skipped: needs PostgreSQL". Three signs:
//   - test files behind a custom build tag (`//go:build integration`), which go test leaves out;
//   - tests that skipped themselves because a service's variable (DATABASE_URL, REDIS_URL,
//     KAFKA_BROKERS …) is unset, or that say so;
//   - testcontainers tests that failed only because Docker is not there.
import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { type PackageResult, type TestRunReport, totalsOf } from "../golang/test-json.js";
import { fileConstraint, missingCustomTags } from "./build-constraints.js";

export interface ServiceNeed {
  /** "PostgreSQL", "Redis", "Kafka", "RabbitMQ", …, "Docker", or "an external service". */
  service: string;
  /** The package's import path. */
  package: string;
  tests: string[];
  /** How it was found, for people: "build tag integration", "DATABASE_URL is not set". */
  why: string;
  kind: "build-tag" | "env-skip" | "no-docker";
}

interface ServiceSign {
  service: string;
  /** Variable names that point at it. */
  env: RegExp;
  /** Words in a skip message. */
  words: RegExp;
  /** Import path prefixes of its client libraries. */
  imports: string[];
  /** testcontainers-go module names. */
  containers: string[];
}

const SIGNS: ServiceSign[] = [
  {
    service: "PostgreSQL",
    env: /^(\w*POSTGRES\w*|PG(HOST|PORT|USER|PASSWORD|DATABASE|URL|DSN)|\w*_PG_\w*)$/,
    words: /\bpostgres(ql)?\b|\bpgx\b/i,
    imports: ["github.com/jackc/pgx", "github.com/lib/pq", "gorm.io/driver/postgres"],
    containers: ["postgres", "cockroachdb"],
  },
  {
    service: "MySQL",
    env: /^\w*(MYSQL|MARIADB)\w*$/,
    words: /\b(mysql|mariadb)\b/i,
    imports: ["github.com/go-sql-driver/mysql", "gorm.io/driver/mysql"],
    containers: ["mysql", "mariadb"],
  },
  {
    service: "Redis",
    env: /^\w*(REDIS|VALKEY)\w*$/,
    words: /\b(redis|valkey)\b/i,
    imports: [
      "github.com/redis/go-redis",
      "github.com/go-redis/redis",
      "github.com/gomodule/redigo",
      "github.com/redis/rueidis",
    ],
    containers: ["redis", "valkey"],
  },
  {
    service: "Kafka",
    env: /^\w*(KAFKA|REDPANDA)\w*$/,
    words: /\b(kafka|redpanda)\b/i,
    imports: [
      "github.com/segmentio/kafka-go",
      "github.com/IBM/sarama",
      "github.com/Shopify/sarama",
      "github.com/confluentinc/confluent-kafka-go",
      "github.com/twmb/franz-go",
    ],
    containers: ["kafka", "redpanda"],
  },
  {
    service: "RabbitMQ",
    env: /^\w*(RABBIT|AMQP)\w*$/,
    words: /\b(rabbitmq|amqp)\b/i,
    imports: [
      "github.com/rabbitmq/amqp091-go",
      "github.com/streadway/amqp",
      "github.com/wagslane/go-rabbitmq",
      "github.com/ThreeDotsLabs/watermill-amqp",
    ],
    containers: ["rabbitmq"],
  },
  {
    service: "MongoDB",
    env: /^\w*MONGO\w*$/,
    words: /\bmongo(db)?\b/i,
    imports: ["go.mongodb.org/mongo-driver"],
    containers: ["mongodb"],
  },
  {
    service: "NATS",
    env: /^\w*NATS\w*$/,
    words: /\bnats\b/i,
    imports: ["github.com/nats-io/nats.go", "github.com/ThreeDotsLabs/watermill-nats"],
    containers: ["nats"],
  },
  {
    service: "Elasticsearch",
    env: /^\w*(ELASTIC|OPENSEARCH)\w*$/,
    words: /\b(elasticsearch|opensearch)\b/i,
    imports: [
      "github.com/elastic/go-elasticsearch",
      "github.com/olivere/elastic",
      "github.com/opensearch-project",
    ],
    containers: ["elasticsearch", "opensearch"],
  },
  {
    service: "AWS (LocalStack)",
    env: /^(\w*LOCALSTACK\w*|AWS_ENDPOINT\w*)$/,
    words: /\blocalstack\b/i,
    imports: [],
    containers: ["localstack"],
  },
  {
    service: "Docker",
    env: /^DOCKER_HOST$/,
    words: /\b(docker|testcontainers)\b/i,
    imports: [],
    containers: [],
  },
];

/** Variable names that say "a database" without saying which. */
const GENERIC_DB_ENV = /^(DATABASE_URL|DB_(URL|DSN|HOST)|\w*_DATABASE_URL|TEST_DATABASE_URL|DSN)$/;

const TESTCONTAINERS = "github.com/testcontainers/testcontainers-go";

/** What testcontainers-go (and Docker clients generally) say when there is no Docker. */
const DOCKER_DOWN =
  /Cannot connect to the Docker daemon|rootless Docker (is )?not found|failed to create Docker provider|Docker not found|docker\.sock: connect|docker: not found/i;

/** What a skip message says when a service is missing: a variable, "not set", "integration". */
const ENV_NAME = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\bDSN\b/;
const SKIP_WORDS = /not set|unset|integration|docker|testcontainers|\bneeds?\b|\brequires?\b/i;
const serviceSkip = (message: string) =>
  ENV_NAME.test(message) || SKIP_WORDS.test(message) || SIGNS.some((s) => s.words.test(message));

/** Imports and variable names of one Go file. */
interface SourceFacts {
  imports: string[];
  env: string[];
  tests: string[];
}

function sourceFacts(source: string): SourceFacts {
  const imports = [...source.matchAll(/^\s*(?:[\w.]+\s+)?"([^"\s]+)"/gm)].map((m) => m[1]!);
  const env = [...source.matchAll(/os\.(?:Getenv|LookupEnv)\("([A-Za-z0-9_]+)"\)/g)].map((m) => m[1]!);
  const tests = [...source.matchAll(/^func (Test[A-Z0-9_]\w*|Test)\(\w+ \*testing\.T\)/gm)].map((m) => m[1]!);
  return { imports, env, tests };
}

/** The service a test needs, from the strongest sign to the weakest. */
export function serviceFrom(facts: Partial<SourceFacts>, message = ""): string | undefined {
  const imports = facts.imports ?? [];
  for (const imp of imports) {
    const m = /^github\.com\/testcontainers\/testcontainers-go\/modules\/([\w-]+)/.exec(imp);
    const sign = m && SIGNS.find((s) => s.containers.includes(m[1]!));
    if (sign) return sign.service;
  }
  const named = [...(message.match(/\b[A-Z][A-Z0-9_]{2,}\b/g) ?? []), ...(facts.env ?? [])];
  for (const name of named) {
    const sign = SIGNS.find((s) => s.env.test(name));
    if (sign) return sign.service;
  }
  const byWord = SIGNS.find((s) => s.service !== "Docker" && s.words.test(message));
  if (byWord) return byWord.service;
  const byImport = SIGNS.find((s) => s.imports.some((p) => imports.some((i) => i.startsWith(p))));
  if (byImport) return byImport.service;
  if (named.some((n) => GENERIC_DB_ENV.test(n))) return "a database";
  if (imports.some((i) => i.startsWith(TESTCONTAINERS)) || /docker|testcontainers/i.test(message))
    return "Docker";
  return undefined;
}

interface TestFile {
  /** Directory relative to the module root, "" for the root. */
  rel: string;
  path: string;
  source: string;
  facts: SourceFacts;
}

async function testFiles(dir: string): Promise<TestFile[]> {
  const out: TestFile[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) {
        // The go command ignores these directories too.
        if (!/^[._]/.test(e.name) && e.name !== "vendor" && e.name !== "testdata") await walk(path);
      } else if (e.isFile() && e.name.endsWith("_test.go")) {
        try {
          const source = await readFile(path, "utf8");
          out.push({ rel: relative(dir, d), path, source, facts: sourceFacts(source) });
        } catch {
          // unreadable: go test reports it
        }
      }
    }
  };
  await walk(dir);
  return out;
}

async function modulePath(dir: string): Promise<string> {
  try {
    const gomod = await readFile(join(dir, "go.mod"), "utf8");
    return /^module\s+"?([^"\s]+)"?/m.exec(gomod)?.[1] ?? "";
  } catch {
    return "";
  }
}

function importPathOf(module: string, rel: string): string {
  return rel ? `${module}/${rel.split("\\").join("/")}` : module;
}

/** A failing test (or package, when test is undefined) that failed only for want of Docker. */
export interface ExcusedFailure {
  package: string;
  test?: string;
}

export interface ServiceFindings {
  needs: ServiceNeed[];
  excused: ExcusedFailure[];
}

/** Finds the tests of the module at dir that need a service, using the test run's report. */
export async function findServiceNeeds(
  dir: string,
  report: TestRunReport | undefined,
  /** Build tags the run set (`verify.tags`): files they bring in ran. */
  setTags: readonly string[] = [],
): Promise<ServiceFindings> {
  const [files, module] = await Promise.all([testFiles(dir), modulePath(dir)]);
  const needs: ServiceNeed[] = [];
  const excused: ExcusedFailure[] = [];

  for (const file of files) {
    const constraint = fileConstraint(file.source);
    const tags = constraint ? missingCustomTags(constraint).filter((t) => !setTags.includes(t)) : [];
    if (tags.length === 0 || file.facts.tests.length === 0) continue;
    needs.push({
      service: serviceFrom(file.facts) ?? "an external service",
      package: importPathOf(module, file.rel),
      tests: file.facts.tests,
      why: `build tag ${tags.join(", ")} (not set in verification)`,
      kind: "build-tag",
    });
  }

  const byPackage = new Map<string, TestFile[]>();
  for (const f of files) {
    const key = importPathOf(module, f.rel);
    byPackage.set(key, [...(byPackage.get(key) ?? []), f]);
  }
  const declaring = (pkg: string, test: string): SourceFacts | undefined =>
    byPackage.get(pkg)?.find((f) => f.facts.tests.includes(test.split("/")[0]!))?.facts;

  for (const p of report?.packages ?? []) {
    for (const s of p.skippedTests) {
      if (!serviceSkip(s.message)) continue;
      const service = serviceFrom(declaring(p.name, s.name) ?? {}, s.message);
      // A plain skip ("not on windows", "slow") without a service sign is an ordinary skip.
      if (!service && !/integration|not set|unset/i.test(s.message)) continue;
      needs.push({
        service: service ?? "an external service",
        package: p.name,
        tests: [s.name],
        why: s.message || "skipped",
        kind: "env-skip",
      });
    }
    const usesContainers = (byPackage.get(p.name) ?? []).some((f) =>
      f.facts.imports.some((i) => i.startsWith(TESTCONTAINERS)),
    );
    if (usesContainers) needs.push(...dockerFailures(p, declaring, excused));
  }
  return { needs: merge(needs), excused };
}

function dockerFailures(
  p: PackageResult,
  declaring: (pkg: string, test: string) => SourceFacts | undefined,
  excused: ExcusedFailure[],
): ServiceNeed[] {
  const out: ServiceNeed[] = [];
  const why = "testcontainers could not start a container: no Docker in the sandbox";
  for (const t of p.failedTests) {
    if (t.reason !== "failed" || !DOCKER_DOWN.test(t.output)) continue;
    excused.push({ package: p.name, test: t.name });
    const service = serviceFrom(declaring(p.name, t.name) ?? {}, t.output) ?? "Docker";
    out.push({ service, package: p.name, tests: [t.name], why, kind: "no-docker" });
  }
  // TestMain starting the container for the whole package, failing before any test ran.
  if (p.status === "fail" && p.failedTests.length === 0 && p.output && DOCKER_DOWN.test(p.output)) {
    excused.push({ package: p.name });
    out.push({
      service: serviceFrom({}, p.output) ?? "Docker",
      package: p.name,
      tests: ["TestMain"],
      why,
      kind: "no-docker",
    });
  }
  return out;
}

/** One entry per service, package and reason. */
function merge(needs: ServiceNeed[]): ServiceNeed[] {
  const out = new Map<string, ServiceNeed>();
  for (const n of needs) {
    const key = `${n.service}\0${n.package}\0${n.kind}\0${n.why}`;
    const prev = out.get(key);
    if (prev) prev.tests = [...new Set([...prev.tests, ...n.tests])];
    else out.set(key, { ...n, tests: [...n.tests] });
  }
  return [...out.values()];
}

/** "skipped: needs PostgreSQL (2 tests), needs Redis (1 test)" */
export function serviceSummary(needs: ServiceNeed[]): string {
  const counts = new Map<string, number>();
  for (const n of needs) counts.set(n.service, (counts.get(n.service) ?? 0) + n.tests.length);
  const parts = [...counts].map(([s, n]) => `needs ${s} (${n} test${n === 1 ? "" : "s"})`);
  return `skipped: ${parts.join(", ")}`;
}

/** One line per finding, for the check's details. */
export function serviceDetails(needs: ServiceNeed[]): string {
  return needs.map((n) => `needs ${n.service}: ${n.package}: ${n.tests.join(", ")} — ${n.why}`).join("\n");
}

/**
 * Counts the excused failures as skips in the report (they did not fail for anything the
 * change did), so the test check and the verdict's counts agree. Returns how many tests or
 * packages were excused.
 */
export function applyExcuses(report: TestRunReport, excused: ExcusedFailure[]): number {
  let applied = 0;
  for (const p of report.packages) {
    const mine = excused.filter((e) => e.package === p.name);
    if (mine.length === 0) continue;
    if (mine.some((e) => e.test === undefined)) {
      p.status = "skip";
      p.output = undefined;
      applied++;
      continue;
    }
    const excusedNames = new Set(mine.map((e) => e.test));
    const top = (name: string) => name.split("/")[0]!;
    // A top-level test is excused only when every failure under it is.
    const tops = new Set(mine.map((e) => top(e.test!)));
    for (const t of tops) {
      const under = p.failedTests.filter((f) => top(f.name) === t);
      if (!under.every((f) => excusedNames.has(f.name))) tops.delete(t);
    }
    if (tops.size === 0) continue;
    const message = "no Docker in the sandbox (testcontainers)";
    p.failedTests = p.failedTests.filter((f) => !tops.has(top(f.name)));
    p.failed -= tops.size;
    p.skipped += tops.size;
    p.skippedTests.push(...[...tops].map((name) => ({ name, message })));
    if (p.status === "fail" && p.failed === 0 && p.failedTests.length === 0) {
      p.status = p.passed > 0 ? "pass" : "skip";
      p.output = undefined;
    }
    applied += tops.size;
  }
  if (applied > 0) report.totals = totalsOf(report.packages);
  return applied;
}
