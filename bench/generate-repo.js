// A deterministic, sizeable Go module for the benchmarks: about 2,000 Go files in 100
// packages (20 domains × 5 layers), standard library only, each package importing up to
// two earlier ones so the build has a real dependency graph, and a handful of small table
// tests so `go test ./...` stays cheap next to the harness work. Same seed → same bytes.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export const MODULE = "example.com/bench/fleet";
const DOMAINS = [
  "accounts",
  "billing",
  "catalog",
  "checkout",
  "customers",
  "delivery",
  "discounts",
  "fraud",
  "inventory",
  "invoices",
  "ledger",
  "loyalty",
  "notify",
  "orders",
  "payments",
  "pricing",
  "refunds",
  "reports",
  "search",
  "shipping",
];
const LAYERS = ["model", "store", "rules", "service", "api"];
const FILES_PER_PACKAGE = 20;
const TESTED_PACKAGES = 5;
const NOUNS = [
  "Account",
  "Batch",
  "Entry",
  "Event",
  "Hold",
  "Item",
  "Limit",
  "Line",
  "Lot",
  "Mark",
  "Note",
  "Offer",
  "Plan",
  "Quota",
  "Rate",
  "Record",
  "Slot",
  "Tag",
  "Tier",
  "Window",
];
const FIELD_TYPES = [
  ["string", '""'],
  ["int64", "0"],
  ["int", "0"],
  ["bool", "false"],
  ["[]string", "nil"],
];

