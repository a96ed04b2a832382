#!/usr/bin/env bash
# Upload (and download) of the ~1 GB bench RDB to a local s3rver: Tidemark's S3 client
# (bench/s3_put.cc: one streamed PUT of the file's size, and the multipart upload with signed and
# unsigned parts) side by side with `aws s3 cp` (Debian's awscli, /usr/bin/aws) and
# `curl --aws-sigv4 -T FILE` (one plain PUT). Interleaved runs; median wall time, CPU seconds of
# the client (user+sys) and peak RSS from GNU time. Not a test: prints a table for
# docs/benchmarks.md. s3rver (node) writes every byte to its disk and is the same for all three.
# Usage: bash bench/s3_bench.sh [BUILD_DIR] [DATASET_DIR] [RUNS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_init 3 "$@"
root=$(cd "$here/.." && pwd)
file="$data/dump.rdb"
[[ -x /usr/bin/aws ]] || { echo "s3_bench: needs Debian's awscli at /usr/bin/aws (apt-get install awscli)" >&2; exit 1; }
[[ -x "$bin/s3_put" ]] || { echo "s3_bench: build the s3_put target first" >&2; exit 1; }

work=$(mktemp -d /var/tmp/tidemark-s3bench.XXXXXX)
s3pid=
cleanup() { [[ -n "$s3pid" ]] && kill "$s3pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
node --openssl-legacy-provider "$root/tools/node_modules/s3rver/bin/s3rver.js" -d "$work/store" \
  -a 127.0.0.1 -p 0 --silent --configure-bucket bench > "$work/s3rver.out" 2>&1 &
s3pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/s3rver.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/s3rver.out")
endpoint="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
export S3_ENDPOINT=$endpoint S3_BUCKET=bench AWS_EC2_METADATA_DISABLED=true

declare -A cmds=(
  [tidemark]="$bin/s3_put put $file tidemark.rdb"
  [tidemark-multipart]="env S3_MULTIPART=1 $bin/s3_put put $file tidemark-m.rdb"
  [tidemark-multipart-unsigned]="env S3_MULTIPART=1 S3_UNSIGNED=1 $bin/s3_put put $file tidemark-mu.rdb"
  [aws]="/usr/bin/aws --endpoint-url $endpoint s3 cp --only-show-errors $file s3://bench/aws.rdb"
  [curl]="curl -sS -f --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER -H x-amz-content-sha256:UNSIGNED-PAYLOAD -T $file $endpoint/bench/curl.rdb"
  [tidemark-get]="$bin/s3_put get $work/down-t.rdb tidemark.rdb"
  [aws-get]="/usr/bin/aws --endpoint-url $endpoint s3 cp --only-show-errors s3://bench/tidemark.rdb $work/down-a.rdb"
)
order=(tidemark tidemark-multipart tidemark-multipart-unsigned aws curl tidemark-get aws-get)
for name in "${order[@]}"; do : > "$work/$name.times"; done
for run in $(seq "$runs"); do
  for name in "${order[@]}"; do
    /usr/bin/time -f '%e %U %S %M' -o "$work/t" ${cmds[$name]} > /dev/null
    cat "$work/t" >> "$work/$name.times"
  done
  cmp -s "$file" "$work/down-t.rdb" || { echo "s3_bench: tidemark's download differs" >&2; exit 1; }
  rm -f "$work"/down-*.rdb
done

echo "# $(stat -c %s "$file") bytes; $runs runs each, interleaved; $(bench_context)"
echo "| client | wall s (median) | CPU s user+sys (median) | peak RSS MB (max) |"
echo "|---|---|---|---|"
for name in "${order[@]}"; do
  wall=$(awk '{print $1}' "$work/$name.times" | median)
  cpu=$(awk '{print $2 + $3}' "$work/$name.times" | median)
  rss=$(awk '{print $4}' "$work/$name.times" | sort -n | tail -1)
  printf '| %s | %s | %s | %.1f |\n' "$name" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)"
done
