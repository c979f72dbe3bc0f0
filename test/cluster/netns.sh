#!/usr/bin/env bash
# Runs a command inside `tern`, a network namespace of our own where the local cluster lives.
#
# Why: Kubernetes refuses loopback addresses in EndpointSlices, so pods need addresses outside
# 127.0.0.0/8 (we use 198.18.0.0/15, made local on the namespace's own `lo`). Inside this namespace
# every address — 127.0.0.1 and the pod range alike — is local to the namespace, nothing is routed
# anywhere else, and the machine's own routing table is never touched.
#
#   test/cluster/netns.sh CMD ARGS...     run CMD in the namespace (creating it when missing)
#   test/cluster/netns.sh --delete        remove the namespace when no process is left in it
#
# Already inside it: runs CMD directly. TERN_NETNS=off runs CMD where it is (pods then fall back to
# 127.x addresses and EndpointSlices stay empty). Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN).
set -euo pipefail
NS=tern
if [ "${TERN_NETNS:-}" = off ]; then exec "$@"; fi
if [ "${1:-}" = --delete ]; then
  # Only when nothing runs in it any more (another checkout's cluster may share it).
  if ip netns list 2>/dev/null | grep -qE "^$NS( |$)" && [ -z "$(ip netns pids "$NS" 2>/dev/null)" ]; then
    ip netns del "$NS"
  fi
  exit 0
fi
if [ "$(ip netns identify $$ 2>/dev/null)" = "$NS" ]; then
  exec env TERN_IN_NETNS=1 "$@"
fi
if ! ip netns list 2>/dev/null | grep -qE "^$NS( |$)"; then
  if ! ip netns add "$NS" 2>/dev/null; then
    echo "netns.sh: cannot create network namespace '$NS' (needs root); running without it (TERN_NETNS=off)" >&2
    exec "$@"
  fi
fi
ip netns exec "$NS" ip link set lo up
if [ -z "$(ip netns exec "$NS" ip route show table local 198.18.0.0/15)" ]; then
  ip netns exec "$NS" ip route add local 198.18.0.0/15 dev lo
fi
exec ip netns exec "$NS" env TERN_IN_NETNS=1 "$@"
