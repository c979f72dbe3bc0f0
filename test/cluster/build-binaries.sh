#!/usr/bin/env bash
# Builds the local control plane's upstream binaries from the Go wrapper modules beside this script
# (k8s/, etcd/, kwok/) into versioned cache directories, only when missing:
#   ${TERN_CACHE_DIR:-$HOME/.cache/tern}/bin/k8s-vX.Y.Z/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl}
#   .../etcd-vX.Y.Z/etcd      .../kwok-vX.Y.Z/kwok
#   .../prometheus-v3.N.P/{prometheus,promtool}  (Debian's package lacks kubernetes_sd_configs)
# Prints each directory's path; `--print-dirs` prints them without building.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${TERN_CACHE_DIR:-$HOME/.cache/tern}/bin"

module_version() { # module_version DIR MODULE -> version required in DIR/go.mod
  (cd "$1" && go list -m -f '{{.Version}}' "$2")
}

# build_set NAME DIR LDFLAGS BIN=PKG... : builds each PKG as binary BIN into $cache/NAME unless all are there.
build_set() {
  local name="$1" dir="$2" ldflags="$3"; shift 3
  local dest="$cache/$name" missing=0 spec
  for spec in "$@"; do [[ -x "$dest/${spec%%=*}" ]] || missing=1; done
  if (( missing == 0 )); then echo "build-binaries: $name cached in $dest"; return; fi
  echo "build-binaries: building $name (${*#*=}) into $dest ..."
  local start=$SECONDS tmp="$dest.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  for spec in "$@"; do
    (cd "$dir" && CGO_ENABLED=0 go build -trimpath -tags "${BUILD_TAGS:-}" -ldflags "$ldflags" -o "$tmp/${spec%%=*}" "${spec#*=}")
  done
  mkdir -p "$dest" && mv "$tmp"/* "$dest/" && rmdir "$tmp"
  echo "build-binaries: built $name in $((SECONDS - start))s"
}

k8s_version="$(module_version "$here/k8s" k8s.io/kubernetes)"
etcd_version="$(module_version "$here/etcd" go.etcd.io/etcd/server/v3)"
kwok_version="$(module_version "$here/kwok" sigs.k8s.io/kwok)"
prom_module_version="$(module_version "$here/prometheus" github.com/prometheus/prometheus)" # v0.3NN.P
prom_rest="${prom_module_version#v0.}"; prom_mm="${prom_rest%%.*}"
prom_version="v$((prom_mm / 100)).$((prom_mm % 100)).${prom_rest#*.}"                     # -> v3.NN.P

if [[ "${1:-}" == "--print-dirs" ]]; then
  echo "$cache/k8s-$k8s_version"; echo "$cache/etcd-$etcd_version"; echo "$cache/kwok-$kwok_version"; echo "$cache/prometheus-$prom_version"; exit 0
fi

minor="${k8s_version#v1.}"; minor="${minor%%.*}"
build_set "k8s-$k8s_version" "$here/k8s" \
  "-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
  kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
  kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler kubectl=k8s.io/kubernetes/cmd/kubectl
build_set "etcd-$etcd_version" "$here/etcd" "-s -w" etcd=go.etcd.io/etcd/server/v3
build_set "kwok-$kwok_version" "$here/kwok" "-s -w" kwok=sigs.k8s.io/kwok/cmd/kwok
# Only the kubernetes service discovery is compiled in (Prometheus' own build tags).
BUILD_TAGS=remove_all_sd,enable_kubernetes_sd build_set "prometheus-$prom_version" "$here/prometheus" \
  "-s -w -X github.com/prometheus/common/version.Version=${prom_version#v} -X github.com/prometheus/common/version.Branch=module" \
  prometheus=github.com/prometheus/prometheus/cmd/prometheus promtool=github.com/prometheus/prometheus/cmd/promtool
