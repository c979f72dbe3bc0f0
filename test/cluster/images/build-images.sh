#!/usr/bin/env bash
# Builds the container images the local cluster's real node runs, as archives `ctr images import` reads,
# cached by a hash of every input: an unchanged tree is a no-op in about a second. No daemon, no registry:
# buildah builds the repository's Dockerfile (targets tern-server and tern-operator) on base.sh's Debian
# bookworm + Node 20 base, `npm ci` inside the build reaching the npm registry through the host network
# with this machine's npm cache and CA bundle mounted; pause and CoreDNS are FROM-scratch images of the
# binaries given. Needs root (buildah with its own store under the cache).
#
#   build-images.sh [--pause BIN [--pause-tag X.Y.Z]] [--coredns BIN [--coredns-version vX.Y.Z]]
#
# Writes $TERN_CACHE_DIR/images/<name>-<hash>.tar (docker-archive, the image name in its manifest) and
# $TERN_CACHE_DIR/images/index.json: [{"name", "archive", "hash"}] for the images of this run, and prints
# one NAME ARCHIVE line per image. The local cluster's node imports each with `ctr -n k8s.io images import <archive>`. The tags come from the binaries
# (`pause -v`: registry.k8s.io/pause:3.10.2, the sandbox image containerd 2.4 expects; `coredns -version`:
# registry.k8s.io/coredns/coredns:v1.15.0) unless --pause-tag / --coredns-version give them.
# Run outside the `tern` network namespace.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
source "$here/lib.sh"

pause="" pause_tag="" coredns="" coredns_version=""
while (($# > 0)); do
  case "$1" in
    --pause|--pause-tag|--coredns|--coredns-version)
      [[ $# -ge 2 && -n $2 ]] || { echo "build-images: $1 needs a value" >&2; exit 2; }
      case "$1" in --pause) pause="$2" ;; --pause-tag) pause_tag="$2" ;; --coredns) coredns="$2" ;; --coredns-version) coredns_version="$2" ;; esac
      shift 2 ;;
    *) echo "build-images: unknown argument '$1' (--pause BIN, --pause-tag TAG, --coredns BIN, --coredns-version vX.Y.Z)" >&2; exit 2 ;;
  esac
done
for bin in "$pause" "$coredns"; do
  [[ -z $bin || ( -f $bin && -x $bin ) ]] || { echo "build-images: '$bin' is not an executable file" >&2; exit 2; }
done
if [[ -n $pause && -z $pause_tag ]]; then
  pause_tag="$(timeout 2 "$pause" -v 2>/dev/null | sed -n 's/^pause\.c v\([0-9][0-9.]*\).*$/\1/p' | head -1)" || true
  [[ -n $pause_tag ]] || { echo "build-images: '$pause -v' names no pause version; give --pause-tag X.Y.Z" >&2; exit 2; }
fi
if [[ -n $coredns && -z $coredns_version ]]; then
  coredns_version="v$(timeout 10 "$coredns" -version 2>/dev/null | sed -n 's/^CoreDNS-\([0-9][0-9.]*\)$/\1/p' | head -1)" || true
  [[ $coredns_version != v ]] || { echo "build-images: '$coredns -version' names no CoreDNS version; give --coredns-version vX.Y.Z" >&2; exit 2; }
fi
[[ ( -z $pause || $pause_tag =~ ^[0-9A-Za-z._-]+$ ) && ( -z $coredns || $coredns_version =~ ^v[0-9][0-9A-Za-z._-]*$ ) ]] \
  || { echo "build-images: bad tag '$pause_tag' or '$coredns_version'" >&2; exit 2; }

server_version="$(node -p 'require(process.argv[1]).version' "$root/package.json")"
operator_version="$(awk '$1 == "appVersion:" { gsub(/"/, "", $2); print $2 }' "$root/charts/tern/Chart.yaml")"
[[ $server_version =~ ^[0-9A-Za-z._-]+$ ]] || { echo "build-images: package.json's version '$server_version' is no image tag" >&2; exit 1; }
[[ $operator_version =~ ^[0-9A-Za-z._-]+$ ]] || { echo "build-images: charts/tern/Chart.yaml's appVersion '$operator_version' is no image tag" >&2; exit 1; }
scripts_hash="$(cat "$0" "$here/lib.sh" | short_hash)"

mkdir -p "$images_dir"
# One build at a time per cache: two checkouts building at once share the store and the archives, and
# one's cleanup would delete the other's build containers (seen: "identifier is not a container").
exec 9>"$images_dir/.lock"
if ! flock --nonblock 9; then
  echo "build-images: another build of this cache is running (lock $images_dir/.lock); waiting for it" >&2
  flock 9
