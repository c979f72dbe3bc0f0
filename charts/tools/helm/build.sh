#!/usr/bin/env bash
# Builds helm from its Go module (pinned in go.mod/go.sum beside this script) into the Tern cache,
# only when the cached binary is missing. Prints the binary's path on stdout.
#   ${TERN_CACHE_DIR:-$HOME/.cache/tern}/bin/helm-<version>/helm
# `build.sh --print-path` only prints that path (no go command, no network: for code inside the namespace).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(awk '$1 == "helm.sh/helm/v3" { print $2 }' "$here/go.mod")"
# helm's Makefile derives the default Kubernetes version (`helm template`, `helm lint`) from client-go v0.N.P -> 1.N.
kube_minor="$(awk '$1 == "k8s.io/client-go" { split($2, v, "."); print v[2] }' "$here/go.mod")"
out_dir="${TERN_CACHE_DIR:-$HOME/.cache/tern}/bin/helm-${version}"
bin="$out_dir/helm"
if [[ "${1:-}" == "--print-path" ]]; then echo "$bin"; exit 0; fi
if [[ ! -x "$bin" ]]; then
  command -v go >/dev/null || { echo "helm-bin: Go is needed to build helm ${version} (https://go.dev/dl)" >&2; exit 1; }
  mkdir -p "$out_dir"
  echo "helm-bin: building helm ${version} from its Go module (a few minutes the first time)..." >&2
  started=$(date +%s)
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${version} \
      -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${kube_minor} \
      -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${kube_minor}" \
    helm.sh/helm/v3/cmd/helm)
  mv "$bin.tmp" "$bin"
  echo "helm-bin: built $bin in $(( $(date +%s) - started ))s" >&2
fi
echo "$bin"
