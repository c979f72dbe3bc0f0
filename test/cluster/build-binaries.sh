#!/usr/bin/env bash
# Builds or fetches one dependency of the local cluster from Go modules into Tern's cache, only when missing.
# It reaches the Go module proxy, so it runs OUTSIDE the `tern` network namespace: test/cluster/prepare.mjs
# calls it (`make cluster-deps`, `make demo`, `make test`); what runs inside the namespace only reads the cache
# (paths.ts fails at once, naming the command to run, when something is missing).
#
#   build-binaries.sh NAME       NAME: k8s | etcd | kwok | prometheus | gateway-api | node   (no-op when cached)
#   build-binaries.sh --print-dirs   NAME=DIR for every dependency (reads go.mod files: no go command, no network)
#   build-binaries.sh --missing NAME...   prints the NAMEs not (completely) in the cache, one a line (no network)
#
# Cache layout (${TERN_CACHE_DIR:-$HOME/.cache/tern}):
#   bin/k8s-vX.Y.Z/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl}   bin/etcd-vX.Y.Z/etcd
#   bin/kwok-vX.Y.Z/kwok + stages/*.yaml (kwok's own "fast" stages, from its module)
#   bin/prometheus-v3.N.P/{prometheus,promtool}  (Debian's package lacks kubernetes_sd_configs)
#   files/gateway-api-vX.Y.Z/standard/*.yaml     (the Gateway API standard-channel CRDs, from its module)
#   bin/node-HASH/{kubelet,kube-proxy,containerd,containerd-shim-runc-v2,ctr,runc,crictl,coredns,pause,
#     tern-gpu-plugin,cni/*,versions.txt}  (a real node; build-node.sh; HASH: 12 hex digits of what
#     changes the output: build-node.sh, its wrapper modules, the device plugin's sources, the k8s ldflags)
# The versions are pinned by the wrapper modules beside this script (k8s/, etcd/, kwok/, prometheus/,
# gateway-api/; for node also containerd/, runc/, cni-plugins/, cri-tools/, coredns/, device-plugin/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${TERN_CACHE_DIR:-$HOME/.cache/tern}"

module_version() { # module_version DIR MODULE -> the version DIR/go.mod requires (parsed, so it works offline)
  local v
  v="$(awk -v m="$2" '($1 == m && $2 ~ /^v/) { print $2; exit } ($1 == "require" && $2 == m) { print $3; exit }' "$1/go.mod")"
  [[ -n $v ]] || { echo "build-binaries: $1/go.mod does not require $2" >&2; exit 1; }
  echo "$v"
}

k8s_version="$(module_version "$here/k8s" k8s.io/kubernetes)"
etcd_version="$(module_version "$here/etcd" go.etcd.io/etcd/server/v3)"
kwok_version="$(module_version "$here/kwok" sigs.k8s.io/kwok)"
gateway_version="$(module_version "$here/gateway-api" sigs.k8s.io/gateway-api)"
prom_module_version="$(module_version "$here/prometheus" github.com/prometheus/prometheus)" # v0.3NN.P
prom_rest="${prom_module_version#v0.}"; prom_mm="${prom_rest%%.*}"
prom_version="v$((prom_mm / 100)).$((prom_mm % 100)).${prom_rest#*.}"                     # -> v3.NN.P

minor="${k8s_version#v1.}"; minor="${minor%%.*}"
k8s_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"

node_hash() { # 12 hex digits of everything that changes the node binaries (file names and contents)
  local inputs=(build-node.sh) w
  for w in k8s containerd runc cni-plugins cri-tools coredns device-plugin; do inputs+=("$w/go.mod" "$w/go.sum"); done
  mapfile -t -O ${#inputs[@]} inputs < <(cd "$here" && ls device-plugin/*.go | grep -v '_test\.go$')
  { (cd "$here" && sha256sum "${inputs[@]}"); echo "$k8s_ldflags"; } | sha256sum | cut -c1-12
}

declare -A dir=(
  [k8s]="$cache/bin/k8s-$k8s_version" [etcd]="$cache/bin/etcd-$etcd_version" [kwok]="$cache/bin/kwok-$kwok_version"
  [prometheus]="$cache/bin/prometheus-$prom_version" [gateway-api]="$cache/files/gateway-api-$gateway_version"
  [node]="$cache/bin/node-$(node_hash)"
)

# What makes each dependency complete in its directory (every writer stages into a temporary directory
# and moves it in, so a present file is a whole one).
declare -A files=(
  [k8s]="kube-apiserver kube-controller-manager kube-scheduler kubectl" [etcd]="etcd" [kwok]="kwok stages/.complete"
  [prometheus]="prometheus promtool" [gateway-api]="standard/.complete"
  [node]="kubelet kube-proxy containerd containerd-shim-runc-v2 ctr runc cni/bridge cni/host-local cni/loopback cni/portmap
    crictl coredns tern-gpu-plugin pause versions.txt"
)
complete() { # complete NAME -> status 0 when every file of NAME is in its directory
  local f
  for f in ${files[$1]}; do [[ -e "${dir[$1]}/$f" ]] || return 1; done
}

case "${1:-}" in
  --print-dirs)
    for name in k8s etcd kwok prometheus gateway-api node; do echo "$name=${dir[$name]}"; done
    exit 0 ;;
  --missing)
    shift
    for name in "$@"; do
      [[ -n ${dir[$name]:-} ]] || { echo "build-binaries: unknown dependency '$name'" >&2; exit 2; }
      complete "$name" || echo "$name"
    done
    exit 0 ;;
