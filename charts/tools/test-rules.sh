#!/usr/bin/env bash
# `make test-rules`: promtool check + unit tests for the chart's alerts (charts/tern/files/alerts.yaml),
# rendered with the chart's default thresholds by render-alerts.js (helm template), as the PrometheusRule
# carries them. promtool compares every rendered annotation verbatim, so the unit tests run on a copy of the
# rules without annotations; `promtool check rules` checks the rendered file, annotation templates included.
# Runs with every promtool at hand: Debian's (2.x, on PATH) and the local cluster's Prometheus 3.x
# build (${TERN_CACHE_DIR:-~/.cache/tern}/bin/prometheus-*/promtool), so the rules hold under both.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
files="$here/../tern/files"
promtools=()
command -v promtool >/dev/null && promtools+=("$(command -v promtool)")
for p in "${TERN_CACHE_DIR:-$HOME/.cache/tern}"/bin/prometheus-*/promtool; do [[ -x $p ]] && promtools+=("$p"); done
[[ ${#promtools[@]} -gt 0 ]] || { echo "test-rules: promtool is missing: run 'make observe-tools' (Debian package prometheus)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node "$here/render-alerts.js" > "$work/alerts.rendered.yaml"
node "$here/strip-annotations.js" < "$work/alerts.rendered.yaml" > "$work/alerts.yaml"
cp "$files/alerts.test.yaml" "$work/alerts.test.yaml"
for promtool in "${promtools[@]}"; do
  echo "== $("$promtool" --version 2>&1 | head -1)"
  "$promtool" check rules "$work/alerts.rendered.yaml"
  "$promtool" test rules "$work/alerts.test.yaml"
done
