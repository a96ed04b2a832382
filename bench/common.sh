# Sourced by the bench scripts: their shared arguments and small helpers.
# Usage in a script: source "$(dirname "$0")/common.sh"; bench_init DEFAULT_RUNS "$@"
# Arguments every bench takes: [BUILD_DIR] [DATASET_DIR] [RUNS]; the dataset is made if missing.

bench_init() {
  local default_runs=$1; shift
  build=${1:-build}
  data=${2:-${TIDEMARK_BENCH_DATA:-/var/tmp/tidemark-bench}}
  runs=${3:-$default_runs}
  bin="$(cd "$build" && pwd)/bin"
  here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
  bash "$here/make_dataset.sh" "$data"
}

# The median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# One line describing where the figures come from, for the report's header.
bench_context() {
  printf '%s keys, Redis %s; %s cores, load average %s' \
    "$(sed -n 's/.*keys=\([0-9]*\).*/\1/p' "$data/keyspace.txt")" \
    "$(redis-server --version | awk '{print $3}' | cut -d= -f2)" \
    "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

now() { date +%s.%N; }
# timed OUT CMD...: GNU time "wall user sys maxrss_kb" into OUT.
timed() { local out=$1; shift; /usr/bin/time -f '%e %U %S %M' -o "$out" "$@"; }

# start_redis DIR [ARGS...]: starts redis-server in DIR (socket DIR/redis.sock); sets $started
# to the seconds from start until it answered PING (its load time included). Adds its pid to the
# caller's pids array (for the caller's cleanup).
start_redis() {
  local dir=$1; shift
  local t0; t0=$(now)
  redis-server --port 0 --unixsocket "$dir/redis.sock" --dir "$dir" --daemonize no --save "" \
    --enable-debug-command yes --logfile "$dir/redis.log" "$@" </dev/null >/dev/null 2>&1 &
  pids+=($!)
  until [[ $(redis-cli -s "$dir/redis.sock" ping 2>/dev/null) == PONG ]]; do sleep 0.01; done
  started=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f", b - a}')
}
stop_redis() { redis-cli -s "$1/redis.sock" shutdown nosave >/dev/null 2>&1 || true; sleep 0.2; }
