#!/usr/bin/env bash
# Builds the local control plane's upstream binaries from the Go wrapper modules beside this script
# (k8s/, etcd/, kwok/) into versioned cache directories, only when missing:
#   ${TERN_CACHE_DIR:-$HOME/.cache/tern}/bin/k8s-vX.Y.Z/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl}
#   .../etcd-vX.Y.Z/etcd      .../kwok-vX.Y.Z/kwok
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
    (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/${spec%%=*}" "${spec#*=}")
  done
  mkdir -p "$dest" && mv "$tmp"/* "$dest/" && rmdir "$tmp"
  echo "build-binaries: built $name in $((SECONDS - start))s"
}

k8s_version="$(module_version "$here/k8s" k8s.io/kubernetes)"
etcd_version="$(module_version "$here/etcd" go.etcd.io/etcd/server/v3)"
kwok_version="$(module_version "$here/kwok" sigs.k8s.io/kwok)"

if [[ "${1:-}" == "--print-dirs" ]]; then
  echo "$cache/k8s-$k8s_version"; echo "$cache/etcd-$etcd_version"; echo "$cache/kwok-$kwok_version"; exit 0
fi

minor="${k8s_version#v1.}"; minor="${minor%%.*}"
build_set "k8s-$k8s_version" "$here/k8s" \
  "-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
  kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
  kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler kubectl=k8s.io/kubernetes/cmd/kubectl
build_set "etcd-$etcd_version" "$here/etcd" "-s -w" etcd=go.etcd.io/etcd/server/v3
build_set "kwok-$kwok_version" "$here/kwok" "-s -w" kwok=sigs.k8s.io/kwok/cmd/kwok
