#!/usr/bin/env bash
# The main job, for now: a real local Redis writes its persistence files (an RDB snapshot and a
# Redis 7 AOF directory with an RDB preamble), and `tidemark verify` checks them; then one byte
# of the snapshot is damaged and the verifier says exactly where. Leaves nothing running.
set -euo pipefail
build=${1:-build}
tidemark="$build/bin/tidemark"
[[ -x $tidemark ]] || { echo "demo: $tidemark not built (run: make build)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tidemark-demo-XXXXXX")
sock="$work/redis.sock"
pid=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    redis-cli -s "$sock" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting redis-server ($(redis-server --version | awk '{print $3}')) in $work with AOF (RDB preamble) and RDB"
redis-server --port 0 --unixsocket "$sock" --dir "$work" --daemonize no --save "" --enable-debug-command yes \
  --appendonly yes --aof-use-rdb-preamble yes --aof-timestamp-enabled yes \
  --logfile "$work/redis.log" &
pid=$!
for _ in $(seq 100); do redis-cli -s "$sock" ping >/dev/null 2>&1 && break; sleep 0.05; done
cli() { redis-cli -s "$sock" "$@"; }

step "Writing a dataset: 50,000 generated keys plus lists, sets, sorted sets, hashes, a stream"
cli debug populate 50000 user 64 >/dev/null
cli rpush queue $(seq 1 2000) >/dev/null
cli sadd tags red green blue >/dev/null
cli zadd board 1 alice 2 bob 3 carol >/dev/null
cli hset profile name ada lang c++ >/dev/null
for i in $(seq 1 50); do cli xadd events '*' n "$i" >/dev/null; done
cli bgrewriteaof >/dev/null
while cli info persistence | grep -q 'aof_rewrite_in_progress:1\|aof_rewrite_scheduled:1'; do sleep 0.1; done
cli set after-rewrite yes >/dev/null
cli multi >/dev/null; cli incr counter >/dev/null; cli exec >/dev/null 2>&1 || true
cli bgsave >/dev/null
while cli info persistence | grep -q 'rdb_bgsave_in_progress:1'; do sleep 0.1; done
echo "dbsize: $(cli dbsize)   digest: $(cli debug digest)"

step "tidemark verify rdb $work/dump.rdb"
"$tidemark" verify rdb "$work/dump.rdb"

step "tidemark verify aof $work/appendonlydir"
"$tidemark" verify aof "$work/appendonlydir" || echo "(verify aof exited $?)"

step "Damaging one byte in the middle of a copy of the snapshot"
cp "$work/dump.rdb" "$work/damaged.rdb"
size=$(stat -c %s "$work/damaged.rdb")
printf '\x00' | dd of="$work/damaged.rdb" bs=1 seek=$((size / 2)) conv=notrunc status=none
set +e
"$tidemark" verify rdb "$work/damaged.rdb"
rc=$?
set -e
echo "exit code: $rc (1 = invalid)"
[[ $rc -eq 1 ]] || { echo "demo: the damaged file was not reported invalid" >&2; exit 1; }
redis-check-rdb "$work/damaged.rdb" 2>&1 | grep -E 'RDB ERROR|looks OK' | head -2 | sed 's/^/redis-check-rdb says: /'

step "Done: nothing left running; $work removed"
