#!/usr/bin/env bash
# Writes the seed corpora kept in fuzz/corpus/<target>/: RDB and AOF files written by a real
# redis-server (every type, compression on and off, an AOF with #TS annotations, MULTI/EXEC and a
# manifest), RESP inputs derived from them, and kubeconfigs of each credential kind. Run it when
# the Redis version or the formats change; fuzz/run.sh only reads these.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=fuzz/corpus
rm -rf "$seeds"
mkdir -p "$seeds"/{rdb_fuzz,aof_fuzz,manifest_fuzz,resp_fuzz,kubeconfig_fuzz,policy_fuzz}

start_redis() {  # dir, extra args...
  local dir=$1; shift
  redis-server --port 0 --unixsocket "$dir/s" --dir "$dir" --daemonize no --save "" \
    --logfile "$dir/log" "$@" &
  pid=$!
  for _ in $(seq 100); do redis-cli -s "$dir/s" ping >/dev/null 2>&1 && break; sleep 0.05; done
}
stop_redis() { redis-cli -s "$dir/s" shutdown nosave >/dev/null 2>&1 || true; wait "$pid" 2>/dev/null || true; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
start_redis "$dir" --appendonly no --enable-debug-command yes
c() { redis-cli -s "$dir/s" "$@" >/dev/null; }
c set s hello; c set n 42; c rpush l a b 1 2; c sadd is 1 2 3; c sadd ss x y; c zadd z 1 a 2 b
c hset h f v g 7; c xadd st 1-1 f v; c xgroup create st g 0; c xreadgroup group g c streams st '>'
c pexpireat s 4102444800000; c save; cp "$dir/dump.rdb" "$seeds/rdb_fuzz/types.rdb"
c config set rdbcompression no; c set big "$(head -c 300 /dev/zero | tr '\0' a)"; c save
cp "$dir/dump.rdb" "$seeds/rdb_fuzz/nocompress.rdb"
stop_redis
rm -rf "${dir:?}"/*

start_redis "$dir" --appendonly yes --aof-use-rdb-preamble no --aof-timestamp-enabled yes
c set s hello; c rpush l a b; c hset h f v; c zadd z 1 a; c select 2; c set x 1; c bgrewriteaof
sleep 1.1
printf 'MULTI\nSET t 1\nINCR n\nEXEC\nSADD st 1 2\n' | redis-cli -s "$dir/s" >/dev/null
stop_redis
for f in "$dir"/appendonlydir/*.aof; do
  cp "$f" "$seeds/aof_fuzz/"
  # The RESP fuzzer's first byte picks the read size of its second pass.
  { printf '\x07'; cat "$f"; } >"$seeds/resp_fuzz/$(basename "$f")"
done
cp "$dir"/appendonlydir/*.manifest "$seeds/manifest_fuzz/"
printf 'file "a b\\x01" seq 1 type b\nfile i seq 2 type i\n# comment\nfile h seq 1 type h\n' \
  >"$seeds/manifest_fuzz/quoted.manifest"
printf '\x02*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n#TS:1700000000\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$4\r\nMU' \
  >"$seeds/resp_fuzz/cut.aof"

# Kubeconfigs: token with CA data, client certificate files, loopback http, a named context.
cat >"$seeds/kubeconfig_fuzz/token.yaml" <<'Y'
apiVersion: v1
kind: Config
current-context: main
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUI=
contexts:
- name: main
  context: {cluster: prod, user: op, namespace: tidemark}
users:
- name: op
  user: {token: abc.def}
Y
cat >"$seeds/kubeconfig_fuzz/certs.yaml" <<'Y'
apiVersion: v1
current-context: c
clusters:
- name: k
  cluster: {server: "https://[::1]:443/", certificate-authority: ca.crt, insecure-skip-tls-verify: true}
contexts:
- {name: c, context: {cluster: k, user: u}}
users:
- {name: u, user: {client-certificate: /etc/x.crt, client-key-data: AAAA}}
Y
cat >"$seeds/kubeconfig_fuzz/loopback.yaml" <<'Y'
current-context: c
clusters: [{name: k, cluster: {server: "http://127.0.0.1:8080"}}]
contexts: [{name: c, context: {cluster: k}}]
users: [{name: u, user: {exec: {command: aws}}}]
Y
# The policy parser's seeds are the shipped examples (fuzz/run.sh passes examples/); one more
# in JSON, the other syntax the API server accepts.
printf '{"apiVersion":"tidemark.dev/v1alpha1","kind":"RedisPersistence","metadata":{"name":"j"},"spec":{"mode":"rdb"}}\n' \
  >"$seeds/policy_fuzz/json.json"
ls -R "$seeds" | head -40
