#!/usr/bin/env bash
# Builds the Argo CD Lua harness (main.go here: gopher-lua, pinned in go.mod/go.sum) into the Tern cache, only
# when the cached binary is missing. It reaches the Go module proxy, so it runs OUTSIDE the `tern` network
# namespace (test/cluster/prepare.js `chart` and `test`, i.e. `make observe-tools` and `make test`); the chart
# tests only read the cache. Prints the binary's path on stdout.
#   ${TERN_CACHE_DIR:-$HOME/.cache/tern}/bin/argocd-lua-<gopher-lua version>-<hash of the sources>/argocd-lua
# `build.sh --print-path` only prints that path (no go command, no network).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(awk '$1 == "github.com/yuin/gopher-lua" { print $2 }' "$here/go.mod")"
sources="$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)"
out_dir="${TERN_CACHE_DIR:-$HOME/.cache/tern}/bin/argocd-lua-${version}-${sources}"
bin="$out_dir/argocd-lua"
if [[ "${1:-}" == "--print-path" ]]; then echo "$bin"; exit 0; fi
if [[ ! -x "$bin" ]]; then
  command -v go >/dev/null || { echo "argocd-lua: Go is needed to build the Argo CD Lua harness (https://go.dev/dl)" >&2; exit 1; }
  mkdir -p "$out_dir"
  echo "argocd-lua: building the Argo CD Lua harness (gopher-lua ${version})..." >&2
  started=$(date +%s)
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin.tmp.$$" .)
  mv "$bin.tmp.$$" "$bin"
  echo "argocd-lua: built $bin in $(( $(date +%s) - started ))s" >&2
fi
echo "$bin"
