#!/usr/bin/env bash
# Makes the Node 20 Debian bookworm base that stands in for node:20-bookworm-slim (no registry is reachable
# here): mmdebstrap's minbase variant from the machine's Debian mirror, ca-certificates, and this machine's
# Node 20 (node, npm, npx in /usr/local like the official image), then imports it into Tern's buildah store
# as localhost/tern/node:20-bookworm-slim. Prints that name. The rootfs tarball is cached under
# $TERN_CACHE_DIR/images/base/ by a hash of its inputs (node and npm versions, the mirror list, the mmdebstrap
# arguments, this script), so it is made once; a no-op when the store already holds it.
#   base.sh            -> prints the image name (builds when missing)
#   base.sh --hash     -> prints the input hash only (no build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

name="localhost/tern/node:20-bookworm-slim"
sources="${TERN_DEBIAN_SOURCES:-/etc/apt/sources.list.d/debian.sources}"
node_bin="$(readlink -f "$(command -v node)")"
npm_dir="$(readlink -f "$(dirname "$(readlink -f "$(command -v npm)")")/..")" # .../node_modules/npm
[[ -f $sources ]] || { echo "images/base: no Debian sources file $sources (set TERN_DEBIAN_SOURCES)" >&2; exit 1; }
[[ -f $npm_dir/package.json ]] || { echo "images/base: cannot find npm's package directory (got $npm_dir)" >&2; exit 1; }
node_version="$("$node_bin" --version)"
[[ $node_version == v20.* ]] || { echo "images/base: the machine's node is $node_version, the images need Node 20" >&2; exit 1; }
npm_version="$(node -p 'require(process.argv[1]).version' "$npm_dir/package.json")"

# Like debian:bookworm-slim: no manuals, no translations, no docs but the copyright files. Unlike the
# official image, npm trusts the system CA bundle (build-images.sh mounts the machine's there, for a
# machine behind a TLS-inspecting proxy) and /root/.npm exists (the build's npm cache mount point, so that
# no empty mount point is left in the images' layers).
args=(--variant=minbase --include=ca-certificates --format=tar
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-include=/usr/share/locale/locale.alias' --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --customize-hook='mkdir -p "$1/usr/local/bin" "$1/usr/local/lib/node_modules"'
  --customize-hook="copy-in $node_bin /usr/local/bin"
  --customize-hook="copy-in $npm_dir /usr/local/lib/node_modules"
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"'
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"'
  --customize-hook='mkdir -p "$1/usr/local/etc" "$1/root/.npm"'
  --customize-hook='echo cafile=/etc/ssl/certs/ca-certificates.crt > "$1/usr/local/etc/npmrc"'
  --customize-hook='chroot "$1" /usr/local/bin/node --version')
hash="$( { echo "$node_version npm-$npm_version"; cat "$sources" "$0" "$here/lib.sh"; printf '%s\n' "${args[@]}"; } | short_hash)"
if [[ ${1:-} == --hash ]]; then echo "$hash"; exit 0; fi

tarball="$images_dir/base/node20-bookworm-$hash.tar"
if [[ ! -f $tarball ]]; then
  need_root
  echo "images/base: mmdebstrap bookworm ($node_version, npm $npm_version) -> $tarball" >&2
  mkdir -p "$images_dir/base"
  rm -f "$images_dir"/base/*.tmp
  mmdebstrap --quiet "${args[@]}" bookworm "$tarball.tmp" "$sources"
  mv "$tarball.tmp" "$tarball"
  find "$images_dir/base" -maxdepth 1 -name 'node20-bookworm-*.tar' ! -name "${tarball##*/}" -delete
fi

if ! has_image "$name" tern.base.hash "$hash"; then
  need_root
  echo "images/base: importing $tarball as $name" >&2
  ctr="$(tbuildah from --pull=never scratch)"
  trap 'tbuildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
  tbuildah add --quiet "$ctr" "$tarball" / >/dev/null
  tbuildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="${node_version#v}" --cmd node --label tern.base.hash="$hash" "$ctr"
  tbuildah commit --quiet --rm "$ctr" "$name" >/dev/null
  trap - EXIT
fi
echo "$name"
