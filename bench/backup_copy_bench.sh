#!/usr/bin/env bash
# The first part of bench/sidecar_bench.sh alone, for comparing builds of the backup's one pass:
# in each of RUNS rounds, `cat dump.rdb | sha256sum`, then `tidemark-sidecar backup` of each binary
# given (this build's first, then OTHER_SIDECAR..., e.g. a copy of an older build), against one
# redis-server holding the dataset. The copy phase is the backup's wall time minus the BGSAVE it
# logs; its CPU is the command's (BGSAVE runs in Redis's child). Not a test: prints a table.
# Usage: bench/backup_copy_bench.sh [BUILD_DIR] [DATASET_DIR] [RUNS] [OTHER_SIDECAR...]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_init 3 "${@:1:3}"
sidecars=("$bin/tidemark-sidecar" "${@:4}")

work=$(mktemp -d "${TMPDIR:-/var/tmp}/tidemark-copy-bench.XXXXXX")
pids=()
cleanup() {
  stop_redis "$work/redis"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

rdb="$data/dump.rdb"
mb=$(du -m "$rdb" | cut -f1)
mkdir -p "$work/redis" "$work/store"
ln "$rdb" "$work/redis/dump.rdb" 2>/dev/null || cp "$rdb" "$work/redis/dump.rdb"
echo "loading the dataset into redis-server..." >&2
# rdbcompression no, as make_dataset.sh saved it: the backup's BGSAVE then writes the same ~1 GB
# file that `cat | sha256sum` reads (with the default, compression on, it wrote ~250 MB).
start_redis "$work/redis" --appendonly no --rdbcompression no
want=$(cat "$data/digest.txt")

: > "$work/rows"
for round in $(seq "$runs"); do
  echo "round $round/$runs" >&2
  timed "$work/t" sh -c "cat '$rdb' | sha256sum >/dev/null"
  read -r w u s m < "$work/t"
  echo "cat|sha256sum $w $(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}') $m" >> "$work/rows"
  for i in "${!sidecars[@]}"; do
    rm -rf "${work:?}/store/"*
    timed "$work/t" "${sidecars[$i]}" backup --redis "unix:$work/redis/redis.sock" \
      --store "$work/store" > "$work/backup.log"
    read -r w u s m < "$work/t"
    bgsave=$(sed -n 's/.*"msg":"BGSAVE done".*"duration_ms":\([0-9]*\).*/\1/p' "$work/backup.log")
    copy=$(awk -v w="$w" -v b="$bgsave" 'BEGIN{printf "%.2f", w - b / 1000}')
    # The digest of the backup's metadata must be the dataset's: the pass saw every byte.
    grep -q "\"datasetDigest\":{\"value\":\"$want\"" "$work"/store/*.json ||
      { echo "backup by ${sidecars[$i]}: dataset digest differs" >&2; exit 1; }
    echo "backup#$i $copy $(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}') $m" >> "$work/rows"
  done
done

col() { awk -v n="$1" -v f="$2" '$1==n{print $f}' "$work/rows" | median; }
sha=$(col 'cat|sha256sum' 2)
echo
echo "Dataset: $mb MB RDB, $(bench_context) at the end; median of $runs rounds."
echo
echo "| what | wall s | CPU s (user+sys) | peak RSS MB | speed vs cat\|sha256sum (wall; target >= 80%) |"
echo "|---|---|---|---|---|"
echo "| cat dump.rdb \| sha256sum | $sha | $(col 'cat|sha256sum' 3) | | |"
for i in "${!sidecars[@]}"; do
  w=$(col "backup#$i" 2)
  echo "| backup copy phase: ${sidecars[$i]} | $w | $(col "backup#$i" 3) |" \
    "$(awk -v k="$(col "backup#$i" 4)" 'BEGIN{printf "%.1f", k / 1024}') |" \
    "$(awk -v a="$sha" -v b="$w" 'BEGIN{printf "%.0f%%", 100 * a / b}') |"
done
echo
echo "raw rows (what, wall s, CPU s, peak RSS KB):"; cat "$work/rows"
