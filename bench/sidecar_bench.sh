#!/usr/bin/env bash
# Benchmark of tidemark-sidecar on the ~1 GB dataset (bench/make_dataset.sh), the issue's four
# targets, side by side in one run, RUNS rounds each (medians). Not a test: prints a table for the
# sidecar section of docs/benchmarks.md.
#   backup   `tidemark-sidecar backup` against a real Redis holding the dataset; the copy phase
#            (total minus the BGSAVE the log reports) vs `cat dump.rdb | sha256sum`, same round;
#   restore  `tidemark-sidecar restore` of that backup into an empty data dir (AOF off and on) vs
#            the time redis-server takes to load the same snapshot (start to first PONG);
#   RSS      peak RSS of backup and restore (GNU time), `run` at rest and after a backup
#            (/proc/PID/status VmRSS, VmHWM);
#   redis-benchmark  SET/GET throughput on a Redis with AOF on, with and without `run` attached
#            (hybrid policy: AOF watched and verified every second), alternating.
# Usage: bench/sidecar_bench.sh [BUILD_DIR] [DATASET_DIR] [RUNS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_init 3 "$@"
sidecar="$bin/tidemark-sidecar"
golden="$here/../tests/core/policy/golden"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/tidemark-sidecar-bench.XXXXXX")
pids=()
cleanup() {
  for s in "$work"/*/redis.sock; do [[ -S $s ]] && redis-cli -s "$s" shutdown nosave >/dev/null 2>&1 || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

rdb="$data/dump.rdb"
mb=$(du -m "$rdb" | cut -f1)
mkdir -p "$work/redis" "$work/store"
ln "$rdb" "$work/redis/dump.rdb" 2>/dev/null || cp "$rdb" "$work/redis/dump.rdb"
policy_noverify="$work/noverify.json"
sed 's/"verifyAfterCopy": true/"verifyAfterCopy": false/' "$golden/rdb-only.policy.json" > "$policy_noverify"

echo "loading the dataset into redis-server..." >&2
# rdbcompression no, as make_dataset.sh saved it: the backup's BGSAVE then writes the same ~1 GB
# file that `cat | sha256sum` reads (with the default, compression on, it wrote ~250 MB).
start_redis "$work/redis" --appendonly no --rdbcompression no
digest=$(redis-cli -s "$work/redis/redis.sock" debug digest)
[[ $digest == "$(cat "$data/digest.txt")" ]] || { echo "dataset digest differs" >&2; exit 1; }

# --- backup vs cat | sha256sum, restore vs redis-server's load ------------------------------
: > "$work/rows"
for round in $(seq "$runs"); do
  echo "round $round/$runs: cat|sha256sum, backup, backup without read-back, restores, loads" >&2
  timed "$work/t" sh -c "cat '$rdb' | sha256sum >/dev/null"
  read -r w u s m < "$work/t"; echo "sha $w $(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}') $m" >> "$work/rows"

  for variant in backup backup-noverify; do
    rm -rf "${work:?}/store/"*
    extra=(); [[ $variant == backup-noverify ]] && extra=(--policy "$policy_noverify")
    timed "$work/t" "$sidecar" backup --redis "unix:$work/redis/redis.sock" --store "$work/store" \
      "${extra[@]}" > "$work/backup.log"
    read -r w u s m < "$work/t"
    bgsave=$(sed -n 's/.*"msg":"BGSAVE done".*"duration_ms":\([0-9]*\).*/\1/p' "$work/backup.log")
    copy=$(awk -v w="$w" -v b="$bgsave" 'BEGIN{printf "%.2f", w - b / 1000}')
    echo "$variant $copy $(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}') $m $w" >> "$work/rows"
  done

  for aof in no yes; do
    rm -rf "$work/restore-$aof"; mkdir -p "$work/restore-$aof"
    timed "$work/t" "$sidecar" restore --data-dir "$work/restore-$aof" --store "$work/store" \
      --appendonly "$aof" > "$work/restore.log"
    read -r w u s m < "$work/t"
    echo "restore-$aof $w $(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}') $m" >> "$work/rows"
    start_redis "$work/restore-$aof" --appendonly "$aof"
    got=$(redis-cli -s "$work/restore-$aof/redis.sock" debug digest)
    [[ $got == "$digest" ]] || { echo "restored digest differs ($aof)" >&2; exit 1; }
    stop_redis "$work/restore-$aof"
    echo "load-$aof $started" >> "$work/rows"
    rm -rf "$work/restore-$aof"
  done
done

# --- run: RSS at rest and after a backup -------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$sidecar" run --redis "unix:$work/redis/redis.sock" --store "$work/store" \
  --policy "$golden/rdb-only.policy.json" --listen "127.0.0.1:$port" > "$work/run.log" &
run_pid=$!; pids+=("$run_pid")
sleep 5
rest_rss=$(awk '/VmRSS/{print $2}' "/proc/$run_pid/status")
rest_hwm=$(awk '/VmHWM/{print $2}' "/proc/$run_pid/status")
curl -s -X POST "http://127.0.0.1:$port/v1/backups" >/dev/null
until curl -s "http://127.0.0.1:$port/v1/status" | grep -q '"lastResult":"'; do sleep 0.5; done
busy_hwm=$(awk '/VmHWM/{print $2}' "/proc/$run_pid/status")
run_result=$(curl -s "http://127.0.0.1:$port/v1/status" | sed -n 's/.*"lastResult":"\([a-z]*\)".*/\1/p')
kill -TERM "$run_pid"; wait "$run_pid" || true
stop_redis "$work/redis"

# --- redis-benchmark with and without `run` ----------------------------------------------------
mkdir -p "$work/rb" "$work/rb-store"
sed -n '/^[a-z]/p' "$golden/hybrid.conf" | grep -v '^save ' > "$work/rb.conf"
# Redis starts with the policy's settings, so `run` only checks them (no CONFIG SET changes).
start_redis "$work/rb" $(awk '{printf "--%s %s ", $1, $2}' "$work/rb.conf")
bench() {
  redis-benchmark -s "$work/rb/redis.sock" -n 200000 -c 50 -d 64 -t set,get --csv 2>/dev/null |
    awk -F'"' '/^"SET"/{s=$4} /^"GET"/{g=$4} END{print s, g}'
}
: > "$work/rb.rows"
for round in $(seq "$runs"); do
  echo "round $round/$runs: redis-benchmark without and with run" >&2
  echo "without $(bench)" >> "$work/rb.rows"
  "$sidecar" run --redis "unix:$work/rb/redis.sock" --store "$work/rb-store" \
    --policy "$golden/hybrid.policy.json" --redis-conf "$work/rb.conf" \
    --listen "127.0.0.1:$port" > "$work/rb-run.log" &
  rb_pid=$!; pids+=("$rb_pid")
  sleep 2
  echo "with $(bench)" >> "$work/rb.rows"
  kill -TERM "$rb_pid"; wait "$rb_pid" || true
done
grep -q '"level":"error"' "$work/rb-run.log" && { echo "run logged an error:" >&2; grep error "$work/rb-run.log" >&2; }

col() { awk -v n="$1" -v f="$2" '$1==n{print $f}' "$work/rows" | median; }
rbcol() { awk -v n="$1" -v f="$2" '$1==n{print $f}' "$work/rb.rows" | median; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f%%", 100 * a / b}'; }
mbps() { awk -v s="$1" -v m="$mb" 'BEGIN{printf "%.0f", m / s}'; }
kb2mb() { awk -v k="$1" 'BEGIN{printf "%.1f", k / 1024}'; }
sha=$(col sha 2); cp_v=$(col backup 2); cp_n=$(col backup-noverify 2)
r_no=$(col restore-no 2); r_yes=$(col restore-yes 2); l_no=$(col load-no 2); l_yes=$(col load-yes 2)
cat <<TABLE

Dataset: $mb MB RDB, $(bench_context) at the end; median of $runs rounds.

| what | wall s | CPU s (user+sys) | MB/s | peak RSS MB | target |
|---|---|---|---|---|---|
| cat dump.rdb \| sha256sum | $sha | $(col sha 3) | $(mbps "$sha") | | |
| backup: copy phase (verify + SHA-256 + durable write + read-back CRC) | $cp_v | $(col backup 3) | $(mbps "$cp_v") | $(kb2mb "$(col backup 4)") | $(pct "$sha" "$cp_v") of cat\|sha256sum's speed (>= 80%) |
| backup: copy phase, verifyAfterCopy false | $cp_n | $(col backup-noverify 3) | $(mbps "$cp_n") | $(kb2mb "$(col backup-noverify 4)") | $(pct "$sha" "$cp_n") |
| backup: whole command (BGSAVE included) | $(col backup 5) | | | | |
| redis-server loads dump.rdb (start to PONG) | $l_no | | | | |
| restore -> dump.rdb (AOF off) | $r_no | $(col restore-no 3) | $(mbps "$r_no") | $(kb2mb "$(col restore-no 4)") | +$(pct "$r_no" "$l_no") of the load (<= 25%) |
| redis-server loads the installed base (AOF on) | $l_yes | | | | |
| restore -> appendonlydir (AOF on) | $r_yes | $(col restore-yes 3) | $(mbps "$r_yes") | $(kb2mb "$(col restore-yes 4)") | +$(pct "$r_yes" "$l_yes") of the load (<= 25%) |

| tidemark-sidecar run | RSS MB | target |
|---|---|---|
| at rest (5 s after start): VmRSS / VmHWM | $(kb2mb "$rest_rss") / $(kb2mb "$rest_hwm") | <= 16 |
| after a backup over HTTP ($run_result): VmHWM | $(kb2mb "$busy_hwm") | <= 16 |

| redis-benchmark -n 200000 -c 50 -d 64, AOF on (everysec) | SET rps | GET rps |
|---|---|---|
| without the sidecar | $(rbcol without 2) | $(rbcol without 3) |
| with \`tidemark-sidecar run\` (hybrid policy) | $(rbcol with 2) | $(rbcol with 3) |
| ratio (target >= 98%) | $(pct "$(rbcol with 2)" "$(rbcol without 2)") | $(pct "$(rbcol with 3)" "$(rbcol without 3)") |
TABLE
echo
echo "raw rows:"; cat "$work/rows" "$work/rb.rows"