/** mulberry32: a tiny seeded PRNG, so the repository is identical on every machine. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function packages() {
  const out = [];
  for (const layer of LAYERS) {
    for (const domain of DOMAINS) out.push({ dir: `${domain}/${layer}`, name: layer, domain, layer });
  }
  return out;
}

function goType(rand) {
  return FIELD_TYPES[Math.floor(rand() * FIELD_TYPES.length)];
}

function entityFile(pkg, index, rand) {
  const noun = `${NOUNS[index % NOUNS.length]}${index >= NOUNS.length ? "V2" : ""}`;
  const fields = [];
  const nFields = 3 + Math.floor(rand() * 4);
  for (let f = 0; f < nFields; f++) fields.push({ name: `Field${f}`, type: goType(rand) });
  const checks = fields
    .filter((f) => f.type[0] === "string")
    .map(
      (f) =>
        `\tif strings.TrimSpace(x.${f.name}) == "" {\n\t\treturn fmt.Errorf("${pkg.domain} ${noun.toLowerCase()}: ${f.name} is empty: %w", ErrInvalid)\n\t}`,
    )
    .join("\n");
  const parts = fields
    .map((f) => {
      const [t] = f.type;
      if (t === "string") return `x.${f.name}`;
      if (t === "int64") return `strconv.FormatInt(x.${f.name}, 10)`;
      if (t === "int") return `strconv.Itoa(x.${f.name})`;
      if (t === "bool") return `strconv.FormatBool(x.${f.name})`;
      return `strings.Join(x.${f.name}, ",")`;
    })
    .join(", ");
  const numeric = fields.filter((f) => f.type[0] === "int64" || f.type[0] === "int");
  const weight = numeric.length
    ? numeric.map((f) => (f.type[0] === "int" ? `int64(x.${f.name})` : `x.${f.name}`)).join(" + ")
    : "int64(len(x.String()))";
  return `package ${pkg.name}

import (
\t"fmt"
\t"sort"
\t"strconv"
\t"strings"
)

// ${noun} is one ${noun.toLowerCase()} of the ${pkg.domain} ${pkg.layer} layer.
type ${noun} struct {
${fields.map((f) => `\t${f.name} ${f.type[0]}`).join("\n")}
}

// New${noun} returns a ${noun} with zero values.
func New${noun}() *${noun} {
\treturn &${noun}{
${fields.map((f) => `\t\t${f.name}: ${f.type[1]},`).join("\n")}
\t}
}

// Validate reports the first missing field.
func (x *${noun}) Validate() error {
\tif x == nil {
\t\treturn fmt.Errorf("${pkg.domain} ${noun.toLowerCase()}: nil: %w", ErrInvalid)
\t}
${checks || "\t_ = x"}
\treturn nil
}

// String renders the ${noun} as pipe-separated fields.
func (x *${noun}) String() string {
\treturn strings.Join([]string{${parts}}, "|")
}

// Weight is a stable number derived from the fields.
func (x *${noun}) Weight() int64 {
\treturn ${weight}
}

// Key is the quoted text form, usable as a map key in logs.
func (x *${noun}) Key() string {
\treturn strconv.Quote(x.String())
}

// Sort${noun}s orders by weight, then by text.
func Sort${noun}s(xs []*${noun}) {
\tsort.SliceStable(xs, func(i, j int) bool {
\t\tif xs[i].Weight() != xs[j].Weight() {
\t\t\treturn xs[i].Weight() < xs[j].Weight()
\t\t}
\t\treturn xs[i].String() < xs[j].String()
\t})
}
`;
}

function packageFile(pkg, deps) {
  const sorted = [...deps].sort((a, b) => (a.dir < b.dir ? -1 : 1));
  const imports = ['\t"errors"', "", ...sorted.map((d) => `\t${d.alias} "${MODULE}/${d.dir}"`)];
  if (!deps.length) imports.pop();
  const chain = deps.length ? deps.map((d) => `${d.alias}.Name()`).join(' + "," + ') : '""';
  return `// Package ${pkg.name} is the ${pkg.layer} layer of ${pkg.domain}.
package ${pkg.name}

import (
${imports.join("\n")}
)

// ErrInvalid wraps every validation failure of this package.
var ErrInvalid = errors.New("${pkg.domain}/${pkg.layer}: invalid")

// Name is the package's path below the module.
func Name() string { return "${pkg.dir}" }

// Depends lists what this package builds on.
func Depends() string { return ${chain} }

// Clamp bounds v to [lo, hi].
func Clamp(v, lo, hi int64) int64 {
\tif v < lo {
\t\treturn lo
\t}
\tif v > hi {
\t\treturn hi
\t}
\treturn v
}
`;
}

function testFile(pkg) {
  return `package ${pkg.name}

import "testing"

func TestClamp(t *testing.T) {
\ttests := []struct {
\t\tname            string
\t\tv, lo, hi, want int64
\t}{
\t\t{"below", -5, 0, 10, 0},
\t\t{"inside", 5, 0, 10, 5},
\t\t{"above", 50, 0, 10, 10},
\t}
\tfor _, tt := range tests {
\t\tt.Run(tt.name, func(t *testing.T) {
\t\t\tif got := Clamp(tt.v, tt.lo, tt.hi); got != tt.want {
\t\t\t\tt.Fatalf("Clamp(%d, %d, %d) = %d, want %d", tt.v, tt.lo, tt.hi, got, tt.want)
\t\t\t}
\t\t})
\t}
}

func TestName(t *testing.T) {
\tif Name() != "${pkg.dir}" {
\t\tt.Fatalf("Name() = %q", Name())
\t}
}
`;
}

/** path → content of the whole repository. */
export function repositoryFiles(seed = 20261123) {
  const rand = rng(seed);
  const pkgs = packages();
  const files = {
    "go.mod": `module ${MODULE}\n\ngo 1.21\n`,
    "README.md": `# fleet\n\nA generated Go module for backend-go-agent's benchmarks: ${pkgs.length} packages.\n`,
    "AGENTS.md": "Run `go test ./...` before you finish. Keep packages small.\n",
  };
  pkgs.forEach((pkg, p) => {
    // Up to two earlier packages of a lower layer: a DAG, never a cycle.
    const lower = pkgs.slice(0, p).filter((q) => LAYERS.indexOf(q.layer) < LAYERS.indexOf(pkg.layer));
    const deps = [];
    for (let k = 0; k < 2 && lower.length; k++) {
      const q = lower[Math.floor(rand() * lower.length)];
      if (!deps.some((d) => d.dir === q.dir)) deps.push({ ...q, alias: `${q.domain}${q.layer}` });
    }
    files[`${pkg.dir}/doc.go`] = packageFile(pkg, deps);
    for (let i = 0; i < FILES_PER_PACKAGE - 1; i++) {
      files[`${pkg.dir}/${NOUNS[i % NOUNS.length].toLowerCase()}${i >= NOUNS.length ? "_v2" : ""}.go`] =
        entityFile(pkg, i, rand);
    }
    if (p % Math.floor(pkgs.length / TESTED_PACKAGES) === 0) files[`${pkg.dir}/doc_test.go`] = testFile(pkg);
  });
  return files;
}

export async function writeRepository(dir, seed) {
  const files = repositoryFiles(seed);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  const goFiles = Object.keys(files).filter((p) => p.endsWith(".go"));
  return {
    files: Object.keys(files).length,
    goFiles: goFiles.length,
    testFiles: goFiles.filter((p) => p.endsWith("_test.go")).length,
    packages: packages().length,
    lines: Object.values(files).reduce((n, c) => n + c.split("\n").length - 1, 0),
  };
}
