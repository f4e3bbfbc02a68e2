import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { prepareModules } from "../../src/verify/prepare-modules.js";
import { affectedScope, scopeLine } from "../../src/verify/scope.js";
import { checkoutFixture, testToolchain } from "../golang/support.js";

let toolchain: GoToolchain;
let repo: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  toolchain = await testToolchain();
  repo = await checkoutFixture("ledgerkit");
  await prepareModules(toolchain, repo.dir);
}, 240_000);
afterAll(async () => {
  await repo?.cleanup();
});

const mod = "example.com/ledgerkit";

describe("affected scope", () => {
  it("is the changed package and every package that imports it, tests included", async () => {
    const scope = await affectedScope(toolchain, repo.dir, [join(repo.dir, "money", "money.go")]);
    expect(scope.packages?.sort()).toEqual([`${mod}/ledger`, `${mod}/money`, `${mod}/report`]);
    expect(scope.total).toBe(5);
    expect(scopeLine(scope)).toBe("tested 3 of 5 packages: those the change can affect");
  }, 120_000);

  it("is one package for a leaf, and testdata belongs to the package above it", async () => {
    const leaf = await affectedScope(toolchain, repo.dir, [join(repo.dir, "report", "report_test.go")]);
    expect(leaf.packages).toEqual([`${mod}/report`]);
    const data = await affectedScope(toolchain, repo.dir, [join(repo.dir, "ids", "testdata", "x.txt")]);
    expect(data.packages).toEqual([`${mod}/ids`, `${mod}/ledger`, `${mod}/report`]);
  }, 120_000);

  it("widens to the whole module for go.mod, go.sum, or when asked", async () => {
    const sum = await affectedScope(toolchain, repo.dir, [join(repo.dir, "go.sum")]);
    expect(sum.packages).toBeUndefined();
    expect(scopeLine(sum)).toBe("tested all 5 packages (go.sum changed)");
    const all = await affectedScope(toolchain, repo.dir, [join(repo.dir, "ids", "ids.go")], { mode: "all" });
    expect(all.packages).toBeUndefined();
    expect(all.mode).toBe("all");
  }, 120_000);
});
