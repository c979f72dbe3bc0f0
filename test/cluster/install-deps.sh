#!/usr/bin/env bash
# Installs what the local cluster needs and is not yet there (idempotent; a no-op on a prepared machine):
#  - iproute2 (`ip`, to make the pod range 198.18.0.0/15 local on lo) from Debian when missing;
#  - the upstream binaries (Kubernetes, etcd, kwok, Prometheus) built from Go modules by build-binaries.sh.
# Debian's `prometheus` package is not used: it is built without kubernetes_sd_configs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"

if ! command -v ip >/dev/null; then
  echo "install-deps: installing Debian package iproute2"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends iproute2 >/dev/null
fi
"$here/build-binaries.sh"
