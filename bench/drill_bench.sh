#!/usr/bin/env bash
# Benchmark of `tidemark-sidecar drill` on the ~1 GB dataset (bench/make_dataset.sh), against the
# issue's target: a drill takes at most 1.2x what redis-server takes to load the same file plus
# its own DEBUG DIGEST. Side by side in one run, RUNS rounds each, alternating (medians). Not a
# test: prints the rows for docs/benchmarks.md.
#   drill     `tidemark-sidecar drill` of a backup of the dataset: copy into a scratch directory
#             with SHA-256 and RDB verification in one pass, scratch redis-server load, DEBUG
#             DIGEST, INFO, shutdown, cleanup (wall, user+sys of the sidecar and its server);
#   baseline  redis-server started on a copy of the same dump.rdb (the copy made beforehand, not
#             timed) until INFO says loading:0, then DEBUG DIGEST (wall; user+sys of the server).
# Usage: bench/drill_bench.sh [BUILD_DIR] [DATASET_DIR] [RUNS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_init 3 "$@"
sidecar="$bin/tidemark-sidecar"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/tidemark-drill-bench.XXXXXX")
cleanup() {
  for s in "$work"/*/redis.sock; do [[ -S $s ]] && redis-cli -s "$s" shutdown nosave >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
cpu_of() { awk '{printf "%.2f", $2 + $3}' "$1"; }

rdb="$data/dump.rdb"
mkdir -p "$work/src" "$work/store" "$work/scratch" "$work/base"
ln "$rdb" "$work/src/dump.rdb" 2>/dev/null || cp "$rdb" "$work/src/dump.rdb"

echo "taking a backup of the dataset with tidemark-sidecar backup..." >&2
# rdbcompression no: the backup is then the same ~1 GB uncompressed file the baseline loads.
redis-server --port 0 --unixsocket "$work/src/redis.sock" --dir "$work/src" --daemonize no \
  --save "" --rdbcompression no --logfile "$work/src/redis.log" </dev/null >/dev/null 2>&1 &
src_pid=$!
until [[ $(redis-cli -s "$work/src/redis.sock" ping 2>/dev/null) == PONG ]]; do sleep 0.05; done
# BGSAVE is refused while the dataset is still loading.
until [[ $(redis-cli -s "$work/src/redis.sock" info persistence | tr -d '\r' | grep '^loading:') == loading:0 ]]; do
  sleep 0.2
done
"$sidecar" backup --redis "unix:$work/src/redis.sock" --store "$work/store" > "$work/backup.log"
redis-cli -s "$work/src/redis.sock" shutdown nosave >/dev/null 2>&1 || true
wait "$src_pid" 2>/dev/null || true

# baseline: wall seconds start -> loading:0 -> DEBUG DIGEST answered; CPU of the server.
baseline() {
  local dir="$work/base"
  rm -f "$dir"/*
  cp "$rdb" "$dir/dump.rdb"
  sync
  local t0; t0=$(now)
  /usr/bin/time -f '%e %U %S %M' -o "$work/base.time" \
    redis-server --port 0 --unixsocket "$dir/redis.sock" --dir "$dir" --daemonize no --save "" \
      --appendonly no --enable-debug-command local --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 &
  local pid=$!
  until [[ $(redis-cli -s "$dir/redis.sock" info persistence 2>/dev/null | tr -d '\r' | grep '^loading:') == loading:0 ]]; do
    sleep 0.01
  done
  redis-cli -s "$dir/redis.sock" debug digest > "$work/base.digest"
  local t1; t1=$(now)
  redis-cli -s "$dir/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
  base_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')
  base_cpu=$(cpu_of "$work/base.time")
}

drill() {
  sync
  local t0; t0=$(now)
  # GNU time counts the children it waited for: the scratch server is one (the sidecar reaps it).
  /usr/bin/time -f '%e %U %S %M' -o "$work/drill.time" \
    "$sidecar" drill --store "$work/store" --work-dir "$work/scratch" --memory-budget 8Gi > "$work/drill.log" ||
    true  # a failed drill exits non-zero: say why below instead of letting set -e end the run silently
  local t1; t1=$(now)
  grep -q '"result":"success"' "$work/drill.log" || {
    echo "the drill did not pass; its log:" >&2
    cat "$work/drill.log" "$work/drill.time" >&2
    exit 1
  }
  drill_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')
  drill_cpu=$(cpu_of "$work/drill.time")
  drill_load=$(grep -o '"load_seconds":[0-9.]*' "$work/drill.log" | tail -1 | cut -d: -f2)
  drill_rss=$(awk '{print int($4 / 1024)}' "$work/drill.time")
}

: > "$work/rows"
for ((i = 1; i <= runs; i++)); do
  baseline
  drill
  echo "$drill_wall $base_wall $drill_cpu $base_cpu $drill_load $drill_rss" >> "$work/rows"
  echo "round $i: drill ${drill_wall}s (${drill_cpu}s CPU, load ${drill_load}s), redis load+digest ${base_wall}s (${base_cpu}s CPU)" >&2
done
col() { awk -v c="$1" '{print $c}' "$work/rows" | median; }
dw=$(col 1); bw=$(col 2); dc=$(col 3); bc=$(col 4); dl=$(col 5); dr=$(col 6)
echo
echo "$(bench_context); $runs rounds, medians"
echo
echo "| run | wall s | CPU s (user+sys) | ratio (wall) |"
echo "|---|---|---|---|"
echo "| redis-server load + DEBUG DIGEST | $bw | $bc | 1.00 |"
echo "| tidemark-sidecar drill (copy+SHA-256+verify, load, digest, cleanup) | $dw | $dc | $(awk -v a="$dw" -v b="$bw" 'BEGIN{printf "%.2f", a / b}') |"
echo
echo "drill: scratch load ${dl}s (start to loading:0), peak RSS of the sidecar or its server ${dr} MB"
echo "digest of the baseline: $(cat "$work/base.digest")"
