#!/usr/bin/env bash
# Writes a ~1 GB mixed-type dataset with a real redis-server and saves it three ways into DIR:
# dump.rdb (RDB, compression on), appendonlydir (multi-part AOF, base written as plain AOF
# commands) and keeps a manifest of what was written. Reused when DIR/done exists.
set -euo pipefail
dir=${1:?usage: make_dataset.sh DIR}
[[ -f $dir/done ]] && { echo "dataset: reusing $dir"; exit 0; }
mkdir -p "$dir"
rm -rf "${dir:?}"/*
sock="$dir/redis.sock"
redis-server --port 0 --unixsocket "$sock" --dir "$dir" --daemonize no --save "" --appendonly no \
  --enable-debug-command yes --logfile "$dir/redis.log" &
pid=$!
trap 'redis-cli -s "$sock" shutdown nosave >/dev/null 2>&1 || kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do redis-cli -s "$sock" ping >/dev/null 2>&1 && break; sleep 0.05; done
cli() { redis-cli -s "$sock" "$@"; }

echo "dataset: strings"
cli debug populate 4000000 str 200 >/dev/null
echo "dataset: small hashes, lists, sets, sorted sets (listpack / quicklist / intset)"
cli eval "
  for i = 1, 300000 do
    redis.call('HSET', 'h:'..i, 'name', 'user'..i, 'email', 'user'..i..'@example.com', 'visits', i, 'score', i*1.5, 'city', 'city'..(i%500), 'flag', 'yes')
  end
  for i = 1, 100000 do
    local t = {}
    for j = 1, 40 do t[j] = 'item-'..i..'-'..j end
    redis.call('RPUSH', 'l:'..i, unpack(t))
  end
  for i = 1, 100000 do redis.call('SADD', 'is:'..i, i, i+1, i+7, i*3, 99999) end
  for i = 1, 100000 do
    redis.call('ZADD', 'z:'..i, 1, 'a'..i, 2.5, 'b'..i, 3, 'c'..i, -4, 'd'..i)
  end
  return 1" 0 >/dev/null
echo "dataset: large collections (hashtable / skiplist)"
cli eval "
  for i = 1, 1000000, 1000 do
    local t = {}
    for j = 0, 999 do t[#t+1] = 'member-'..(i+j) end
    redis.call('SADD', 'bigset', unpack(t))
  end
  for i = 1, 500000, 500 do
    local t = {}
    for j = 0, 499 do t[#t+1] = (i+j)*0.5; t[#t+1] = 'zm-'..(i+j) end
    redis.call('ZADD', 'bigzset', unpack(t))
  end
  for i = 1, 500000, 500 do
    local t = {}
    for j = 0, 499 do t[#t+1] = 'f'..(i+j); t[#t+1] = 'value-'..(i+j) end
    redis.call('HSET', 'bighash', unpack(t))
  end
  for i = 1, 200000 do redis.call('XADD', 'bigstream', '*', 'sensor', i % 100, 'reading', i) end
  return 1" 0 >/dev/null
echo "dataset: saving RDB"
# Uncompressed: DEBUG POPULATE pads values with zeros, which LZF would shrink to nothing.
cli config set rdbcompression no >/dev/null
cli save >/dev/null
echo "dataset: writing AOF (plain commands, no RDB preamble)"
cli config set aof-use-rdb-preamble no >/dev/null
cli config set appendonly yes >/dev/null
# Turning AOF on starts a rewrite that writes the base file; wait until it is in the manifest.
for _ in $(seq 1200); do
  if cli info persistence | grep -q 'aof_rewrite_in_progress:0' &&
     grep -q 'type b' "$dir/appendonlydir/"*.manifest 2>/dev/null; then break; fi
  sleep 0.5
done
cli info persistence | grep -q 'aof_last_bgrewrite_status:ok' || { echo "dataset: AOF rewrite failed" >&2; exit 1; }
cli info keyspace | grep db0 > "$dir/keyspace.txt"
cli debug digest > "$dir/digest.txt"
touch "$dir/done"
ls -la "$dir" "$dir/appendonlydir"
