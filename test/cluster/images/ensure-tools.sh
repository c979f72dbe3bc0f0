#!/usr/bin/env bash
# Installs the Debian packages build-images.sh needs when missing (idempotent; a no-op on a prepared machine):
# buildah (builds the images from the Dockerfile without a daemon; pulls in runc) and mmdebstrap (makes the
# Debian bookworm base that stands in for node:20-bookworm-slim, since no registry is reachable here).
set -euo pipefail
sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"

missing=()
command -v buildah >/dev/null || missing+=(buildah)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v runc >/dev/null || missing+=(runc)
if ((${#missing[@]} > 0)); then
  echo "images/ensure-tools: installing Debian packages ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
