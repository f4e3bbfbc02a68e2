// What a repository's tests can do to the Go caches, seen from inside by real Go tests in the
// bubblewrap sandbox: the module cache (and its VCS cache) cannot be written, the build cache
// they write is their repository's own, and no other repository's caches or the "already
// downloaded" markers are even visible.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import type { GoToolchain } from "../../src/golang/go-toolchain.js";
import { parseTestJson } from "../../src/golang/test-json.js";
import { describeSandboxed, TEST_DATA_DIR, testToolchain } from "./support.js";

const PLANT_TEST = `package plant

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tries every cache a later job might trust.
func TestPlant(t *testing.T) {
	mod := os.Getenv("GOMODCACHE")
	for _, dir := range []string{mod, filepath.Join(mod, "cache", "vcs", "0123abcd", "hooks")} {
		err := os.MkdirAll(dir, 0o755)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "planted"), []byte("#!/bin/sh\\ntouch /tmp/pwned\\n"), 0o755)
		}
		if err == nil || !strings.Contains(err.Error(), "read-only file system") {
			t.Errorf("module cache write in %s: %v", dir, err)
		}
	}
	if err := os.WriteFile(filepath.Join(os.Getenv("GOCACHE"), "planted-by-a"), []byte("x"), 0o644); err != nil {
		t.Errorf("own build cache: %v", err)
	}
	for _, other := range strings.Split(os.Getenv("PROBE_INVISIBLE"), ",") {
		if _, err := os.Stat(other); err == nil {
			t.Errorf("%s is visible", other)
		}
	}
}
`;

const LOOK_TEST = `package plant

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLook(t *testing.T) {
	if _, err := os.Stat(filepath.Join(os.Getenv("GOCACHE"), "planted-by-a")); err == nil {
		t.Error("another repository's planted file is in this build cache")
	}
	if _, err := os.Stat(os.Getenv("PROBE_OTHER")); err == nil {
		t.Error("another repository's build cache is visible")
	}
}
`;

describeSandboxed("Go caches under attack from a repository's tests", () => {
  let base: GoToolchain;
  let dir: string;
  beforeAll(async () => {
    base = await testToolchain({ sandbox: "auto" });
    dir = await mkdtemp(join(tmpdir(), "bga-cache-attack-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function runTest(tc: GoToolchain, source: string, env: Record<string, string>) {
    const root = join(dir, String(Math.random()).slice(2));
    mkdirSync(join(root, "plant"), { recursive: true });
    writeFileSync(join(root, "go.mod"), "module example.com/plant\n\ngo 1.21\n");
    writeFileSync(join(root, "plant", "plant_test.go"), source);
    const res = await tc.go(["test", "-count=1", "-json", "./..."], { cwd: root, env, timeoutMs: 120_000 });
    const report = parseTestJson(res.stdout, res.stderr);
    return report.packages.flatMap((p) => p.failedTests.map((t) => `${t.name}: ${t.output}`));
  }

  it("refuses writes to the module and VCS caches, keeps build-cache writes in the repository's own cache, and hides the rest", async () => {
    const a = base.forRepository(`acme/a-${process.pid}`);
    const b = base.forRepository(`acme/b-${process.pid}`);
    expect(a.caches.gocache).not.toBe(b.caches.gocache);
    expect(a.caches.gomodcache).not.toBe(b.caches.gomodcache);
    mkdirSync(a.caches.prepared, { recursive: true });

    const planted = await runTest(a, PLANT_TEST, {
      PROBE_INVISIBLE: [b.caches.gocache, b.caches.gomodcache, a.caches.prepared].join(","),
    });
    expect(planted).toEqual([]);
    expect(existsSync(join(a.caches.gocache, "planted-by-a"))).toBe(true);
    expect(existsSync(join(a.caches.gomodcache, "planted"))).toBe(false);

    const looked = await runTest(b, LOOK_TEST, { PROBE_OTHER: a.caches.gocache });
    expect(looked).toEqual([]);
    expect(existsSync(join(b.caches.gocache, "planted-by-a"))).toBe(false);
  }, 240_000);

  it("starts a new repository's build cache from the app's seed: the standard library it needs is not compiled again, and the seed is copied, not shared", async () => {
    expect(await base.prepareBuildCacheSeed()).toBe(true);
    const fresh = base.forRepository(`acme/seeded-${process.pid}-${Date.now()}`);
    const root = join(dir, "seeded");
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "go.mod"), "module example.com/seeded\n\ngo 1.21\n");
    writeFileSync(
      join(root, "api.go"),
      'package seeded\n\nimport (\n\t"encoding/json"\n\t"net/http"\n)\n\nfunc Handler(w http.ResponseWriter, _ *http.Request) {\n\t_ = json.NewEncoder(w).Encode(map[string]string{"ok": "yes"})\n}\n',
    );
    const res = await fresh.go(["build", "-x", "./..."], { cwd: root, timeoutMs: 120_000 });
    expect(res.exitCode).toBe(0);
    // -x prints a compile command for every package it builds: only the repository's own.
    const compiled = [...res.stderr.matchAll(/compile -o \S+ (?:.* )?-p (\S+) /g)].map((m) => m[1]);
    expect(compiled).toEqual(["example.com/seeded"]);
    const seeds = readdirSync(join(TEST_DATA_DIR, "go"))
      .filter((d) => d.startsWith("build-cache-seed-"))
      .map((d) => join(TEST_DATA_DIR, "go", d, "README"))
      .filter((f) => existsSync(f));
    expect(seeds.length).toBeGreaterThan(0);
    writeFileSync(join(fresh.caches.gocache, "README"), "planted");
    for (const seedFile of seeds) expect(readFileSync(seedFile, "utf8")).not.toBe("planted");
  }, 600_000);
});
