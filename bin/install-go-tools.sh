#!/bin/sh
# Installs the pinned Go tools of src/golang/tool-versions.ts (gopls, golangci-lint, govulncheck,
# benchstat) into $GO_TOOLS_DIR/bin (default $DATA_DIR/tools/bin, DATA_DIR defaulting to .data), with the
# `<name>.version` stamps the app checks. Needs only Go and the module proxy, not
# node_modules, so CI runs it alongside `npm install`. A tool already at its pin is skipped.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
versions="$here/src/golang/tool-versions.ts"
dir=${GO_TOOLS_DIR:-${DATA_DIR:-$here/.data}/tools}
mkdir -p "$dir/bin"
export GOBIN="$dir/bin" GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-modcacherw
export GOPATH="${GOPATH:-$dir/gopath}" GOCACHE="${GOCACHE:-$dir/go-build}"
grep -o 'install: "[^"]*@v[^"]*"' "$versions" | sed 's/install: "\(.*\)"/\1/' | while read -r pkg; do
  version=${pkg##*@}
  path=${pkg%@*}
  name=${path##*/}
  if [ -x "$dir/bin/$name" ] && [ "$(cat "$dir/bin/$name.version" 2>/dev/null)" = "$version" ]; then
    echo "$name $version already installed in $dir/bin"
    continue
  fi
  start=$(date +%s)
  go install "$pkg"
  echo "$version" >"$dir/bin/$name.version"
  echo "installed $name $version in $dir/bin ($(($(date +%s) - start)) s)"
done
