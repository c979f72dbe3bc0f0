# Shared by the image scripts (sourced, not run): where the cache lives, buildah with Tern's own storage,
# and content hashes. Image store: $TERN_CACHE_DIR/images/storage (overlay driver; build layers stay there,
# so a changed source file reuses the cached `npm ci` layer).
cache="${TERN_CACHE_DIR:-$HOME/.cache/tern}"
images_dir="$cache/images"
storage="$images_dir/storage"

# buildah with Tern's storage (not the machine's /var/lib/containers), never asking a registry.
tbuildah() {
  buildah --root "$storage/root" --runroot "$storage/run" --storage-driver overlay "$@"
}

# need_root -> exits naming why when not root (reading the cache works without it; building does not)
need_root() {
  [[ $(id -u) -eq 0 ]] || { echo "images: building needs root (mmdebstrap, and buildah's own store and runc); run as root" >&2; exit 1; }
}

# short_hash < TEXT -> the first 16 hex digits of TEXT's sha256
short_hash() { sha256sum | cut -c1-16; }

# files_listing ROOT PATH... -> sha256 lines ("hash  path") of every file under the PATHs (relative to ROOT),
# sorted by path, leaving out what the root's .dockerignore leaves out of the build context that matters
# here (tests, ONNX test models). Symlinks are followed.
files_listing() {
  local root="$1"; shift
  (cd "$root" && find "$@" \( -type f -o -type l \) ! -name '*.test.ts' ! -name '*.onnx' -print0 \
    | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# has_image NAME LABEL VALUE -> status 0 when the store holds NAME with label LABEL=VALUE
has_image() {
  [[ "$(tbuildah inspect --type image --format "{{index .OCIv1.Config.Labels \"$2\"}}" "$1" 2>/dev/null)" == "$3" ]]
}
