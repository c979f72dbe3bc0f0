#!/usr/bin/env bash
# Installs the Debian packages the local cluster needs when missing (idempotent; a no-op on a prepared
# machine): iproute2 (`ip`, for the `tern` network namespace and the node address on its lo) and
# iptables (test/operator-faults-control-plane.test.ts drops the operator pod's packets to the pods; kube-proxy
# and the CNI portmap plugin of the real node write their rules with it), conntrack (kube-proxy clears
# stale UDP entries with it), libseccomp-dev (build-node.sh links runc against libseccomp, statically).
# The Go-built binaries and module files come from build-binaries.sh; test/cluster/prepare.js runs both,
# outside the namespace (`make cluster-deps`).
set -euo pipefail
sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"

if ! command -v ip >/dev/null; then
  echo "install-deps: installing Debian package iproute2"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends iproute2 >/dev/null
fi

if ! command -v iptables >/dev/null; then
  echo "install-deps: installing Debian package iptables"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends iptables >/dev/null
fi

if ! command -v conntrack >/dev/null; then
  echo "install-deps: installing Debian package conntrack"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends conntrack >/dev/null
fi

if ! pkg-config --exists libseccomp 2>/dev/null || ! command -v gcc >/dev/null; then
  echo "install-deps: installing Debian packages libseccomp-dev, gcc, pkg-config (runc and pause are built with them)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libseccomp-dev gcc libc6-dev pkg-config >/dev/null
fi
