#!/usr/bin/env bash
# Benchmark: `tidemark verify` against redis-check-rdb / redis-check-aof and a plain read, side by
# side on the same ~1 GB files, each run RUNS times (median reported). Not a test: prints a table
# for docs/benchmarks.md. Usage: bench/verify_bench.sh [BUILD_DIR] [DATASET_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
data=${2:-${TIDEMARK_BENCH_DATA:-/var/tmp/tidemark-bench}}
runs=${3:-3}
tidemark="$(cd "$build" && pwd)/bin/tidemark"
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/make_dataset.sh" "$data"

rdb="$data/dump.rdb"
aofdir="$data/appendonlydir"
aofbase=$(ls "$aofdir"/*.base.aof)
manifest=$(ls "$aofdir"/*.manifest)

# measure NAME CMD...: runs the command RUNS times after one warm-up; prints median wall seconds
# and median peak RSS (MB) from GNU time.
measure() {
  local name=$1; shift
  "$@" >/dev/null 2>&1 || true
  local walls=() rss=()
  for _ in $(seq "$runs"); do
    local out
    /usr/bin/time -f '%e %M' -o "$timing" "$@" >/dev/null 2>&1 || true
    out=$(tail -1 "$timing")
    walls+=("${out% *}"); rss+=("${out#* }")
  done
  local w m
  w=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  m=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%s %s %s\n' "$name" "$w" "$(awk -v k="$m" 'BEGIN{printf "%.1f", k/1024}')"
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

Dataset: $(du -m "$rdb" | cut -f1) MB RDB, $(du -m "$aofbase" | cut -f1) MB AOF, $keys keys (Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2)); median of $runs runs; $(nproc) cores.

| file | command | wall s | peak RSS MB | vs tidemark |
|---|---|---|---|---|
| RDB | cat FILE >/dev/null | $(val cat-rdb 2) | $(val cat-rdb 3) | tidemark is $(ratio "$(val cat-rdb 2)" "$(val tidemark-rdb 2)")x the read time |
| RDB | tidemark verify rdb | $(val tidemark-rdb 2) | $(val tidemark-rdb 3) | (RSS budget $rss_budget MB) |
| RDB | redis-check-rdb | $(val redis-check-rdb 2) | $(val redis-check-rdb 3) | tidemark $(ratio "$(val tidemark-rdb 2)" "$(val redis-check-rdb 2)")x faster |
| AOF | cat BASE >/dev/null | $(val cat-aof 2) | $(val cat-aof 3) | tidemark is $(ratio "$(val cat-aof 2)" "$(val tidemark-aof 2)")x the read time |
| AOF | tidemark verify aof | $(val tidemark-aof 2) | $(val tidemark-aof 3) | |
| AOF | redis-check-aof | $(val redis-check-aof 2) | $(val redis-check-aof 3) | tidemark $(ratio "$(val tidemark-aof 2)" "$(val redis-check-aof 2)")x faster |
TABLE
rm -f "$results" "$timing"