fi
entries=()
# archive NAME IMAGE HASH -> exports IMAGE from the store as $images_dir/NAME-HASH.tar, drops older ones
archive() {
  local file="$images_dir/$1-$3.tar"
  rm -f "$file.tmp"
  tbuildah push --quiet "$2" "docker-archive:$file.tmp:$2"
  mv "$file.tmp" "$file"
  find "$images_dir" -maxdepth 1 -name "$1-*.tar" ! -name "$1-$3.tar" -delete
}
# record NAME IMAGE HASH -> adds the image to index.json
record() { entries+=("{\"name\": \"$2\", \"archive\": \"$images_dir/$1-$3.tar\", \"hash\": \"$3\"}"); echo "$2 $images_dir/$1-$3.tar"; }

# ---- tern-server and tern-operator: the Dockerfile's two targets ---------------------------------------
inputs=(Dockerfile .dockerignore package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json common operator server models bin)
base_hash="$("$here/base.sh" --hash)"
tern_hash="$( { echo "base $base_hash scripts $scripts_hash server $server_version operator $operator_version"; files_listing "$root" "${inputs[@]}"; } | short_hash)"
declare -A tern_images=([tern-server]="ghcr.io/tern-dev/tern-server:$server_version" [tern-operator]="ghcr.io/tern-dev/tern-operator:$operator_version")
for target in tern-server tern-operator; do
  if [[ ! -f $images_dir/$target-$tern_hash.tar ]]; then
    need_root
    # Every source change leaves its layers behind: past the bound, start the store afresh (next npm ci ~3 min).
    if [[ -d $storage && $(du -smx "$storage" | cut -f1) -gt $((${TERN_IMAGES_STORE_MAX_GB:-6} * 1024)) ]]; then
      echo "images: the image store is over ${TERN_IMAGES_STORE_MAX_GB:-6} GB; emptying it" >&2
      tbuildah rmi --all --force >/dev/null
    fi
    base="$("$here/base.sh")"
    npm_cache="$(npm config get cache)" && mkdir -p "$npm_cache"
    ca="$(npm config get cafile)"; [[ -f $ca ]] || ca=/etc/ssl/certs/ca-certificates.crt
    tbuildah rm --all >/dev/null # working containers an interrupted build left behind
    echo "images: building $target (${tern_images[$target]}) from the Dockerfile" >&2
    # --layers keeps the `npm ci` layer for the next source change. The RUN steps see this machine's npm
    # cache and CA bundle (which may hold a TLS-inspecting proxy's CA); neither lands in a layer.
    tbuildah build --quiet --layers --pull=never --network host --build-arg NODE_IMAGE="$base" \
      --volume "$npm_cache:/root/.npm" --volume "$ca:/etc/ssl/certs/ca-certificates.crt:ro" \
      --target "$target" -t "${tern_images[$target]}" -f "$root/Dockerfile" "$root" >/dev/null
    archive "$target" "${tern_images[$target]}" "$tern_hash"
  fi
  record "$target" "${tern_images[$target]}" "$tern_hash"
done

# ---- pause and CoreDNS: one static binary each, FROM scratch ---------------------------------------------
# scratch_image NAME IMAGE BIN USER -> /NAME is BIN, the entry point, run as USER (empty: image default)
scratch_image() {
  local hash ctr
  hash="$( { echo "$2 $4 scripts $scripts_hash"; sha256sum < "$3"; } | short_hash)"
  if [[ ! -f $images_dir/$1-$hash.tar ]]; then
    need_root
    echo "images: building $2 from $3" >&2
    ctr="$(tbuildah from --pull=never scratch)"
    tbuildah copy --quiet --chmod 0755 "$ctr" "$3" "/$1" >/dev/null
    tbuildah config --entrypoint "[\"/$1\"]" ${4:+--user "$4"} "$ctr"
    tbuildah commit --quiet --rm "$ctr" "$2" >/dev/null
    archive "$1" "$2" "$hash"
  fi
  record "$1" "$2" "$hash"
}
[[ -z $pause ]] || scratch_image pause "registry.k8s.io/pause:$pause_tag" "$pause" 65535:65535
[[ -z $coredns ]] || scratch_image coredns "registry.k8s.io/coredns/coredns:$coredns_version" "$coredns" ""

{ echo "["; (IFS=$'\n'; echo "${entries[*]}") | sed '$!s/$/,/; s/^/  /'; echo "]"; } > "$images_dir/index.json.tmp"
mv "$images_dir/index.json.tmp" "$images_dir/index.json"
