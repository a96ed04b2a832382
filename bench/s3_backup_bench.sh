#!/usr/bin/env bash
# The object-store backup and restore of the ~1 GB dataset (bench/make_dataset.sh) against the
# reference clients on the same local s3rver, side by side, RUNS rounds (issue 10's targets).
# Not a test: prints a table for docs/benchmarks.md. Each round, interleaved:
#   backup      `tidemark-sidecar backup` to the bucket (destinations objectStore, no volume):
#               BGSAVE, then the one pass that reads the snapshot, takes its SHA-256, verifies
#               it, computes the dataset digest and uploads it; plain and encrypted, with
#               verifyAfterCopy off (the upload alone) and, plain in round 1 only, on (the object
#               read back). Redis saves with rdbcompression no, as make_dataset.sh did: ~1 GB.
#               Its upload phase is the command's wall time minus the BGSAVE its log reports; CPU
#               and peak RSS (the sidecar's RSS during the upload) from GNU time: the BGSAVE runs
#               in Redis's child, so the command's CPU is the pass's;
#   aws-put     `aws s3 cp FILE s3://...` (Debian awscli: multipart, 8 MiB parts, 10 in flight);
#   curl-put    `curl --aws-sigv4 -T FILE` (one plain PUT);
#   restore     `tidemark-sidecar restore` from the bucket into an empty data directory (GETs,
#               SHA-256, [decryption], verification, digest, install as dump.rdb), plain and
#               encrypted (the restore checks the SHA-256 and digest itself; the log must say it
#               installed the backup);
#   aws-get, curl-get  the same object downloaded to a file.
# Environment: RESTORE_ONLY=1 backs up and uploads in round 1 only (plain and encrypted, no
# read-back), later rounds time the restores and downloads alone; BASELINE_SIDECAR=PATH (another
# build's tidemark-sidecar) adds its restores as rows restore-*-baseline, run next to ours.
# Usage: bench/s3_backup_bench.sh [BUILD_DIR] [DATASET_DIR] [RUNS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_init 2 "$@"
root=$(cd "$here/.." && pwd)
sidecar="$bin/tidemark-sidecar"
[[ -x /usr/bin/aws ]] || { echo "s3_backup_bench: needs Debian's awscli at /usr/bin/aws" >&2; exit 1; }
[[ -x $sidecar ]] || { echo "s3_backup_bench: build tidemark-sidecar first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/tidemark-s3backup.XXXXXX")
pids=()
cleanup() {
  [[ -S $work/redis/redis.sock ]] && redis-cli -s "$work/redis/redis.sock" shutdown nosave >/dev/null 2>&1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
timed() { local out=$1; shift; /usr/bin/time -f '%e %U %S %M' -o "$out" "$@"; }
row() {  # row NAME WALL TIMEFILE: "NAME wall cpu rss_kb"
  local w u s m; read -r w u s m < "$3"
  echo "$1 $2 $(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}') $m" >> "$work/rows"
}

node --openssl-legacy-provider "$root/tools/node_modules/s3rver/bin/s3rver.js" -d "$work/s3" \
  -a 127.0.0.1 -p 0 --silent --configure-bucket bench > "$work/s3rver.out" 2>&1 &
pids+=($!)
for _ in $(seq 300); do grep -q "listening on" "$work/s3rver.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/s3rver.out")
endpoint="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
echo S3RVER > "$work/key-id"; echo S3RVER > "$work/secret"
openssl rand -hex 32 > "$work/enc-key"

# policy PREFIX VERIFY ENCRYPTED: a sidecar policy (docs/policy.md) backing up to the bucket only.
policy() {
  local enc=null
  [[ $3 == yes ]] && enc="{\"keyId\": \"bench-1\", \"keyFile\": \"$work/enc-key\"}"
  cat > "$work/$1.json" <<JSON
{"apiVersion": "tidemark.dev/sidecar-policy/v1",
 "resource": {"namespace": "bench", "name": "s3"}, "mode": "rdb",
 "rdb": {"fileName": "dump.rdb", "savePoints": []},
 "aof": {"enabled": false, "dirName": "appendonlydir", "rewrite": null},
 "backup": {"schedule": "0 * * * *", "retention": {"keepLast": 99, "keepDaily": 0, "keepWeekly": 0},
   "verifyAfterCopy": $2, "allowEmpty": false, "destinations": "objectStore",
   "objectStore": {"endpoint": "$endpoint", "bucket": "bench", "prefix": "$1", "region": "us-east-1",
     "addressing": "path", "accessKeyIdFile": "$work/key-id", "secretAccessKeyFile": "$work/secret",
     "sessionTokenFile": null, "caBundleFile": null, "encryption": $enc,
     "retention": {"keepLast": 99, "keepDaily": 0, "keepWeekly": 0}}},
 "restore": {"when": "auto", "source": {"type": "latest", "backupName": null, "pointInTime": null},
   "allowAofTailRepair": false}}
JSON
  echo "$work/$1.json"
}
p_plain=$(policy plain false no); p_enc=$(policy enc false yes); p_verify=$(policy verify true no)