esac

# build_set NAME DIR LDFLAGS BIN=PKG... : builds each PKG as binary BIN into ${dir[NAME]} unless all are there.
build_set() {
  local name="$1" src="$2" ldflags="$3"; shift 3
  local dest="${dir[$name]}" missing=0 spec
  for spec in "$@"; do [[ -x "$dest/${spec%%=*}" ]] || missing=1; done
  if (( missing == 0 )); then echo "build-binaries: $name cached in $dest"; return; fi
  echo "build-binaries: building $name (${*#*=}) into $dest"
  local start=$SECONDS tmp="$dest.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  for spec in "$@"; do
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -tags "${BUILD_TAGS:-}" -ldflags "$ldflags" -o "$tmp/${spec%%=*}" "${spec#*=}")
  done
  mkdir -p "$dest" && mv "$tmp"/* "$dest/" && rmdir "$tmp"
  echo "build-binaries: built $name in $((SECONDS - start))s"
}

# copy_module_files NAME MODULE@VERSION DEST SRC... : copies files of a module (downloaded through the Go
# module proxy, verified against go.sum's checksum database) into DEST; `DEST/.complete` marks a full copy.
copy_module_files() {
  local name="$1" module="$2" dest="$3"; shift 3
  if [[ -f "$dest/.complete" ]]; then echo "build-binaries: $name cached in $dest"; return; fi
  local src
  src="$(cd / && go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -d $src ]] || { echo "build-binaries: go mod download $module gave no directory" >&2; exit 1; }
  local tmp="$dest.tmp.$$" file
  rm -rf "$tmp" && mkdir -p "$tmp"
  for file in "$@"; do cp "$src/$file" "$tmp/"; done
  chmod u+w "$tmp"/* && touch "$tmp/.complete"
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$tmp" "$dest"
  echo "build-binaries: copied $(( $# )) files of $module into $dest"
}

case "${1:-}" in
  k8s)
    build_set k8s "$here/k8s" "$k8s_ldflags" \
      kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
      kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler kubectl=k8s.io/kubernetes/cmd/kubectl ;;
  etcd) build_set etcd "$here/etcd" "-s -w" etcd=go.etcd.io/etcd/server/v3 ;;
  kwok)
    build_set kwok "$here/kwok" "-s -w" kwok=sigs.k8s.io/kwok/cmd/kwok
    stage=kustomize/stage
    copy_module_files kwok-stages "sigs.k8s.io/kwok@$kwok_version" "${dir[kwok]}/stages" \
      "$stage/node/fast/node-initialize.yaml" "$stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
      "$stage/pod/fast/pod-ready.yaml" "$stage/pod/fast/pod-complete.yaml" "$stage/pod/fast/pod-delete.yaml" ;;
  prometheus)
    # Only the kubernetes service discovery is compiled in (Prometheus' own build tags).
    BUILD_TAGS=remove_all_sd,enable_kubernetes_sd build_set prometheus "$here/prometheus" \
      "-s -w -X github.com/prometheus/common/version.Version=${prom_version#v} -X github.com/prometheus/common/version.Branch=module" \
      prometheus=github.com/prometheus/prometheus/cmd/prometheus promtool=github.com/prometheus/prometheus/cmd/promtool ;;
  gateway-api)
    src="$(cd / && go mod download -json "sigs.k8s.io/gateway-api@$gateway_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
    [[ -d $src ]] || { echo "build-binaries: go mod download sigs.k8s.io/gateway-api@$gateway_version gave no directory" >&2; exit 1; }
    mapfile -t crds < <(cd "$src" && ls config/crd/standard/*.yaml)
    copy_module_files gateway-api "sigs.k8s.io/gateway-api@$gateway_version" "${dir[gateway-api]}/standard" "${crds[@]}" ;;
  node)
    if complete node; then echo "build-binaries: node cached in ${dir[node]}"; exit 0; fi
    echo "build-binaries: building node (kubelet, kube-proxy, containerd, runc, CNI plugins, crictl, coredns, pause, tern-gpu-plugin) into ${dir[node]}"
    "$here/build-node.sh" "${dir[node]}" "$k8s_ldflags" ;;
  *) echo "usage: build-binaries.sh k8s|etcd|kwok|prometheus|gateway-api|node | --print-dirs | --missing NAME..." >&2; exit 2 ;;
esac
