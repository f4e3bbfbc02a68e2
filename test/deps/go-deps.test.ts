// Tasks that pull in real Go dependencies, end to end through runJob: a scripted model (the
// real Anthropic SDK against the scripted server) writes code on a widely used library,
// runs `go mod tidy` (real downloads through the module proxy) and `go test`, reports; the
// real verifier then downloads, builds and tests offline in the sandbox, and the local
// workspace commits go.mod and go.sum with the code. One DATA_DIR for the whole file, so
// modules shared between families (x/net, x/sys, protobuf …) download once.
import { cpSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import type { RunOptions, Toolchain } from "../../src/golang/toolchain.js";
import { runJob } from "../../src/pipeline/run-job.js";
import { NO_BUBBLEWRAP, testToolchain } from "../golang/support.js";
import { localJob } from "../support/local-job.js";
import { cliTask, git } from "../support/model-checkout.js";
import {
  callTools,
  GO_ENGINEER_SECTIONS,
  type RecordedRequest,
  say,
  startScriptedModel,
  tool,
  toolResults,
} from "../support/scripted-model.js";
import { BASE_MODULE, DEPS_FIXTURES, FAMILIES, type Family, familyFiles } from "./families.js";

// Cold module downloads and builds of grpc or miniredis on 2 cores take a while.
const FAMILY_TIMEOUT_MS = 240_000;

let toolchain: GoToolchain;
const timings: { family: string; tidyMs: number; downloadMs: number; jobMs: number }[] = [];

beforeAll(async () => {
  toolchain = await testToolchain();
});

afterAll(() => {
  // Quoted in notes and the README: how long the network steps took in this run.
  const rows = timings.map(
    (t) =>
      `${t.family.padEnd(9)} go mod tidy ${(t.tidyMs / 1000).toFixed(1).padStart(5)} s   verify's go mod download ${(t.downloadMs / 1000).toFixed(1).padStart(5)} s   whole job ${(t.jobMs / 1000).toFixed(1).padStart(5)} s`,
  );
  if (rows.length) console.info(`Go dependency families (this run):\n${rows.join("\n")}`);
});

/** The real toolchain, noting how long its network runs took. */
function timed(tc: Toolchain, seen: { args: string[]; ms: number }[]): Toolchain {
  const note = async (
    args: string[],
    opts: RunOptions,
    run: Promise<Awaited<ReturnType<Toolchain["go"]>>>,
  ) => {
    const res = await run;
    if (opts.network) seen.push({ args, ms: res.durationMs });
    return res;
  };
  return { ...tc, go: (args, opts) => note(args, opts, tc.go(args, opts)) };
}

async function baseCheckout() {
  const base = await mkdtemp(join(tmpdir(), "bga-deps-"));
  const dir = join(base, "shop");
  cpSync(join(DEPS_FIXTURES, "base"), dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "shop: stdlib only");
  return { dir, cleanup: () => rm(base, { recursive: true, force: true }) };
}

const REPORT = GO_ENGINEER_SECTIONS.map((s) => `## ${s}\nDone.`).join("\n\n");

function toolOutputs(requests: RecordedRequest[]) {
  return requests.flatMap((r) => toolResults(r));
}

async function runFamily(family: Family) {
  const checkout = await baseCheckout();
  const files = familyFiles(family.name);
  const server = await startScriptedModel({
    script: [
      callTools(...files.map((f) => ({ name: "write_file", input: f }))),
      tool("go", { args: ["mod", "tidy"] }),
      tool("go", { args: ["test", "./..."] }),
      say(REPORT),
    ],
  });
  const network: { args: string[]; ms: number }[] = [];
  const tc = timed(toolchain, network);
  const { deps, published } = localJob({
    repoDir: checkout.dir,
    branch: `backend-go/deps-${family.name}`,
    modelUrl: server.url,
    toolchain: tc,
  });
  try {
    const result = await runJob(cliTask(family.task), deps);
    const outputs = toolOutputs(server.requests);
    const committed = {
      gomod: git(checkout.dir, "show", "HEAD:go.mod"),
      gosum: git(checkout.dir, "show", "HEAD:go.sum"),
    };
    const committedFiles = git(checkout.dir, "show", "--name-only", "--format=", "HEAD").split("\n");
    const tidy = network.find((n) => n.args.join(" ") === "mod tidy");
    const download = network.find((n) => n.args.join(" ") === "mod download");
    timings.push({
      family: family.name,
      tidyMs: tidy?.ms ?? 0,
      downloadMs: download?.ms ?? 0,
      jobMs: result.durationMs,
    });
    return { result, outputs, committed, committedFiles, files, published };
  } finally {
    await server.close();
    await checkout.cleanup();
  }
}

describe.each(FAMILIES)("a task on $name", (family) => {
  it(
    "downloads its modules, commits go.sum, and passes the sandboxed build and tests",
    async () => {
      const { result, outputs, committed, committedFiles, files, published } = await runFamily(family);
      // The host is handed the finished result; what it returns is the publish receipt.
      const { published: receipt, ...handedToHost } = result;
      expect(published).toEqual([handedToHost]);
      expect(receipt).toEqual({});
      expect(result.outcome.kind).toBe("completed");

      // The agent's own steps: every file written, tidy and the offline test run green.
      const [tidy, test] = outputs.slice(-2);
      expect(outputs.slice(0, files.length).every((o) => !o.is_error)).toBe(true);
      expect(tidy?.content).toMatch(/^\$ go mod tidy\nexit code 0/);
      expect(test?.content).toMatch(/^\$ go test \.\/\.\.\.\nexit code 0/);

      const v = result.verdict;
      expect(v?.isolation).toBe(NO_BUBBLEWRAP ? "none" : "bubblewrap");
      expect(v?.overall).toBe("pass");
      expect(Object.fromEntries((v?.checks ?? []).map((c) => [c.name, c.status]))).toMatchObject({
        gofmt: "pass",
        "go vet": "pass",
        "go build": "pass",
        "go test": "pass",
      });
      // The new tests really ran in the sandbox: their packages, with their counts.
      for (const [pkg, passed] of Object.entries(family.packages)) {
        const found = v?.tests?.packages.find((p) => p.name === `${BASE_MODULE}/${pkg}`);
        expect({ pkg, status: found?.status, passed: found?.passed, failed: found?.failed }).toEqual({
          pkg,
          status: "pass",
          passed,
          failed: 0,
        });
      }
      // Every row that ran passed: the four above and the evidence rows (fail → pass, -race,
      // the exported API, vulnerabilities for the changed go.mod) that apply to the change.
      const passed = (v?.checks ?? []).filter((c) => c.status === "pass").length;
      expect(passed).toBeGreaterThanOrEqual(4);
      expect((v?.checks ?? []).filter((c) => c.status === "fail" || c.status === "error")).toEqual([]);
      if (family.skipped) {
        expect(v?.summary).toBe(`all ${passed} checks passed; ${family.skipped}`);
        // The row says what was skipped, and how the repository would run it (verify.services).
        const row = v?.checks.find((c) => c.name === "integration tests")?.summary ?? "";
        expect(row.startsWith(family.skipped)).toBe(true);
        expect(row).toContain("add `verify.services: [");
      } else {
        expect(v?.summary).toBe(`all ${passed} checks passed`);
      }
      expect(v?.leftovers).toBeUndefined();

      // go.mod and go.sum were committed with the code, holding the new modules.
      expect(committedFiles).toEqual(
        expect.arrayContaining(["go.mod", "go.sum", ...files.map((f) => f.path)]),
      );
      for (const module of family.modules) {
        expect(committed.gomod).toMatch(new RegExp(`\\b${module.replace(/\./g, "\\.")} v\\d`));
        expect(committed.gosum).toMatch(new RegExp(`^${module.replace(/\./g, "\\.")} v\\S+ h1:`, "m"));
      }
    },
    FAMILY_TIMEOUT_MS,
  );
});