rdb="$data/dump.rdb"
mkdir -p "$work/redis"
ln "$rdb" "$work/redis/dump.rdb" 2>/dev/null || cp "$rdb" "$work/redis/dump.rdb"
echo "loading the dataset into redis-server..." >&2
redis-server --port 0 --unixsocket "$work/redis/redis.sock" --dir "$work/redis" --daemonize no \
  --save "" --appendonly no --rdbcompression no --logfile "$work/redis/redis.log" </dev/null >/dev/null 2>&1 &
pids+=($!)
until [[ $(redis-cli -s "$work/redis/redis.sock" ping 2>/dev/null) == PONG ]]; do sleep 0.2; done

curl_s3=(curl -sS -f --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER)
empty_sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  # s3rver wants the header
: > "$work/rows"
for round in $(seq "$runs"); do
  echo "round $round/$runs (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  variants=(plain enc); [[ $round == 1 && -z ${RESTORE_ONLY:-} ]] && variants+=(verify)  # the read-back doubles the time
  [[ $round -gt 1 && -n ${RESTORE_ONLY:-} ]] && variants=()
  for variant in "${variants[@]}"; do
    p="$work/$variant.json"
    timed "$work/t" "$sidecar" backup --redis "unix:$work/redis/redis.sock" --policy "$p" \
      > "$work/backup.log" || { cat "$work/backup.log" "$work/t" >&2; exit 1; }
    read -r w _ < "$work/t"
    bgsave=$(sed -n 's/.*"msg":"BGSAVE done".*"duration_ms":\([0-9]*\).*/\1/p' "$work/backup.log")
    row "backup-$variant" "$(awk -v w="$w" -v b="$bgsave" 'BEGIN{printf "%.2f", w - b / 1000}')" "$work/t"
  done
  # The snapshot the sidecar just uploaded (BGSAVE rewrote it), for the reference clients too.
  snap="$work/redis/dump.rdb"
  if [[ $round == 1 || -z ${RESTORE_ONLY:-} ]]; then
  timed "$work/t" /usr/bin/aws --endpoint-url "$endpoint" s3 cp --only-show-errors "$snap" s3://bench/ref/aws.rdb
  row aws-put "$(cut -d' ' -f1 "$work/t")" "$work/t"
  timed "$work/t" "${curl_s3[@]}" -H x-amz-content-sha256:UNSIGNED-PAYLOAD -T "$snap" "$endpoint/bench/ref/curl.rdb"
  row curl-put "$(cut -d' ' -f1 "$work/t")" "$work/t"
  fi

  restorers=("$sidecar"); [[ -n ${BASELINE_SIDECAR:-} ]] && restorers+=("$BASELINE_SIDECAR")
  for variant in plain enc; do
    for restorer in "${restorers[@]}"; do
      suffix=; [[ $restorer != "$sidecar" ]] && suffix=-baseline
      rm -rf "$work/restore"; mkdir -p "$work/restore"
      timed "$work/t" "$restorer" restore --data-dir "$work/restore" --policy "$work/$variant.json" \
        > "$work/restore.log" || { cat "$work/restore.log" "$work/t" >&2; exit 1; }
      row "restore-$variant$suffix" "$(cut -d' ' -f1 "$work/t")" "$work/t"
      grep -q '"action":"installed-backup"' "$work/restore.log" || { cat "$work/restore.log" >&2; exit 1; }
    done
  done
  rm -rf "$work/restore"
  timed "$work/t" /usr/bin/aws --endpoint-url "$endpoint" s3 cp --only-show-errors s3://bench/ref/curl.rdb "$work/down-aws.rdb"
  row aws-get "$(cut -d' ' -f1 "$work/t")" "$work/t"
  timed "$work/t" "${curl_s3[@]}" -H "x-amz-content-sha256:$empty_sha" -o "$work/down-curl.rdb" "$endpoint/bench/ref/curl.rdb"
  row curl-get "$(cut -d' ' -f1 "$work/t")" "$work/t"
  rm -f "$work"/down-*.rdb
done

col() { awk -v n="$1" -v f="$2" '$1==n{print $f}' "$work/rows" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", b / a}'; }
put=$(col curl-put 2); aput=$(col aws-put 2); get=$(col curl-get 2); aget=$(col aws-get 2)
echo
echo "# $(stat -c %s "$rdb") bytes; median of $runs rounds; $(bench_context) at the end"
echo "| what | wall s | CPU s (user+sys) | peak RSS MB | speed vs curl | vs aws s3 cp |"
echo "|---|---|---|---|---|---|"
for name in backup-plain backup-enc backup-verify aws-put curl-put restore-plain restore-enc \
            restore-plain-baseline restore-enc-baseline aws-get curl-get; do
  w=$(col "$name" 2)
  [[ -n $w ]] || continue
  case $name in *get|restore*) ref=$get; aref=$aget ;; *) ref=$put; aref=$aput ;; esac
  printf '| %s | %s | %s | %.1f | %s | %s |\n' "$name" "$w" "$(col "$name" 3)" \
    "$(awk -v k="$(awk -v n="$name" '$1==n{print $4}' "$work/rows" | sort -n | tail -1)" 'BEGIN{print k / 1024}')" \
    "$(ratio "$w" "$ref")" "$(ratio "$w" "$aref")"
done
echo
echo "All rows (name wall cpu rss_kb):"
cat "$work/rows"
