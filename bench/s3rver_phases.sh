#!/usr/bin/env bash
# Where s3rver's time goes for an upload of the ~1 GB bench RDB: its own request log (koa-logger:
# each response with the time the server took, stamped here with the time it was printed) and
# node's CPU sampled every 0.2 s from /proc, per kind of request (PUT, CreateMultipartUpload,
# UploadPart, CompleteMultipartUpload). For the clients of bench/s3_bench.sh, one after another
# in one s3rver: Tidemark's multipart upload (unsigned parts, one at a time), its streamed PUT,
# curl's single PUT and `aws s3 cp`. Not a test: prints a table for docs/benchmarks.md.
# Usage: bash bench/s3rver_phases.sh [BUILD_DIR] [DATASET_DIR]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_init 1 "$@"
root=$(cd "$here/.." && pwd)
file="$data/dump.rdb"
[[ -x "$bin/s3_put" ]] || { echo "s3rver_phases: build the s3_put target first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/tidemark-s3phases.XXXXXX")
s3pid=
cleanup() { [[ -n "$s3pid" ]] && kill "$s3pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
node --openssl-legacy-provider "$root/tools/node_modules/s3rver/bin/s3rver.js" -d "$work/store" \
  -a 127.0.0.1 -p 0 --configure-bucket bench \
  > >(perl -MTime::HiRes=time -ne '$|=1; s/\e\[[0-9;]*m//g; printf "%.3f %s", time, $_' > "$work/s3rver.log") 2>&1 &
s3pid=$!
(while [[ -e /proc/$s3pid/stat ]]; do
   echo "$(date +%s.%N) $(awk '{print ($14 + $15) / 100}' "/proc/$s3pid/stat" 2>/dev/null)"; sleep 0.2
 done > "$work/cpu.log" 2>/dev/null) &
for _ in $(seq 300); do grep -q "listening on" "$work/s3rver.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/s3rver.log")
endpoint="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
export S3_ENDPOINT=$endpoint S3_BUCKET=bench AWS_EC2_METADATA_DISABLED=true

echo "| client | wall s | client CPU s | client peak RSS MB |"
echo "|---|---|---|---|"
run() {
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" > /dev/null
  awk -v n="$name" '{printf "| %s | %s | %.2f | %.1f |\n", n, $1, $2 + $3, $4 / 1024}' "$work/t"
}
run "tidemark multipart (multipart.rdb)" env S3_MULTIPART=1 S3_UNSIGNED=1 "$bin/s3_put" put "$file" multipart.rdb
run "tidemark streamed PUT (streamed.rdb)" "$bin/s3_put" put "$file" streamed.rdb
run "curl -T (curl.rdb)" curl -sS -f --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER \
  -H x-amz-content-sha256:UNSIGNED-PAYLOAD -T "$file" "$endpoint/bench/curl.rdb"
run "aws s3 cp (aws.rdb)" /usr/bin/aws --endpoint-url "$endpoint" s3 cp --only-show-errors "$file" s3://bench/aws.rdb
sleep 0.5

echo
echo "s3rver's side ($(bench_context)): requests by object and kind; time = sum of the server's"
echo "times, span = first start to last end, node CPU = its user+sys over the span"
python3 - "$work/s3rver.log" "$work/cpu.log" <<'PY'
import bisect, re, sys
samples = [tuple(map(float, l.split())) for l in open(sys.argv[2]) if len(l.split()) == 2]
times = [s[0] for s in samples]
def cpu_at(t):
    i = min(max(bisect.bisect_left(times, t), 0), len(samples) - 1)
    return samples[i][1]
def seconds(tok):
    tok = tok.replace(",", "")
    return float(tok[:-2]) / 1000 if tok.endswith("ms") else float(tok[:-1])
groups = {}
for line in open(sys.argv[1]):
    m = re.match(r"([\d.]+) info: (\S+) (\d{3}) (\S+) ", line)
    if not m:
        continue
    end, path, took = float(m.group(1)), m.group(2), seconds(m.group(4))
    kind = ("UploadPart" if "partNumber" in path else "CompleteMultipartUpload" if "uploadId" in path
            else "CreateMultipartUpload" if "uploads" in path else "PutObject")
    g = groups.setdefault((path.split("?")[0].split("/")[-1], kind), [0, 0.0, 1e18, 0.0])
    g[0] += 1; g[1] += took; g[2] = min(g[2], end - took); g[3] = max(g[3], end)
print("| object | request | n | time s | span s | node CPU s |")
print("|---|---|---|---|---|---|")
for (key, kind), (n, took, t0, t1) in groups.items():
    print(f"| {key} | {kind} | {n} | {took:.1f} | {t1 - t0:.1f} | {cpu_at(t1) - cpu_at(t0):.1f} |")
PY
