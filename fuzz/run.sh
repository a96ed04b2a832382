#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for N seconds (default 15:
# a smoke run for CI; `make fuzz` runs longer). `--build-only` builds them and stops.
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
[[ $seconds == --build-only ]] && exit 0

# Seeds: the corpora kept in fuzz/corpus/<target>/ (fuzz/make_seeds.sh writes them with a real
# redis-server), plus the shipped examples for the policy parser. New inputs libFuzzer finds go
# to $build/corpus, never into the source tree.
failed=""
for t in $targets; do
  mkdir -p "$build/corpus/$t"
  extra=()
  [[ $t == policy_fuzz ]] && extra=(examples)
  echo "fuzz: $t for ${seconds}s"
  # Crash inputs go to $build/artifacts, not the source tree.
  mkdir -p "$build/artifacts"
  status=0
  "$build/bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" "$build/corpus/$t" "fuzz/corpus/$t" "${extra[@]}" >"$build/$t.log" 2>&1 ||
    status=$?
  grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done|artifact' "$build/$t.log" || true
  # libFuzzer exits non-zero on a crash; the other targets still run.
  [[ $status -eq 0 ]] || { echo "fuzz: $t found a crash (see $build/$t.log)" >&2; failed+=" $t"; }
done
[[ -z $failed ]] || { echo "fuzz: crashes in:$failed" >&2; exit 1; }
