// A module proxy on disk (GOPROXY=file://…) serving a small module at two versions, and a local
// OSV database (govulncheck -db file://…) with two vulnerabilities in its later version: one in a
// function the test's module calls, one in a function nobody calls. No network anywhere.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";

export const VULN_MODULE = "example.com/bgavuln/lib";
export const REACHABLE_ID = "GO-2026-9001";
export const UNREACHABLE_ID = "GO-2026-9002";

/** A zip of stored (uncompressed) files, as Go's module zips may be. */
export function zipStored(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const fileName = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const n = Object.keys(files).length;
  end.writeUInt16LE(n, 8);
  end.writeUInt16LE(n, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const LIB = `package lib

// Parse reads s.
func Parse(s string) string { return s }

// Render writes s.
func Render(s string) string { return s }
`;

/** The proxy directory: VULN_MODULE at v1.0.0 and v1.1.0. */
export function writeModuleProxy(dir: string): void {
  const at = join(dir, VULN_MODULE, "@v");
  mkdirSync(at, { recursive: true });
  const mod = `module ${VULN_MODULE}\n\ngo 1.21\n`;
  for (const v of ["v1.0.0", "v1.1.0"]) {
    writeFileSync(join(at, `${v}.mod`), mod);
    writeFileSync(join(at, `${v}.info`), JSON.stringify({ Version: v, Time: "2026-01-01T00:00:00Z" }));
    writeFileSync(
      join(at, `${v}.zip`),
      zipStored({ [`${VULN_MODULE}@${v}/go.mod`]: mod, [`${VULN_MODULE}@${v}/lib.go`]: LIB }),
    );
  }
  writeFileSync(join(at, "list"), "v1.0.0\nv1.1.0\n");
}

/** The OSV database directory: both vulnerabilities introduced in 1.1.0, fixed in 1.2.0. */
export function writeVulnDb(dir: string): void {
  const modified = "2026-11-01T00:00:00Z";
  mkdirSync(join(dir, "index"), { recursive: true });
  mkdirSync(join(dir, "ID"), { recursive: true });
  const vulns = [
    { id: REACHABLE_ID, symbol: "Parse", aliases: ["CVE-2026-90001"] },
    { id: UNREACHABLE_ID, symbol: "Render", aliases: [] },
  ];
  writeFileSync(join(dir, "index", "db.json"), JSON.stringify({ modified }));
  writeFileSync(
    join(dir, "index", "modules.json"),
    JSON.stringify([
      { path: VULN_MODULE, vulns: vulns.map((v) => ({ id: v.id, modified, fixed: "1.2.0" })) },
    ]),
  );
  writeFileSync(
    join(dir, "index", "vulns.json"),
    JSON.stringify(vulns.map((v) => ({ id: v.id, modified, aliases: v.aliases }))),
  );
  for (const v of vulns) {
    writeFileSync(
      join(dir, "ID", `${v.id}.json`),
      JSON.stringify({
        schema_version: "1.3.1",
        id: v.id,
        modified,
        published: modified,
        aliases: v.aliases,
        summary: `${v.symbol} in ${VULN_MODULE} mishandles input`,
        details: "A test fixture.",
        affected: [
          {
            package: { name: VULN_MODULE, ecosystem: "Go" },
            ranges: [{ type: "SEMVER", events: [{ introduced: "1.1.0" }, { fixed: "1.2.0" }] }],
            ecosystem_specific: { imports: [{ path: VULN_MODULE, symbols: [v.symbol] }] },
          },
        ],
      }),
    );
  }
}
