#!/usr/bin/env bash
# Runs a command inside `tern`, a network namespace of our own where the local cluster lives.
#
# Why: the real node changes the network it runs in — the node address 10.243.0.1 on `lo`, the pods'
# bridge and addresses (10.244.0.0/24), kube-proxy's iptables rules for every Service, IP forwarding —
# and none of that may touch the machine's own routing table or firewall. Inside this namespace all of
# it is local, nothing is routed anywhere else, and nothing can download.
#
#   test/cluster/netns.sh CMD ARGS...     run CMD in the namespace (creating it when missing)
#   test/cluster/netns.sh --delete        remove the namespace when no process is left in it
#
# Already inside it: runs CMD directly. TERN_NETNS=off runs CMD where it is (for a control plane without
# the node; the real node refuses to start outside the namespace). Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN).
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
exec ip netns exec "$NS" env TERN_IN_NETNS=1 "$@"
