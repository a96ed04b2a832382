#!/usr/bin/env bash
# Benchmark: `tidemark verify` against redis-check-rdb / redis-check-aof and a plain read, side by
# side on the same ~1 GB files, each run RUNS times (median reported). Not a test: prints a table
# for docs/benchmarks.md. Usage: bench/verify_bench.sh [BUILD_DIR] [DATASET_DIR] [RUNS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_init 3 "$@"
tidemark="$bin/tidemark"

rdb="$data/dump.rdb"
aofdir="$data/appendonlydir"
aofbase=$(ls "$aofdir"/*.base.aof)
manifest=$(ls "$aofdir"/*.manifest)

# measure NAME CMD...: runs the command RUNS times after one warm-up; prints median wall seconds,
# median peak RSS (MB) and median CPU seconds (user + sys) from GNU time.
measure() {
  local name=$1; shift
  "$@" >/dev/null 2>&1 || true
  local walls=() rss=() cpus=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M %U %S' -o "$timing" "$@" >/dev/null 2>&1 || true
    read -r w m u s < <(tail -1 "$timing")
    walls+=("$w"); rss+=("$m"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u + s}')")
  done
  printf '%s %s %s %s\n' "$name" "$(printf '%s\n' "${walls[@]}" | median)" \
    "$(awk -v k="$(printf '%s\n' "${rss[@]}" | median)" 'BEGIN{printf "%.1f", k/1024}')" "$(printf '%s\n' "${cpus[@]}" | median)"
}

results=$(mktemp)
timing=$(mktemp)
{
  measure cat-rdb cat "$rdb"
  measure tidemark-rdb "$tidemark" verify rdb "$rdb"
  measure redis-check-rdb redis-check-rdb "$rdb"
  measure cat-aof cat "$aofbase"
  measure tidemark-aof "$tidemark" verify aof "$aofdir"
  measure redis-check-aof redis-check-aof "$manifest"
} | tee "$results"

val() { awk -v n="$1" -v f="$2" '$1==n{print $f}' "$results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a > 0) printf "%.1f", b / a; else print "inf" }'; }
keys=$(sed -n 's/.*keys=\([0-9]*\).*/\1/p' "$data/keyspace.txt")
rss_budget=$(awk -v k="$keys" 'BEGIN{printf "%.1f", 32 + 8 * k / 1048576}')
cat <<TABLE

Dataset: $(du -m "$rdb" | cut -f1) MB RDB, $(du -m "$aofbase" | cut -f1) MB AOF, $(bench_context); median of $runs runs.

| file | command | wall s | CPU s (user+sys) | peak RSS MB | vs tidemark |
|---|---|---|---|---|---|
| RDB | cat FILE >/dev/null | $(val cat-rdb 2) | $(val cat-rdb 4) | $(val cat-rdb 3) | tidemark is $(ratio "$(val cat-rdb 2)" "$(val tidemark-rdb 2)")x the read time |
| RDB | tidemark verify rdb | $(val tidemark-rdb 2) | $(val tidemark-rdb 4) | $(val tidemark-rdb 3) | (RSS budget $rss_budget MB) |
| RDB | redis-check-rdb | $(val redis-check-rdb 2) | $(val redis-check-rdb 4) | $(val redis-check-rdb 3) | tidemark $(ratio "$(val tidemark-rdb 2)" "$(val redis-check-rdb 2)")x faster ($(ratio "$(val tidemark-rdb 4)" "$(val redis-check-rdb 4)")x in CPU) |
| AOF | cat BASE >/dev/null | $(val cat-aof 2) | $(val cat-aof 4) | $(val cat-aof 3) | tidemark is $(ratio "$(val cat-aof 2)" "$(val tidemark-aof 2)")x the read time |
| AOF | tidemark verify aof | $(val tidemark-aof 2) | $(val tidemark-aof 4) | $(val tidemark-aof 3) | |
| AOF | redis-check-aof | $(val redis-check-aof 2) | $(val redis-check-aof 4) | $(val redis-check-aof 3) | tidemark $(ratio "$(val tidemark-aof 2)" "$(val redis-check-aof 2)")x faster ($(ratio "$(val tidemark-aof 4)" "$(val redis-check-aof 4)")x in CPU) |
TABLE
rm -f "$results" "$timing"
