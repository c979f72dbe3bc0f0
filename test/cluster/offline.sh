#!/usr/bin/env bash
# Runs a command with every package registry out of reach, as the `tern` network namespace has them:
# an empty Go module cache, the Go proxy off (GOFLAGS=-mod=mod, so a go command that needs a module must
# fetch it, and fails), npm pointed at a closed loopback port and offline. `make test-cluster` runs the
# cluster tests through it, and test/offline-start.test.ts starts a cluster through it: whatever the cluster,
# the tests or the demo need from outside must come from Tern's cache, filled by `make cluster-deps`.
set -euo pipefail
scratch="$(mktemp -d -t tern-offline.XXXXXX)"
cleanup() { chmod -R u+w "$scratch" 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT
mkdir -p "$scratch/gomodcache"
status=0
env GOMODCACHE="$scratch/gomodcache" GOPROXY=off GOFLAGS=-mod=mod \
  npm_config_registry=http://127.0.0.1:9/ npm_config_offline=true TERN_OFFLINE=1 "$@" || status=$?
exit "$status"
