#!/usr/bin/env bash
# Installs what the local cluster needs and is not yet there: the Debian `prometheus` package
# (prometheus + promtool; its own service is kept from starting) and the upstream Go binaries
# (build-binaries.sh, cached). Idempotent: a no-op on a prepared machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  echo "install-deps: installing Debian package prometheus"
  start=$SECONDS
  # Keep the package's service from starting: a policy-rc.d that refuses every start, while we install.
  added_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  (( added_policy == 0 )) || $sudo rm -f /usr/sbin/policy-rc.d
  # Where systemd runs, make sure the packaged service is stopped and stays off.
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    $sudo systemctl disable --now prometheus prometheus-node-exporter 2>/dev/null || true
  fi
  echo "install-deps: prometheus installed in $((SECONDS - start))s ($(prometheus --version 2>&1 | head -1))"
fi
"$here/build-binaries.sh"
