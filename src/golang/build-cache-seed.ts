// A trusted start for each repository's build cache. Build caches are per repository (a test
// can write its own), so every repository's first job would compile the standard library
// packages its tests use again: tens of seconds of CPU. The seed is a build cache the app
// fills itself, from a package of its own that imports what Go backends use (net/http,
// encoding/json, database/sql, log/slog, testing…), compiled for `go test` and `go vet`; no
// repository code ever runs with it, and it is copied (never linked) into a new repository's
// cache, so nothing a test writes reaches it or another repository.
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

const COMPLETE = ".backend-go-agent-seed";

const SEED_SOURCE = `package seed

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var _ = []any{bufio.NewReader, bytes.NewBuffer, context.Background, rand.Reader, sha256.New, sql.Open,
	json.Marshal, errors.New, fmt.Sprint, io.Copy, slog.Info, big.NewInt, http.NewRequest, httptest.NewServer,
	os.Getenv, sort.Ints, strconv.Itoa, strings.Cut, new(sync.Mutex), time.Now}

func TestSeed(t *testing.T) { t.Parallel() }
`;

/** Runs go in `dir` with GOCACHE set to `gocache`; resolves to the exit code. */
export type SeedRunner = (args: string[], dir: string, gocache: string) => Promise<number | null>;

/**
 * Where the seed lives: beside the repositories' caches, mounted into no run. `key` names what
 * its outputs depend on (Go version, cgo, GOFLAGS): a seed built under other settings would
 * match nothing, so each settings has its own.
 */
export function seedDir(goRoot: string, key: string): string {
  return join(goRoot, `build-cache-seed-${key}`);
}

/**
 * Builds the seed once per DATA_DIR (several processes may race: each builds its own copy and
 * the first rename wins). Never throws: a seed is an optimisation.
 */
export async function buildSeed(goRoot: string, key: string, runGo: SeedRunner): Promise<boolean> {
  const target = seedDir(goRoot, key);
  if (existsSync(join(target, COMPLETE))) return true;
  await mkdir(goRoot, { recursive: true });
  const work = await mkdtemp(join(goRoot, "seed-build-"));
  try {
    const mod = join(work, "mod");
    const cache = join(work, "cache");
    await mkdir(mod, { recursive: true });
    await mkdir(cache, { recursive: true });
    await writeFile(join(mod, "go.mod"), "module backend-go-agent.local/seed\n\ngo 1.21\n");
    await writeFile(join(mod, "seed_test.go"), SEED_SOURCE);
    for (const args of [
      ["test", "-count=1", "./..."],
      ["vet", "./..."],
    ]) {
      if ((await runGo(args, mod, cache)) !== 0) return false;
    }
    await writeFile(join(cache, COMPLETE), `${new Date().toISOString()}\n`);
    await rename(cache, target).catch(() => undefined);
    return existsSync(join(target, COMPLETE));
  } catch {
    return false;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Copies the seed into a repository's new, empty build cache; does nothing without a seed. */
export async function seedBuildCache(goRoot: string, key: string, gocache: string): Promise<void> {
  const seed = seedDir(goRoot, key);
  if (!existsSync(join(seed, COMPLETE))) return;
  await cp(seed, gocache, { recursive: true, force: false, errorOnExist: false }).catch(() => undefined);
}
