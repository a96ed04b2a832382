#!/usr/bin/env bash
# The main job: a local Redis (AOF on, the example policy examples/hybrid.yaml) gets a dataset;
# `tidemark-sidecar backup` takes a verified backup; the data directory is wiped (a pod
# rescheduled onto an empty volume); `tidemark-sidecar restore` puts the data back the way Redis 7
# loads it with AOF on; Redis restarts and DEBUG DIGEST shows the same dataset. Under a minute;
# leaves nothing running; keeps the backup store to look at.
set -euo pipefail
build=${1:-build}
tidemark="$build/bin/tidemark"
sidecar="$build/bin/tidemark-sidecar"
for b in "$tidemark" "$sidecar"; do
  [[ -x $b ]] || { echo "demo: $b not built (run: make build)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tidemark-demo-XXXXXX")
data="$work/data"
store="$work/backups"
sock="$work/redis.sock"
mkdir -p "$data" "$store"
pid=
sidecar_pid=
stop_sidecar() {
  if [[ -n $sidecar_pid ]] && kill -0 "$sidecar_pid" 2>/dev/null; then
    kill -TERM "$sidecar_pid" 2>/dev/null || true
    wait "$sidecar_pid" 2>/dev/null || true
  fi
  sidecar_pid=
}
stop_redis() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    redis-cli -s "$sock" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  pid=
}
ok=
cleanup() {
  stop_sidecar
  stop_redis
  [[ -n $ok ]] || rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cli() { redis-cli -s "$sock" "$@"; }
start_redis() {
  redis-server "$work/redis.conf" &
  pid=$!
  for _ in $(seq 200); do
    cli ping >/dev/null 2>&1 && ! cli info persistence | grep -q '^loading:1' && return 0
    sleep 0.05
  done
  echo "demo: redis-server did not start; see $work/redis.log" >&2
  exit 1
}

step "Rendering the example policy examples/hybrid.yaml (AOF with RDB preamble + snapshots)"
"$tidemark" render -f examples/hybrid.yaml >"$work/persistence.conf"
"$tidemark" render -f examples/hybrid.yaml --policy >"$work/policy.json"
grep -E '^(appendonly|aof-use-rdb-preamble|save) ' "$work/persistence.conf"
cat >"$work/redis.conf" <<CONF
port 0
unixsocket $sock
dir $data
daemonize no
enable-debug-command yes
logfile $work/redis.log
include $work/persistence.conf
CONF

step "Starting redis-server ($(redis-server --version | awk '{print $3}')) on $sock, data in $data"
start_redis

step "Writing a dataset: 50,000 generated keys plus a list, set, sorted set, hash, stream"
cli debug populate 50000 user 64 >/dev/null
cli rpush queue $(seq 1 2000) >/dev/null
cli sadd tags red green blue >/dev/null
cli zadd board 1 alice 2 bob 3 carol >/dev/null
cli hset profile name ada lang c++ >/dev/null
for i in $(seq 1 50); do cli xadd events '*' n "$i" >/dev/null; done
before=$(cli debug digest)
echo "dbsize: $(cli dbsize)   digest: $before"

step "tidemark-sidecar backup (BGSAVE, then one pass: copy + SHA-256 + full RDB verification)"
"$sidecar" backup --redis "unix:$sock" --store "$store" --policy "$work/policy.json"

step "Stopping Redis and wiping its data directory (the pod is rescheduled onto an empty volume)"
stop_redis
rm -rf "${data:?}"/*
echo "$data: $(ls -A "$data" | wc -l) files"

step "tidemark-sidecar restore (the init container, before Redis starts)"
"$sidecar" restore --data-dir "$data" --store "$store" --policy "$work/policy.json"
ls -l "$data/appendonlydir" | tail -n +2

step "Starting Redis again on the restored volume"
start_redis
after=$(cli debug digest)
echo "dbsize: $(cli dbsize)   digest: $after"

step "tidemark-sidecar run next to it for a moment: live policy, HTTP status and metrics"
# A free loopback port: nothing answers there yet.
for _ in $(seq 50); do
  port=$((20000 + RANDOM % 40000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
done
http_get() {  # path -> body; plain bash, no HTTP client needed
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$1" >&3
  timeout 5 cat <&3 | sed '1,/^\r$/d'
  exec 3<&-
}
"$sidecar" run --redis "unix:$sock" --store "$store" --policy "$work/policy.json" \
  --redis-conf "$work/persistence.conf" --data-dir "$data" --listen "127.0.0.1:$port" \
  >"$work/sidecar-run.log" 2>&1 &
sidecar_pid=$!
for _ in $(seq 100); do [[ $(http_get /readyz 2>/dev/null) == ready ]] && break; sleep 0.1; done
sleep 1.2  # one more tick: the AOF watch has read INFO persistence
echo "GET /v1/status:"
http_get /v1/status
echo "GET /metrics (samples):"
http_get /metrics | grep -E '^tidemark_(backups_stored|redis_up|aof_current_size_bytes|policy_drift) '
stop_sidecar
stop_redis

step "Result"
echo "digest before backup:  $before"
echo "digest after restore:  $after"
if [[ $before != "$after" ]]; then
  echo "demo: the restored dataset differs" >&2
  exit 1
fi
echo "equal: the restored Redis holds exactly the dataset that was backed up"
name=$(basename "$(ls "$store"/*.json | head -1)" .json)
echo "backup data:      $store/$name.rdb"
echo "backup metadata:  $store/$name.json"
cat "$store/$name.json"
echo "metrics:          http://127.0.0.1:$port/metrics while \`tidemark-sidecar run\` ran (its log: $work/sidecar-run.log)"
ok=1
echo "Nothing left running. Demo files kept in $work (rm -rf it when done)."
