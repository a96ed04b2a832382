#!/usr/bin/env bash
# Benchmark: how much of Redis's time `tidemark-sidecar run` takes while redis-benchmark loads
# that Redis (issue #4: throughput with the sidecar >= 98% of without). A throughput A/B cannot
# resolve 2% on a shared machine (rounds vary by +-50%), so this measures the cause instead, in
# the same run: Redis's own per-command time (INFO commandstats) for the sidecar's commands
# against the benchmark's, Redis's CPU (INFO cpu) during the benchmark, and the sidecar's CPU
# (/proc/PID/stat). Redis serves commands on one thread: the sidecar's share of that thread
# bounds the throughput it can take away. Also prints the plain with/without A/B for reference.
# Not a test. Usage: bench/redis_share_bench.sh [BUILD_DIR] [ROUNDS] [REQUESTS]
set -euo pipefail
build=${1:-build}; rounds=${2:-3}; requests=${3:-500000}
bin="$(cd "$build" && pwd)/bin"
golden=${TIDEMARK_GOLDEN:-"$(cd "$(dirname "$0")/.." && pwd)/tests/core/policy/golden"}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/tidemark-share-bench.XXXXXX")
sidecar_pid=
cleanup() {
  redis-cli -s "$work/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  [[ -n $sidecar_pid ]] && { kill "$sidecar_pid" 2>/dev/null; wait "$sidecar_pid" 2>/dev/null; }
  rm -rf "$work"
}
trap cleanup EXIT
cli() { redis-cli -s "$work/redis.sock" "$@" | tr -d '\r'; }
now() { date +%s.%N; }

# The hybrid policy's redis.conf (AOF on, everysec), save points off so no BGSAVE lands in a round.
sed -n '/^[a-z]/p' "$golden/hybrid.conf" | grep -v '^save ' > "$work/redis.conf"
mkdir -p "$work/store"
redis-server --port 0 --unixsocket "$work/redis.sock" --dir "$work" --daemonize no --save "" \
  --logfile "$work/redis.log" $(awk '{printf "--%s %s ", $1, $2}' "$work/redis.conf") </dev/null >/dev/null 2>&1 &
until [[ $(cli ping 2>/dev/null) == PONG ]]; do sleep 0.05; done

redis_cpu() { cli info cpu | awk -F: '/^used_cpu_(user|sys):/{s+=$2} END{printf "%.3f", s}'; }
proc_cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
bench() {
  redis-benchmark -s "$work/redis.sock" -n "$requests" -c 50 -d 64 -t set,get --csv 2>/dev/null |
    awk -F'"' '/^"SET"/{s=$4} /^"GET"/{g=$4} END{printf "%.0f %.0f", s, g}'
}

printf '| round | without: SET / GET rps | with: SET / GET rps | Redis CPU s during the run (with) | sidecar commands: calls, ms | benchmark commands ms | sidecar commands as a share of command time / of Redis CPU | sidecar CPU s |\n|---|---|---|---|---|---|---|---|\n'
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for round in $(seq "$rounds"); do
  without=$(bench)
  "$bin/tidemark-sidecar" run --redis "unix:$work/redis.sock" --store "$work/store" \
    --policy "$golden/hybrid.policy.json" --redis-conf "$work/redis.conf" \
    --listen "127.0.0.1:$port" > "$work/run.log" 2>&1 &
  sidecar_pid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.2; done
  cli config resetstat >/dev/null
  cpu0=$(redis_cpu); scpu0=$(proc_cpu "$sidecar_pid")
  with=$(bench)
  cpu1=$(redis_cpu); scpu1=$(proc_cpu "$sidecar_pid")
  cli info commandstats | awk -F'[:,=]' '/^cmdstat_/{
      if ($1 == "cmdstat_set" || $1 == "cmdstat_get") b += $5
      else if ($1 != "cmdstat_config|resetstat") { s += $5; n += $3 }
    } END { printf "%d %.1f %.0f\n", n, s / 1000, b / 1000 }' > "$work/cs"
  read -r calls sms bms < "$work/cs"
  kill -TERM "$sidecar_pid"; wait "$sidecar_pid" || true; sidecar_pid=
  grep -q '"level":"error"' "$work/run.log" && { echo "the sidecar logged an error:" >&2; grep '"level":"error"' "$work/run.log" >&2; exit 1; }
  printf '| %s | %s | %s | %.2f | %s, %s | %s | %s | %.2f |\n' "$round" "${without/ / \/ }" "${with/ / \/ }" \
    "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN{print b - a}')" "$calls" "$sms" "$bms" \
    "$(awk -v s="$sms" -v b="$bms" -v c0="$cpu0" -v c1="$cpu1" 'BEGIN{printf "%.3f%% / %.4f%%", 100 * s / (s + b), 100 * s / 1000 / (c1 - c0)}')" \
    "$(awk -v a="$scpu0" -v b="$scpu1" 'BEGIN{print b - a}')"
done
echo
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2); $requests requests per command per run, 50 clients, 64-byte values, AOF on (everysec)."
