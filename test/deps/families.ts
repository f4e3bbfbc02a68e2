// The dependency families the bot must carry through its own toolchain: for each, the code a
// scripted agent writes (test/fixtures/deps/<family>/, laid over the stdlib-only base module
// test/fixtures/deps/base/) and what the verdict must then show. gRPC's gen/ files are the real
// output of protoc-gen-go v1.36.12 and protoc-gen-go-grpc v1.6.2 for the checked-in .proto
// (compiled with bufbuild/protocompile, as there is no protoc here).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const DEPS_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "deps");
export const BASE_MODULE = "example.com/shop";

export interface Family {
  name: string;
  /** What the issue asked for, as the task's instruction. */
  task: string;
  /** Modules go.sum must hold afterwards. */
  modules: string[];
  /** New packages and how many of their top-level tests must pass (skipped ones apart). */
  packages: Record<string, number>;
  /** "skipped: needs …" the verdict must show, when the family has integration tests. */
  skipped?: string;
}

export const FAMILIES: Family[] = [
  {
    name: "chi",
    task: "Add POST /orders and GET /orders/{id} on chi, validating the request body.",
    modules: ["github.com/go-chi/chi/v5"],
    packages: { "internal/httpapi": 3 },
  },
  {
    name: "grpc",
    task: "Serve InventoryService (proto/inventory/v1/inventory.proto) over gRPC, with the generated code checked in.",
    modules: ["google.golang.org/grpc", "google.golang.org/protobuf"],
    packages: { "internal/inventory": 2 },
  },
  {
    name: "pgx",
    task: "Store customers in PostgreSQL with pgx, with a migration; unit-test it with pgxmock.",
    modules: ["github.com/jackc/pgx/v5", "github.com/pashagolub/pgxmock/v4"],
    packages: { migrations: 2, "internal/customers": 4 },
    skipped: "skipped: needs PostgreSQL (1 test)",
  },
  {
    name: "redis",
    task: "Put a Redis cache-aside (go-redis) in front of product lookups; test it with miniredis.",
    modules: ["github.com/redis/go-redis/v9", "github.com/alicebob/miniredis/v2"],
    packages: { "internal/cache": 4 },
    skipped: "skipped: needs Redis (1 test)",
  },
  {
    name: "rabbitmq",
    task: "Consume order events from RabbitMQ with retries and a dead-letter queue.",
    modules: ["github.com/rabbitmq/amqp091-go"],
    packages: { "internal/events": 5 },
  },
  {
    name: "jwt",
    task: "Check bearer JWTs on incoming requests with golang-jwt (HS256, issuer, audience, expiry).",
    modules: ["github.com/golang-jwt/jwt/v5"],
    packages: { "internal/auth": 1 },
  },
  {
    name: "lambda",
    task: "Handle SQS order events in an AWS Lambda function, reporting failed messages individually.",
    modules: ["github.com/aws/aws-lambda-go"],
    packages: { "internal/orderevents": 3 },
  },
];

/** The family's files as repository paths and contents, in a stable order. */
export function familyFiles(name: string): { path: string; content: string }[] {
  const root = join(DEPS_FIXTURES, name);
  const out: { path: string; content: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: relative(root, p).split("\\").join("/"), content: readFileSync(p, "utf8") });
    }
  };
  walk(root);
  return out;
}
