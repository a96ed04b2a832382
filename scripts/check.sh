#!/usr/bin/env bash
# `make check`: the README's test command and CI's whole job. Release build and tests, the same
# tests under ASan+UBSan, TSan over Tidemark's threaded code, a fuzz smoke run.
#
# Each stage's tests mostly wait (on redis-server, on HTTP, on timeouts), so the next stage's build
# runs during them, at the lowest CPU priority: the tests get the CPU whenever they want it and the
# compiler takes the rest. This is what keeps CI's wall time near the two builds' own.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=${CHECK_LOGS:-build-logs}
mkdir -p "$logs"

# Runs "$@" niced in the background, its output in $logs/$name.log; `finish name` waits for it and
# prints the log's tail if it failed.
declare -A pids
start() {
  local name=$1; shift
  echo "check: building $name in the background (log: $logs/$name.log)"
  nice -n 19 "$@" >"$logs/$name.log" 2>&1 &
  pids[$name]=$!
}
finish() {
  local name=$1
  if ! wait "${pids[$name]}"; then
    tail -n 60 "$logs/$name.log" >&2
    echo "check: building $name failed (whole log: $logs/$name.log)" >&2
    exit 1
  fi
}
# A failing foreground stage must not leave a compiler running behind it.
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

make build
start asan make build-asan
make test
finish asan

start tsan make build-tsan
start fuzz bash fuzz/run.sh --build-only
make test-asan
finish tsan
finish fuzz

make test-tsan
make fuzz-smoke
