#!/usr/bin/env bash
# Runs cluster tests N times in a row to find flaky ones (`make test-repeat`; run inside the `tern`
# network namespace by the Makefile). Each run is a fresh jest process (its own local cluster, as in
# `make test-cluster`); prints one line per run and a summary; exits 1 when any run failed.
#
#   N=5 FILES="test/a.test.ts test/b.test.ts" LOAD=1 JEST="node ... jest.js" test/cluster/repeat-tests.sh
#
# FILES empty: the whole cluster project. LOAD=1: a busy loop pinned to one core (LOAD_CPU, default 0)
# for as long as the runs take, bounded by `timeout` (LOAD_MAX_S, default 4 h) and stopped on exit.
# Logs: .tern/repeat/<UTC time>/run-<i>.log (jest's full output of each run).
set -uo pipefail
set -m # each background job (jest, the busy loop) in its own process group
cd "$(dirname "$0")/../.."

N=${N:-5}
FILES=${FILES:-}
LOAD=${LOAD:-}
JEST=${JEST:-node --experimental-vm-modules node_modules/jest/bin/jest.js}
case "$N" in '' | *[!0-9]* | 0) echo "test-repeat: N must be a positive integer (got '$N')" >&2; exit 2 ;; esac

dir=.tern/repeat/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$dir"
hog=''
jest_pid=''
finished=0

cleanup() {
  if [ -n "$jest_pid" ] && kill -0 "$jest_pid" 2>/dev/null; then
    # jest and what its tests spawned (operators, servers) form one process group (set -m below).
    kill -TERM -- "-$jest_pid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- "-$jest_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$jest_pid" 2>/dev/null
  fi
  if [ -n "$hog" ]; then
    kill -TERM "$hog" 2>/dev/null # timeout passes it on to the busy loop
    wait "$hog" 2>/dev/null
  fi
  if [ "$finished" != 1 ] && [ -f .tern/tooling/cli.js ]; then
    # An interrupted jest run does not stop the clusters it started (their processes are detached): stop
    # the one of the jest project (never one from `make cluster-up`, which jest reuses) and the one that
    # test/operator-runtime.test.ts starts for itself.
    if grep -q '"startedBy": *"jest"' .tern/cluster.json 2>/dev/null; then node .tern/tooling/cli.js down >/dev/null 2>&1; fi
    if [ -f .tern/runtime-test/cluster.json ]; then TERN_STATE_DIR=.tern/runtime-test node .tern/tooling/cli.js down >/dev/null 2>&1; fi
  fi
}
trap cleanup EXIT
trap 'echo "test-repeat: interrupted" >&2; exit 130' INT TERM

if [ "$LOAD" = 1 ]; then
  cpu=${LOAD_CPU:-0}
  timeout "${LOAD_MAX_S:-14400}" taskset -c "$cpu" sh -c 'while :; do :; done' &
  hog=$!
  echo "test-repeat: LOAD=1: a busy loop on CPU $cpu (pid $hog) while the runs last"
fi

echo "test-repeat: $N run(s) of ${FILES:-the whole cluster project}; logs in $dir"
failed=0
for i in $(seq 1 "$N"); do
  log=$dir/run-$i.log
  t0=$(date +%s)
  # shellcheck disable=SC2086 # JEST and FILES are word lists
  $JEST --selectProjects cluster --runInBand $FILES >"$log" 2>&1 &
  jest_pid=$!
  wait "$jest_pid"
  rc=$?
  jest_pid=''
  took=$(($(date +%s) - t0))
  suites=$(grep -E '^Test Suites:' "$log" | tail -1 | sed 's/^Test Suites: *//')
  tests=$(grep -E '^Tests:' "$log" | tail -1 | sed 's/^Tests: *//')
  if [ "$rc" = 0 ]; then
    echo "run $i/$N: PASS in ${took}s (suites: ${suites:-?}; tests: ${tests:-?})"
  else
    failed=$((failed + 1))
    echo "run $i/$N: FAIL (exit $rc) in ${took}s (suites: ${suites:-?}; tests: ${tests:-?}); see $log"
    grep -E '^ *● ' "$log" | grep -v '● Console' | sort -u | sed 's/^ */    /' | head -20
  fi
done
finished=1
echo "test-repeat: $N runs, $failed failed${LOAD:+ (LOAD=$LOAD)}; files: ${FILES:-all cluster tests}"
[ "$failed" = 0 ]
