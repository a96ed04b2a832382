#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for N seconds (default 15:
# a smoke run for CI; `make fuzz` runs longer). Seeds are written by a real redis-server.
set -euo pipefail
seconds=${1:-15}
cd "$(dirname "$0")/.."
build=build-fuzz

# libstdc++ 12 gates std::expected on __cpp_concepts >= 202002, which clang 16 implements (P0848) but
# does not advertise; the override is confined to this build.
CC=clang-16 CXX=clang++-16 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTIDEMARK_FUZZ=ON -DTIDEMARK_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-Wno-macro-redefined -D__cpp_concepts=202002L" >/dev/null
targets=$(sed -n 's/^tidemark_fuzzer(\([a-z_]*\) .*/\1/p' fuzz/CMakeLists.txt)
cmake --build "$build" -j2 --target $targets

seeds="$build/seeds"
if [[ ! -d $seeds/rdb_fuzz ]]; then
  mkdir -p "$seeds/rdb_fuzz"
  dir=$(mktemp -d)
  redis-server --port 0 --unixsocket "$dir/s" --dir "$dir" --daemonize no --save "" --appendonly no \
    --enable-debug-command yes --logfile "$dir/log" &
  pid=$!
  for _ in $(seq 100); do redis-cli -s "$dir/s" ping >/dev/null 2>&1 && break; sleep 0.05; done
  c() { redis-cli -s "$dir/s" "$@" >/dev/null; }
  c set s hello; c set n 42; c rpush l a b 1 2; c sadd is 1 2 3; c sadd ss x y; c zadd z 1 a 2 b
  c hset h f v g 7; c xadd st 1-1 f v; c xgroup create st g 0; c xreadgroup group g c streams st '>'
  c pexpireat s 4102444800000; c save; cp "$dir/dump.rdb" "$seeds/rdb_fuzz/types.rdb"
  c config set rdbcompression no; c set big "$(head -c 300 /dev/zero | tr '\0' a)"; c save
  cp "$dir/dump.rdb" "$seeds/rdb_fuzz/nocompress.rdb"
  c shutdown nosave || true
  wait $pid 2>/dev/null || true
  rm -rf "$dir"
fi

if [[ ! -d $seeds/aof_fuzz ]]; then
  # AOF seeds: a RESP base with #TS annotations and an incr file with MULTI/EXEC; the manifest.
  mkdir -p "$seeds/aof_fuzz" "$seeds/manifest_fuzz"
  dir=$(mktemp -d)
  redis-server --port 0 --unixsocket "$dir/s" --dir "$dir" --daemonize no --save "" --appendonly yes \
    --aof-use-rdb-preamble no --aof-timestamp-enabled yes --logfile "$dir/log" &
  pid=$!
  for _ in $(seq 100); do redis-cli -s "$dir/s" ping >/dev/null 2>&1 && break; sleep 0.05; done
  c() { redis-cli -s "$dir/s" "$@" >/dev/null; }
  c set s hello; c rpush l a b; c hset h f v; c zadd z 1 a; c select 2; c set x 1; c bgrewriteaof
  sleep 1.1
  printf 'MULTI\nSET t 1\nINCR n\nEXEC\nSADD st 1 2\n' | redis-cli -s "$dir/s" >/dev/null
  c shutdown nosave || true
  wait $pid 2>/dev/null || true
  for f in "$dir"/appendonlydir/*.aof; do cp "$f" "$seeds/aof_fuzz/"; done
  cp "$dir"/appendonlydir/*.manifest "$seeds/manifest_fuzz/"
  printf 'file "a b\\x01" seq 1 type b\nfile i seq 2 type i\n# comment\nfile h seq 1 type h\n' \
    >"$seeds/manifest_fuzz/quoted.manifest"
  rm -rf "$dir"
fi

failed=""
if [[ ! -d $seeds/policy_fuzz ]]; then
  # Policy seeds: the shipped examples, valid and invalid.
  mkdir -p "$seeds/policy_fuzz"
  for f in examples/*.yaml examples/invalid/*.yaml; do cp "$f" "$seeds/policy_fuzz/$(basename "$(dirname "$f")")-$(basename "$f")"; done
fi

for t in $targets; do
  mkdir -p "$seeds/$t" "$build/corpus/$t"
  echo "fuzz: $t for ${seconds}s"
  # Crash inputs go to $build/artifacts, not the source tree.
  mkdir -p "$build/artifacts"
  status=0
  "$build/bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" "$build/corpus/$t" "$seeds/$t" >"$build/$t.log" 2>&1 ||
    status=$?
  grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done|artifact' "$build/$t.log" || true
  # libFuzzer exits non-zero on a crash; the other targets still run.
  [[ $status -eq 0 ]] || { echo "fuzz: $t found a crash (see $build/$t.log)" >&2; failed+=" $t"; }
done
[[ -z $failed ]] || { echo "fuzz: crashes in:$failed" >&2; exit 1; }
