#!/usr/bin/env bash
# Benchmark: `tidemark digest rdb` against Redis's own DEBUG DIGEST of a redis-server that has the
# same ~1 GB dataset loaded, side by side in one run, alternating RUNS times. Only the DEBUG
# DIGEST call is timed (loading is not), with the server's CPU time read from /proc before and
# after. Not a test: prints a table for docs/benchmarks.md.
# Usage: bench/digest_bench.sh [BUILD_DIR] [DATASET_DIR] [RUNS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_init 2 "$@"
tidemark="$bin/tidemark"
rdb="$data/dump.rdb"

work=$(mktemp -d)
sock="$work/redis.sock"
ln -s "$rdb" "$work/dump.rdb"
redis-server --port 0 --unixsocket "$sock" --dir "$work" --dbfilename dump.rdb --daemonize no \
  --save "" --appendonly no --enable-debug-command yes --logfile "$work/redis.log" &
pid=$!
trap 'redis-cli -s "$sock" shutdown nosave >/dev/null 2>&1 || kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
echo "digest bench: redis-server loading $rdb"
until redis-cli -s "$sock" ping 2>/dev/null | grep -q PONG &&
      redis-cli -s "$sock" info persistence | grep -q 'loading:0'; do sleep 0.5; done

ticks=$(getconf CLK_TCK)
cpu_seconds() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }
now() { date +%s.%N; }

results=$(mktemp)
for i in $(seq "$runs"); do
  c0=$(cpu_seconds "$pid"); t0=$(now)
  redis_digest=$(redis-cli -s "$sock" debug digest)
  t1=$(now); c1=$(cpu_seconds "$pid")
  echo "redis $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}') $(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b - a}') - $redis_digest" >> "$results"
  out=$(/usr/bin/time -f '%e %U %S %M' "$tidemark" digest rdb "$rdb" 2>&1 >"$work/digest.txt" | tail -1)
  read -r wall user sys rss <<<"$out"
  echo "tidemark $wall $(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u + s}') $(awk -v k="$rss" 'BEGIN{printf "%.1f", k / 1024}') $(cat "$work/digest.txt")" >> "$results"
done
cat "$results"

col() { awk -v n="$1" -v f="$2" '$1==n{print $f}' "$results" | median; }
same=$(awk '{print $5}' "$results" | sort -u | wc -l)
cat <<TABLE

Dataset: $(du -m "$rdb" | cut -f1) MB RDB, $(bench_context); median of $runs alternating runs.

| command | wall s | CPU s | peak RSS MB |
|---|---|---|---|
| \`DEBUG DIGEST\` (server with the data loaded; the call only) | $(col redis 2) | $(col redis 3) | (the server holds the dataset) |
| \`tidemark digest rdb\` (reads the file) | $(col tidemark 2) | $(col tidemark 3) | $(col tidemark 4) |

Digests: $( [ "$same" = 1 ] && echo "all equal ($(awk 'NR==1{print $5}' "$results"))" || echo "DIFFERENT, see above")
TABLE
