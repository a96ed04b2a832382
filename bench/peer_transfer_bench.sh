#!/usr/bin/env bash
# Benchmark of the replica-to-primary transfer (issue #11: "at no less than 0.8x the speed of a
# plain `redis-cli --rdb` download of the same data from the same replica, measured side by
# side") on the ~1 GB dataset (bench/make_dataset.sh). Not a test: prints a table for
# docs/benchmarks.md.
#
# A primary loads the dataset; a replica full-syncs from it over loopback (both real
# redis-server). The replica's `tidemark-sidecar run` serves /v1/snapshot on its main port
# (cpprestsdk) and on its peer port (--peer-listen, plain and, in a second sidecar, TLS). Each
# round, alternating, all from the same replica:
#   redis-cli --rdb      the reference: the replica forks and streams an RDB, redis-cli writes it
#   curl main / peer     GET /v1/snapshot into a file: the sender's whole path (an rdb-only
#                        SYNC on the replica, forwarded with SHA-256 while Redis's child writes)
#   restore plain / tls  what pod 0 runs: `restore --peers` into an empty data dir (the sender's
#                        path, plus verification, digest and a durable install on the receiving
#                        side, while the bytes arrive), timed whole
# Then, with the replica's link cut (pod 0's real case: Redis refuses SYNC, the sidecar runs a
# BGSAVE and forwards its child's file while it is written), curl on the peer port and restore
# plain, same rounds.
# Wall time, CPU (client: GNU time; server: the replica's Redis, its fork children and the
# sidecar, from INFO cpu and /proc) and peak RSS. The machine may be shared: CPU seconds are the
# steadier figure. Usage: bench/peer_transfer_bench.sh [BUILD_DIR] [DATASET_DIR] [RUNS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_init 3 "$@"
sidecar="$bin/tidemark-sidecar"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/tidemark-peer-bench.XXXXXX")
pids=()
cleanup() {
  for s in "$work"/*/redis.sock; do [[ -S $s ]] && redis-cli -s "$s" shutdown nosave >/dev/null 2>&1 || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
timed() { local out=$1; shift; /usr/bin/time -f '%e %U %S %M' -o "$out" "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
info() { redis-cli -s "$1/redis.sock" info "$2" | tr -d '\r' | sed -n "s/^$3:\(.*\)/\1/p"; }
# CPU seconds of a Redis, its fork children included, and of a process by pid.
redis_cpu() {
  redis-cli -s "$1/redis.sock" info cpu | tr -d '\r' |
    awk -F: '/^used_cpu_(user|sys)(_children)?:/{t += $2} END{printf "%.2f", t}'
}
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }

rdb="$data/dump.rdb"
pport=$(free_port); rport=$(free_port)
mkdir -p "$work/primary" "$work/replica" "$work/store"
ln "$rdb" "$work/primary/dump.rdb" 2>/dev/null || cp "$rdb" "$work/primary/dump.rdb"
start() {
  local dir=$1 port=$2; shift 2
  redis-server --port "$port" --bind 127.0.0.1 --unixsocket "$dir/redis.sock" --dir "$dir" \
    --daemonize no --save "" --appendonly no --enable-debug-command yes \
    --logfile "$dir/redis.log" "$@" </dev/null >/dev/null 2>&1 &
  pids+=($!)
  until [[ $(redis-cli -s "$dir/redis.sock" ping 2>/dev/null) == PONG ]]; do sleep 0.1; done
}
echo "loading the dataset into the primary, then a full sync to the replica..." >&2
start "$work/primary" "$pport"
# No diskless delay for redis-cli's sync: the reference at its fastest.
start "$work/replica" "$rport" --replicaof 127.0.0.1 "$pport" --repl-diskless-sync-delay 0
until [[ $(info "$work/replica" replication master_link_status) == up &&
         $(info "$work/replica" persistence loading) == 0 ]]; do sleep 0.5; done
digest=$(redis-cli -s "$work/replica/redis.sock" debug digest)
[[ $digest == "$(cat "$data/digest.txt")" ]] || { echo "the replica's digest differs" >&2; exit 1; }

# Certificates for the TLS peer port (a CA, a server certificate for 127.0.0.1).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/ca.key" \
  -out "$work/ca.pem" -days 2 -subj /CN=bench-ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/server.key" \
  -out "$work/server.csr" -subj /CN=replica 2>/dev/null
echo "subjectAltName=IP:127.0.0.1" > "$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 2 -out "$work/server.pem" -extfile "$work/server.ext" 2>/dev/null
token="default/bench:0123456789abcdef0123456789abcdef"
echo "$token" > "$work/token"

main=$(free_port); peer=$(free_port); tls=$(free_port); tls_main=$(free_port)
"$sidecar" run --redis "unix:$work/replica/redis.sock" --store "$work/store" \
  --listen "127.0.0.1:$main" --peer-token-file "$work/token" > "$work/run-main.log" &
run_main=$!; pids+=("$run_main")
"$sidecar" run --redis "unix:$work/replica/redis.sock" --store "$work/store" \
  --listen "127.0.0.1:$(free_port)" --peer-listen "127.0.0.1:$peer" \
  --peer-token-file "$work/token" > "$work/run-peer.log" &
run_peer=$!; pids+=("$run_peer")
"$sidecar" run --redis "unix:$work/replica/redis.sock" --store "$work/store" \
  --listen "127.0.0.1:$tls_main" --peer-listen "127.0.0.1:$tls" --peer-token-file "$work/token" \
  --peer-tls-cert "$work/server.pem" --peer-tls-key "$work/server.key" > "$work/run-tls.log" &
run_tls=$!; pids+=("$run_tls")
for log in run-main run-peer run-tls; do
  until grep -q '"HTTP endpoint listening"' "$work/$log.log"; do sleep 0.2; done
done
until grep -q '"peer port listening"' "$work/run-tls.log" && grep -q '"peer port listening"' "$work/run-peer.log"; do sleep 0.2; done

# one NAME PID_OF_SIDECAR CMD...: wall, client CPU, client RSS, server CPU (Redis + its children +
# the sidecar, deltas), into rows.
one() {
  local name=$1 spid=$2; shift 2
  local r0 s0=0 r1 s1=0
  r0=$(redis_cpu "$work/replica"); [[ $spid != - ]] && s0=$(proc_cpu "$spid")
  timed "$work/t" "$@"
  # A fork child's CPU counts in INFO cpu once Redis has reaped it.
  until [[ $(info "$work/replica" persistence rdb_bgsave_in_progress) == 0 ]]; do sleep 0.2; done
  sleep 1.5
  r1=$(redis_cpu "$work/replica"); [[ $spid != - ]] && s1=$(proc_cpu "$spid")
  read -r w u s m < "$work/t"
  echo "$name $w $(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}') $m \
$(awk -v a="$r0" -v b="$r1" -v c="$s0" -v d="$s1" 'BEGIN{printf "%.2f", (b - a) + (d - c)}')" >> "$work/rows"
}
auth=(-H "Authorization: Bearer $token")
: > "$work/rows"
for round in $(seq "$runs"); do
  echo "round $round/$runs: redis-cli --rdb, curl main/peer, restore plain/tls" >&2
  rm -f "$work/cli.rdb"
  one cli - redis-cli -h 127.0.0.1 -p "$rport" --rdb "$work/cli.rdb" > /dev/null
  # What goes over the wire is the replica's own save (LZF-compressed), not the dataset's file.
  mb=$(du -m "$work/cli.rdb" | cut -f1)
  rm -f "$work/cli.rdb"
  one curl-main "$run_main" curl -sf "${auth[@]}" -o "$work/snap" "http://127.0.0.1:$main/v1/snapshot"
  rm -f "$work/snap"
  one curl-peer "$run_peer" curl -sf "${auth[@]}" -o "$work/snap" "http://127.0.0.1:$peer/v1/snapshot"
  rm -f "$work/snap"
  for variant in plain tls; do
    rm -rf "$work/pod0"; mkdir -p "$work/pod0"
    if [[ $variant == plain ]]; then
      one restore-plain "$run_peer" "$sidecar" restore --data-dir "$work/pod0" --peers \
        "http://127.0.0.1:$peer" --peer-token-file "$work/token" > "$work/restore.log"
    else
      one restore-tls "$run_tls" "$sidecar" restore --data-dir "$work/pod0" --peers \
        "https://127.0.0.1:$tls" --peer-token-file "$work/token" --peer-tls-ca "$work/ca.pem" \
        > "$work/restore.log"
    fi
    grep -q '"action":"installed-replica-snapshot"' "$work/restore.log" ||
      { echo "restore ($variant) did not install the replica's snapshot:" >&2; cat "$work/restore.log" >&2; exit 1; }
  done
done
# With the replica's link up the sidecar streams an rdb-only SYNC; pod 0's real case is a replica
# whose primary is gone (link down: Redis refuses SYNC, the sidecar follows a BGSAVE instead).
# The link is cut by pointing the replica at a closed port (it keeps its data and retries).
grep -q '"source":"sync-diskless"' "$work/run-peer.log" ||
  { echo "the peer sidecar did not stream an rdb-only SYNC:" >&2; cat "$work/run-peer.log" >&2; exit 1; }
redis-cli -s "$work/replica/redis.sock" replicaof 127.0.0.1 1 > /dev/null
until [[ $(info "$work/replica" replication master_link_status) == down ]]; do sleep 0.2; done
for round in $(seq "$runs"); do
  echo "link-down round $round/$runs: curl peer, restore plain" >&2
  one curl-peer-down "$run_peer" curl -sf "${auth[@]}" -o "$work/snap" "http://127.0.0.1:$peer/v1/snapshot"
  rm -f "$work/snap"
  rm -rf "$work/pod0"; mkdir -p "$work/pod0"
  one restore-down "$run_peer" "$sidecar" restore --data-dir "$work/pod0" --peers \
    "http://127.0.0.1:$peer" --peer-token-file "$work/token" > "$work/restore.log"
  grep -q '"action":"installed-replica-snapshot"' "$work/restore.log" ||
    { echo "restore (link down) did not install the replica's snapshot:" >&2; cat "$work/restore.log" >&2; exit 1; }
done
grep -q '"source":"bgsave' "$work/run-peer.log" ||
  { echo "the link-down rounds did not use a BGSAVE:" >&2; exit 1; }
# "bgsave-streamed": the child's file forwarded while it was written; "bgsave": waited for first.
echo "link-down sources: $(grep -o '"source":"bgsave[a-z-]*"' "$work/run-peer.log" | sort | uniq -c | tr -s ' \n' ' ')" >&2
hwm() { awk '/VmHWM/{printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
hwm_main=$(hwm "$run_main"); hwm_peer=$(hwm "$run_peer"); hwm_tls=$(hwm "$run_tls")
# The last restore's data: pod 0's Redis loads it and holds the replica's dataset.
mkdir -p "$work/check"; mv "$work/pod0/dump.rdb" "$work/check/"
start "$work/check" 0
[[ $(redis-cli -s "$work/check/redis.sock" debug digest) == "$digest" ]] ||
  { echo "the restored data's digest differs" >&2; exit 1; }

col() { awk -v n="$1" -v f="$2" '$1==n{print $f}' "$work/rows" | median; }
mbps() { awk -v s="$1" -v m="$mb" 'BEGIN{printf "%.0f", m / s}'; }
kb2mb() { awk -v k="$1" 'BEGIN{printf "%.1f", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a / b}'; }
cli=$(col cli 2); cli_cpu=$(awk -v a="$(col cli 3)" -v b="$(col cli 5)" 'BEGIN{print a + b}')
row() {
  local name=$1 label=$2 sc=$3 w c
  w=$(col "$name" 2); c=$(awk -v a="$(col "$name" 3)" -v b="$(col "$name" 5)" 'BEGIN{print a + b}')
  echo "| $label | $w | $(mbps "$w") | $(col "$name" 3) | $(col "$name" 5) | $(kb2mb "$(col "$name" 4)") | $sc | $(ratio "$cli" "$w") | $(ratio "$cli_cpu" "$c") |"
}
cat <<TABLE

Dataset: $(du -m "$rdb" | cut -f1) MB dump.rdb, sent as the replica's own $mb MB save; $(bench_context) at the end; median of $runs rounds, alternating.

| what (all from the same replica) | wall s | MB/s | client CPU s | server CPU s | client peak RSS MB | sidecar VmHWM MB | speed vs redis-cli (wall, target >= 0.8x) | vs redis-cli (total CPU) |
|---|---|---|---|---|---|---|---|---|
| redis-cli --rdb (reference) | $cli | $(mbps "$cli") | $(col cli 3) | $(col cli 5) | $(kb2mb "$(col cli 4)") | | 1.00x | 1.00x |
$(row curl-main "curl GET /v1/snapshot, main port (cpprestsdk)" "$hwm_main")
$(row curl-peer "curl GET /v1/snapshot, peer port (--peer-listen)" "$hwm_peer")
$(row restore-plain "restore --peers http:// (peer port), whole command" "$hwm_peer")
$(row restore-tls "restore --peers https:// (TLS peer port), whole command" "$hwm_tls")
$(row curl-peer-down "link down (BGSAVE): curl GET /v1/snapshot, peer port" "$hwm_peer")
$(row restore-down "link down (BGSAVE): restore --peers http://, whole command" "$hwm_peer")
TABLE
echo
echo "raw rows (name wall client_cpu client_rss_kb server_cpu):"; cat "$work/rows"
