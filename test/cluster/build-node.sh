#!/usr/bin/env bash
# Builds the binaries of the local cluster's real node from Go modules (plus the upstream pause.c) into
# one directory. build-binaries.sh calls it (`build-binaries.sh node`), names the directory after a hash of
# this script and of every wrapper module it builds from, and passes the Kubernetes ldflags it uses for
# the control plane:
#   build-node.sh DEST K8S_LDFLAGS
# Everything is built into DEST.tmp.PID, then moved to DEST as a whole (a present DEST is a complete one).
# Contents (versions pinned by the wrapper modules beside this script):
#   kubelet kube-proxy (k8s/)  containerd containerd-shim-runc-v2 ctr (containerd/)  runc (runc/, cgo +
#   libseccomp, static)  cni/{bridge,host-local,loopback,portmap} (cni-plugins/)  crictl (cri-tools/)
#   coredns (coredns/)  tern-gpu-plugin (device-plugin/, ours)  pause (k8s.io/kubernetes' build/pause/linux/pause.c)
#   versions.txt (what each binary is)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:?usage: build-node.sh DEST K8S_LDFLAGS}"
k8s_ldflags="${2:?usage: build-node.sh DEST K8S_LDFLAGS}"

module_version() { # module_version DIR MODULE -> the version DIR/go.mod requires
  awk -v m="$2" '($1 == m && $2 ~ /^v/) { print $2; exit } ($1 == "require" && $2 == m) { print $3; exit }' "$here/$1/go.mod"
}
module_dir() { # module_dir MODULE@VERSION -> its directory in the module cache (downloads it when missing)
  (cd / && go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
}

k8s_v="$(module_version k8s k8s.io/kubernetes)"
containerd_v="$(module_version containerd github.com/containerd/containerd/v2)"
runc_v="$(module_version runc github.com/opencontainers/runc)"
cni_v="$(module_version cni-plugins github.com/containernetworking/plugins)"
crictl_v="$(module_version cri-tools sigs.k8s.io/cri-tools)"
coredns_v="$(module_version coredns github.com/coredns/coredns)"

tmp="$dest.tmp.$$"
rm -rf "$tmp" && mkdir -p "$tmp/cni"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS

# gobuild WRAPPER OUT PKG [go build flags...]: one static binary (CGO_ENABLED=0 unless the caller set it).
gobuild() {
  local wrapper="$1" out="$2" pkg="$3" t=$SECONDS; shift 3
  (cd "$here/$wrapper" && CGO_ENABLED="${CGO_ENABLED:-0}" go build -trimpath -buildvcs=false "$@" -o "$tmp/$out" "$pkg")
  echo "build-node: $out in $((SECONDS - t))s"
}

# The kubelet first: the node start-up code needs it before anything else.
gobuild k8s kubelet k8s.io/kubernetes/cmd/kubelet -ldflags "$k8s_ldflags"
gobuild k8s kube-proxy k8s.io/kubernetes/cmd/kube-proxy -ldflags "$k8s_ldflags"

# containerd's Makefile: tag urfave_cli_no_docs, version variables, the shim also no_grpc. The CRI plugin
# is in by default (no `no_cri` tag); btrfs needs cgo and stays out (the node uses overlayfs).
c=github.com/containerd/containerd/v2
c_ld="-s -w -X $c/version.Version=$containerd_v -X $c/version.Revision=module -X $c/version.Package=$c"
gobuild containerd containerd $c/cmd/containerd -tags urfave_cli_no_docs -ldflags "$c_ld"
gobuild containerd containerd-shim-runc-v2 $c/cmd/containerd-shim-runc-v2 -tags "urfave_cli_no_docs no_grpc" -ldflags "$c_ld"
gobuild containerd ctr $c/cmd/ctr -tags urfave_cli_no_docs -ldflags "$c_ld"

# runc's Makefile (`make static`) minus libpathrs (a Rust library Debian lacks; runc then uses its Go
# pathrs-lite): cgo, libseccomp (libseccomp-dev, from install-deps.sh) linked statically.
CGO_ENABLED=1 gobuild runc runc github.com/opencontainers/runc \
  -tags "seccomp urfave_cli_no_docs netgo osusergo" -ldflags "-s -w -X main.gitCommit=$runc_v -extldflags -static"
grep -q '^libseccomp: ' <<<"$("$tmp/runc" --version)" || { echo "build-node: runc was built without libseccomp" >&2; exit 1; }

for p in main/bridge ipam/host-local main/loopback meta/portmap; do
  gobuild cni-plugins "cni/${p#*/}" "github.com/containernetworking/plugins/plugins/$p" \
    -ldflags "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$cni_v"
done
gobuild cri-tools crictl sigs.k8s.io/cri-tools/cmd/crictl -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$crictl_v"
gobuild coredns coredns github.com/coredns/coredns -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$coredns_v"
gobuild device-plugin tern-gpu-plugin . -ldflags "-s -w"

# The pause binary of every pod sandbox, as build/pause/Makefile compiles it (its TAG as the version).
k8s_src="$(module_dir "k8s.io/kubernetes@$k8s_v")"
pause_c="$k8s_src/build/pause/linux/pause.c"
[[ -f $pause_c ]] || { echo "build-node: $pause_c is missing from the k8s.io/kubernetes module" >&2; exit 1; }
pause_v="v$(sed -n 's/^TAG ?= *//p' "$k8s_src/build/pause/Makefile")"
gcc -Os -Wall -Werror -static -DVERSION="$pause_v-k8s.io-kubernetes-$k8s_v" -o "$tmp/pause" "$pause_c"
strip "$tmp/pause"
echo "build-node: pause $pause_v"

cat > "$tmp/versions.txt" <<VERSIONS
kubelet kube-proxy        k8s.io/kubernetes $k8s_v
containerd containerd-shim-runc-v2 ctr  github.com/containerd/containerd/v2 $containerd_v
runc                      github.com/opencontainers/runc $runc_v (seccomp, libseccomp $(pkg-config --modversion libseccomp 2>/dev/null || echo '?') static)
cni/bridge cni/host-local cni/loopback cni/portmap  github.com/containernetworking/plugins $cni_v
crictl                    sigs.k8s.io/cri-tools $crictl_v
coredns                   github.com/coredns/coredns $coredns_v
tern-gpu-plugin           test/cluster/device-plugin (Tern's fake-GPU device plugin)
pause                     k8s.io/kubernetes $k8s_v build/pause/linux/pause.c (pause $pause_v)
go                        $(go env GOVERSION)
VERSIONS

rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$tmp" "$dest"
trap - EXIT
echo "build-node: built the node binaries into $dest in $((SECONDS - start))s"
