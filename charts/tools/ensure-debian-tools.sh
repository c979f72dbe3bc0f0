#!/usr/bin/env bash
# Installs the Debian packages the chart's tests drive, only when their command is missing:
#   promtool (package prometheus). The Argo CD Lua scripts run in gopher-lua (charts/tools/argocd-lua), not lua5.1.
# The prometheus package would start a system Prometheus: a temporary policy-rc.d keeps it from starting.
set -euo pipefail
declare -A wanted=([promtool]=prometheus)
missing=()
for command in "${!wanted[@]}"; do
  command -v "$command" >/dev/null || missing+=("${wanted[$command]}")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
command -v apt-get >/dev/null || { echo "observe-tools: install ${missing[*]} (Debian/Ubuntu packages) by hand" >&2; exit 1; }
echo "observe-tools: apt-get install ${missing[*]}" >&2
policy=/usr/sbin/policy-rc.d
added_policy=""
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  added_policy=1
fi
cleanup() { [[ -z $added_policy ]] || $sudo rm -f "$policy"; }
trap cleanup EXIT
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# On a systemd host the unit may still have been started: stop it, our tests never need it.
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
  $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
