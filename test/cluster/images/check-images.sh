#!/usr/bin/env bash
# Runs the built Tern images the way a pod does, with plain runc: user 65532, read-only root filesystem, a
# tmpfs on /tmp. Checks that `tern-server --help` and `tern --help` work, that tern-server loads and serves
# the species ONNX model (onnxruntime's native library for this platform is there), and that
# tern-operator starts and fails on the missing cluster. Needs build-images.sh's store; exits non-zero on
# the first check that fails, naming it.
#   check-images.sh [PORT]     (PORT: where tern-server listens on the host network; default 18089)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
source "$here/lib.sh"
port="${1:-18089}"
server="ghcr.io/tern-dev/tern-server:$(node -p 'require(process.argv[1]).version' "$root/package.json")"
operator="ghcr.io/tern-dev/tern-operator:$(awk '$1 == "appVersion:" { gsub(/"/, "", $2); print $2 }' "$root/charts/tern/Chart.yaml")"
model="$root/models/species/species-1.0.0.onnx"
work="$(mktemp -d)"
containers=()
cleanup() {
  local c
  for c in "${containers[@]}"; do runc --root "$work/runc" delete --force "$c" >/dev/null 2>&1 || true; done
  for c in "${containers[@]}"; do tbuildah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-images: FAILED: $*" >&2; exit 1; }

# bundle IMAGE NAME ARGS_JSON -> an OCI bundle in $work/NAME: the image's root read-only, /tmp a tmpfs,
# the model read-only at /models, the host's network (to reach the server), user 65532, env of the image.
bundle() {
  local ctr env
  ctr="$(tbuildah from --pull=never --name "$2" "$1")"
  containers+=("$ctr")
  mkdir -p "$work/$2"
  env="$(tbuildah inspect --type image "$1" | jq -c .OCIv1.config.Env)"
  (cd "$work/$2" && runc spec)
  jq --arg rootfs "$(tbuildah mount "$ctr")" --argjson args "$3" --argjson env "$env" --arg model "$model" '
    .root = {path: $rootfs, readonly: true} | .process.terminal = false | .process.args = $args
    | .process.env = $env | .process.user = {uid: 65532, gid: 65532} | .process.cwd = "/app"
    | .linux.namespaces |= map(select(.type != "network"))
    | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "size=64m"]},
                  {destination: "/models/species.onnx", type: "bind", source: $model, options: ["rbind", "ro"]}]
  ' "$work/$2/config.json" > "$work/$2/config.json.new"
  mv "$work/$2/config.json.new" "$work/$2/config.json"
}
# run NAME -> runs the bundle in the foreground, output in $work/NAME.out, status returned
run() { (cd "$work/$1" && timeout 60 runc --root "$work/runc" run "$1") > "$work/$1.out" 2>&1; }

bundle "$server" tern-check-help '["tern-server", "--help"]'
run tern-check-help || fail "tern-server --help: $(cat "$work/tern-check-help.out")"
grep -q -- '--model-url' "$work/tern-check-help.out" || fail "tern-server --help printed no usage"
echo "check-images: tern-server --help works (user 65532, read-only root)"

bundle "$server" tern-check-cli '["tern", "--help"]'
run tern-check-cli || fail "tern --help: $(cat "$work/tern-check-cli.out")"
echo "check-images: tern --help works"

bundle "$server" tern-check-serve "[\"tern-server\", \"--model-url\", \"file:///models/species.onnx\", \"--port\", \"$port\", \"--host\", \"127.0.0.1\", \"--workers\", \"1\"]"
(cd "$work/tern-check-serve" && runc --root "$work/runc" run --detach tern-check-serve > "$work/tern-check-serve.out" 2>&1)
started=$SECONDS
until curl -fsS "http://127.0.0.1:$port/v2/health/ready" >/dev/null 2>&1; do
  ((SECONDS - started < 60)) || fail "tern-server did not get ready in 60 s: $(cat "$work/tern-check-serve.out")"
  runc --root "$work/runc" state tern-check-serve 2>/dev/null | grep -q '"running"' || fail "tern-server exited: $(cat "$work/tern-check-serve.out")"
  sleep 1
done
echo "check-images: tern-server loaded and serves the species model ($((SECONDS - started)) s to ready)"
runc --root "$work/runc" kill tern-check-serve TERM

bundle "$operator" tern-check-operator '["tern-operator"]'
if run tern-check-operator; then fail "tern-operator exited 0 without a cluster"; fi
grep -qiE 'cluster|kube' "$work/tern-check-operator.out" || fail "tern-operator failed without naming the cluster: $(cat "$work/tern-check-operator.out")"
echo "check-images: tern-operator starts and stops on the missing cluster: $(grep -iE 'cluster|kube' "$work/tern-check-operator.out" | head -1 | cut -c1-200)"
