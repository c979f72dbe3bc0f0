#!/usr/bin/env bash
# `make test-rules`: promtool check + unit tests for the chart's alerts (charts/tern/files/alerts.yaml).
# promtool compares every rendered annotation verbatim, so the unit tests run on a copy of the rules
# without annotations; `promtool check rules` checks the real file, annotation templates included.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
files="$here/../tern/files"
command -v promtool >/dev/null || { echo "test-rules: promtool is missing: run 'make observe-tools' (Debian package prometheus)" >&2; exit 1; }
promtool check rules "$files/alerts.yaml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node "$here/strip-annotations.js" < "$files/alerts.yaml" > "$work/alerts.yaml"
cp "$files/alerts.test.yaml" "$work/alerts.test.yaml"
promtool test rules "$work/alerts.test.yaml"
