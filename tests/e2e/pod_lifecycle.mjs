// Runs the pod the operator renders for an example, as local processes, twice: with data on its
// volumes, and again after its data volume was deleted (a reschedule onto a new node; for an
// example without a backup volume, a restart that keeps the data volume), and proves with DEBUG
// DIGEST that the data came back. With an AOF, a BGREWRITEAOF must succeed in
// both runs (aof_last_bgrewrite_status:ok).
//
// There is no cluster here, so this stands in for the kubelet, faithfully where it matters:
//   - the StatefulSet's pod template is read from the operator's rendered output (the reconcile
//     golden files, which tests/operator/reconcile keeps equal to what the code renders);
//   - the ConfigMap's data and the Secret become files, claims and emptyDirs become directories,
//     mounted at the containers' absolute mountPaths inside a private mount namespace whose root
//     file system is read-only (readOnlyRootFilesystem), with a private network namespace
//     (containers of a pod share localhost) and a private PID namespace (nothing outlives it);
//   - commands, args and env (values, fieldRef metadata.name, secretKeyRef, configMapKeyRef) are
//     used as rendered, with $(VAR) in command and args expanded from the env as kubelet does;
//     the peer token Secret's volume holds the token of the rendered Secret;
//     processes run as the pod's runAsUser/runAsGroup, volumes are owned by its fsGroup;
//   - containers are stopped with SIGTERM, as kubelet stops them;
//   - the init containers run to completion, in order, before the containers start (with drills
//     on, copy-redis-server copies the redis-server of the Redis image, and a drill must pass
//     with it).
// Images map to local binaries: redis:* -> Debian's redis-server, anything else -> the build's
// tidemark binaries in /usr/local/bin. One addition: `--enable-debug-command local` for Redis,
// so the test can read DEBUG DIGEST; it does not touch persistence.
//
// usage: node pod_lifecycle.mjs --golden FILE --bin BUILD_BIN_DIR
// Prints "N passed, M failed"; exits 1 on failure.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {spawnSync} from 'node:child_process'

const args = {}
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]
function die(msg) { console.error(`pod_lifecycle: ${msg}`); console.log('0 passed, 1 failed'); process.exit(1) }
if (!args.golden || !args.bin) die('usage: --golden FILE --bin DIR')
if (process.getuid() !== 0) die('needs root for a private mount and network namespace (CI runs as root)')
for (const b of ['tidemark-sidecar']) if (!fs.existsSync(path.join(args.bin, b))) die(`${b} not built in ${args.bin}`)

const objects = JSON.parse(fs.readFileSync(args.golden, 'utf8'))
const sts = objects.statefulSet
const pod = sts.spec.template.spec
const configData = objects.configMap.data
const podName = `${sts.metadata.name}-0`
const password = 'e2e-' + Math.random().toString(36).slice(2)
const uid = pod.securityContext?.runAsUser ?? 0
const gid = pod.securityContext?.runAsGroup ?? uid
const fsGroup = pod.securityContext?.fsGroup ?? gid

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tidemark-e2e-'))
const q = s => `'${String(s).replace(/'/g, `'\\''`)}'`

// Volumes: claim templates and pod volumes, each a host directory.
const volumeDirs = {}
for (const claim of sts.spec.volumeClaimTemplates ?? []) volumeDirs[claim.metadata.name] = path.join(work, 'pvc', claim.metadata.name)
for (const v of pod.volumes ?? []) {
  const dir = path.join(work, 'vol', v.name)
  volumeDirs[v.name] = dir
  fs.mkdirSync(dir, {recursive: true})
  if (v.configMap) for (const [k, text] of Object.entries(configData)) fs.writeFileSync(path.join(dir, k), text)
  if (v.secret) {
    // The operator's own Secret (the set's peer token) as rendered; else the password Secret.
    const own = objects.peerTokenSecret?.metadata.name === v.secret.secretName ? objects.peerTokenSecret : null
    for (const item of v.secret.items ?? [{key: 'redis-password', path: 'redis-password'}])
      fs.writeFileSync(path.join(dir, item.path), own ? Buffer.from(own.data[item.key], 'base64') : password,
                       {mode: v.secret.defaultMode ?? 0o644})
  }
}
for (const dir of Object.values(volumeDirs)) fs.mkdirSync(dir, {recursive: true})

function envOf(container) {
  const env = {PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/nonexistent'}
  for (const e of container.env ?? []) {
    if ('value' in e) env[e.name] = e.value
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = podName
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[e.name] = sts.metadata.namespace
    else if (e.valueFrom?.secretKeyRef) env[e.name] = password
    else if (e.valueFrom?.configMapKeyRef?.name === objects.configMap.metadata.name) {
      if (!(e.valueFrom.configMapKeyRef.key in configData)) die(`env ${e.name}: no key ${e.valueFrom.configMapKeyRef.key} in the ConfigMap`)
      env[e.name] = configData[e.valueFrom.configMapKeyRef.key]
    }
    else die(`env ${e.name}: unsupported source ${JSON.stringify(e.valueFrom)}`)
  }
  return env
}

function commandOf(container) {
  // kubelet's expansion: $(VAR) from the container's env, $$ an escaped $, unknown names kept.
  const env = envOf(container)
  const expand = a => a.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => m === '$$' ? '$' : (name in env ? env[name] : m))
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map(expand)
  // Redis itself only: an init container in the Redis image (copy-redis-server) runs as rendered.
  if (container.image.startsWith('redis:') && pod.containers.includes(container)) argv.push('--enable-debug-command', 'local')
  return argv
}

// The union of all containers' mounts: one mount namespace stands in for the pod's containers.
const mounts = new Map()
for (const c of [...(pod.initContainers ?? []), ...pod.containers])
  for (const m of c.volumeMounts ?? []) {
    const prev = mounts.get(m.mountPath)
    if (prev && prev !== m.name) die(`${m.mountPath} mounted from two volumes`)
    mounts.set(m.mountPath, m.name)
  }

const redis = pod.containers.find(c => c.image.startsWith('redis:'))
const sidecar = pod.containers.find(c => !c.image.startsWith('redis:'))
const runMount = redis.volumeMounts.find(m => m.mountPath.startsWith('/run')).mountPath
const socket = `${runMount}/redis.sock`
const sidecarPort = sidecar.ports[0].containerPort
// With a backup claim the second start is a reschedule (the data volume is lost and the restore
// step must bring the backup back); without one (the backup store is an emptyDir) it is a
// restart on the same data volume, which Redis must load as it left it.
const backupOnClaim = (sts.spec.volumeClaimTemplates ?? []).some(c => c.metadata.name === 'backup')
// Drills on: the sidecar runs the redis-server the copy-redis-server init container copied from
// the Redis image (here Debian's, as for the redis container).
const drills = (sidecar.args ?? []).includes('--redis-server')

function runLine(container, background) {
  const env = Object.entries(envOf(container)).map(([k, v]) => `${k}=${q(v)}`).join(' ')
  const argv = commandOf(container).map(q).join(' ')
  const log = q(path.join(work, `${container.name}.log`))
  return `chroot --userspec=${uid}:${gid} "$ROOT" /usr/bin/env -i ${env} ${argv} >>${log} 2>&1` + (background ? ' &' : '')
}

const rootDirs = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']
// /etc is a copy of what the processes need, so that mountPaths under it can be created.
const etcFiles = ['ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'passwd', 'group', 'nsswitch.conf', 'hosts', 'localtime', 'alternatives', 'ssl']
const script = `
set -euo pipefail
ROOT=${q(path.join(work, 'root'))}
mkdir -p "$ROOT"
mount -t tmpfs -o size=16m tmpfs "$ROOT"
for d in ${rootDirs.join(' ')}; do
  if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$ROOT/$d"
  elif [ -d "/$d" ]; then mkdir -p "$ROOT/$d"; mount --bind "/$d" "$ROOT/$d"; mount -o remount,bind,ro "$ROOT/$d"; fi
done
mkdir -p "$ROOT/etc" "$ROOT/dev" "$ROOT/proc" "$ROOT/tmp"
for f in ${etcFiles.join(' ')}; do [ -e "/etc/$f" ] && cp -a "/etc/$f" "$ROOT/etc/"; done
mount --bind /dev "$ROOT/dev"
mount -t proc proc "$ROOT/proc"
mount --bind ${q(args.bin)} "$ROOT/usr/local/bin"
${[...mounts].map(([mp, name]) => `mkdir -p "$ROOT${mp}"; mount --bind ${q(volumeDirs[name])} "$ROOT${mp}"`).join('\n')}
mount -o remount,ro "$ROOT"
ip link set lo up
${(redis.env ?? []).some(e => e.valueFrom?.secretKeyRef) ? `export REDISCLI_AUTH=${q(password)}` : '# no password in this example'}
cli() { redis-cli -s "$ROOT${socket}" "$@"; }

# With an AOF, a rewrite must succeed: Redis writes the new base file in dir and renames it into
# appendonlydir, which fails (EXDEV) if the rendered pod put that directory on another volume.
rewrite_aof() {
  cli info persistence | grep -q '^aof_enabled:1' || return 0
  until cli bgrewriteaof >/dev/null 2>&1; do sleep 0.05; done
  for i in $(seq 600); do
    cli info persistence | grep -q '^aof_rewrite_in_progress:0' &&
      cli info persistence | grep -q '^aof_rewrite_scheduled:0' && break
    sleep 0.05
  done
  STATUS=$(cli info persistence | tr -d '\r' | sed -n 's/^aof_last_bgrewrite_status://p')
  echo "AOF rewrite: $STATUS"
  [ "$STATUS" = ok ] || { echo "AOF rewrite failed"; tail -5 ${q(path.join(work, redis.name + '.log'))}; exit 1; }
}

start_pod() {
${(pod.initContainers ?? []).map(c => `  echo "init container ${c.name}"\n  ${runLine(c, false)} || { echo "init container ${c.name} failed"; tail -20 ${q(path.join(work, c.name + '.log'))}; exit 1; }`).join('\n')}
  ${runLine(redis, true)}
  REDIS_PID=$!
  ${runLine(sidecar, true)}
  SIDECAR_PID=$!
  for i in $(seq 200); do cli ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
  while cli info persistence | grep -q loading:1; do sleep 0.05; done
  for i in $(seq 200); do curl -sf http://127.0.0.1:${sidecarPort}/readyz >/dev/null && break; sleep 0.05; done
}
REDIS_PID=; SIDECAR_PID=
# As the kubelet stops a pod: SIGTERM to each container's main process (Redis then shuts down as
# shutdown-on-sigterm says: with AOF on, the sidecar set it to save, see below).
stop_pod() {
  [ -n "$SIDECAR_PID" ] && { kill -TERM $SIDECAR_PID 2>/dev/null || true; wait $SIDECAR_PID 2>/dev/null || true; }
  [ -n "$REDIS_PID" ] && { kill -TERM $REDIS_PID 2>/dev/null || true; wait $REDIS_PID 2>/dev/null || true; }
  SIDECAR_PID=; REDIS_PID=
}
# Pod 0 of the set: its sidecar got the replicas' hold-back flags too (one spec for every
# ordinal) and ignores them; with AOF on it keeps shutdown-on-sigterm save set, so a clean
# shutdown records the replication position (docs/sidecar.md, "The replicas' hold-back").
check_pod0_roles() {
  curl -s http://127.0.0.1:${sidecarPort}/v1/status | grep -q '"holdBack":null' ||
    { echo "pod 0's sidecar runs a replica's hold-back"; exit 1; }
  cli info persistence | grep -q '^aof_enabled:1' || return 0
  for i in $(seq 200); do [ "$(cli config get shutdown-on-sigterm | tail -1)" = save ] && break; sleep 0.05; done
  [ "$(cli config get shutdown-on-sigterm | tail -1)" = save ] ||
    { echo "shutdown-on-sigterm is not save with AOF on"; exit 1; }
  echo "pod 0: no hold-back, shutdown-on-sigterm save"
}
# Whatever happens, no container process outlives the test.
trap 'stop_pod; kill -KILL $(jobs -p) 2>/dev/null || true' EXIT

echo "== first start of ${podName} on an empty volume"
start_pod
check_pod0_roles
cli debug populate 20000 key 32 >/dev/null
cli rpush list a b c >/dev/null; cli hset hash f v >/dev/null; cli zadd z 1 m >/dev/null; cli sadd s x y >/dev/null
cli set after-populate yes >/dev/null
rewrite_aof
BEFORE=$(cli debug digest); KEYS=$(cli dbsize)
echo "before: $KEYS keys, digest $BEFORE"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:${sidecarPort}/v1/backups)
[ "$code" = 202 ] || { echo "POST /v1/backups answered $code"; exit 1; }
for i in $(seq 400); do ls "$ROOT/${[...mounts].find(([, n]) => n === 'backup')[0].slice(1)}"/*.json >/dev/null 2>&1 && break; sleep 0.05; done
ls -l "$ROOT${[...mounts].find(([, n]) => n === 'backup')[0]}"
${drills ? `echo "== a restore drill with the pod's own redis-server"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:${sidecarPort}/v1/drills)
[ "$code" = 202 ] || { echo "POST /v1/drills answered $code"; exit 1; }
DRILL=
for i in $(seq 1200); do
  DRILL=$(curl -s http://127.0.0.1:${sidecarPort}/v1/status | grep -o '"lastDrill":{[^}]*}' || true)
  [ -n "$DRILL" ] && break; sleep 0.1
done
echo "drill: $DRILL"
LIVE_VERSION=$(cli info server | tr -d '\\r' | sed -n 's/^redis_version://p')
echo "$DRILL" | grep -q '"result":"success"' && echo "$DRILL" | grep -q "\\"serverVersion\\":\\"$LIVE_VERSION\\"" &&
  echo "$DRILL" | grep -q "\\"actualDigest\\":\\"$(cli debug digest)\\"" || { echo "the drill did not pass with Redis $LIVE_VERSION's own build"; exit 1; }` : '# no drills in this example'}
stop_pod

${backupOnClaim
  ? 'echo "== the pod is rescheduled: its data volume is gone, and so are its emptyDirs"'
  : 'echo "== the pod restarts: its emptyDirs are gone (no backup volume: a reschedule would lose the data)"'}
${[...(backupOnClaim ? ['data'] : []), ...(pod.volumes ?? []).filter(v => v.emptyDir).map(v => v.name)].map(n =>
  `rm -rf ${q(volumeDirs[n])}/* ${q(volumeDirs[n])}/.[!.]* 2>/dev/null || true`).join('\n')}
ls -A ${q(volumeDirs.data)} | wc -l

echo "== second start of ${podName}"
start_pod
AFTER=$(cli debug digest); KEYS_AFTER=$(cli dbsize)
echo "after: $KEYS_AFTER keys, digest $AFTER"
rewrite_aof  # the restored layout takes a rewrite too
stop_pod
[ "$BEFORE" = "$AFTER" ] && [ "$KEYS" = "$KEYS_AFTER" ] && [ "$KEYS" -gt 20000 ] && echo "RESULT equal" || echo "RESULT different"
`
fs.writeFileSync(path.join(work, 'pod.sh'), script)
for (const dir of Object.values(volumeDirs)) spawnSync('chown', ['-R', `0:${fsGroup}`, dir])
for (const dir of Object.values(volumeDirs)) spawnSync('chmod', ['-R', 'g+rwX', dir])
for (const v of pod.volumes ?? []) if (v.secret) spawnSync('chmod', ['-R', (v.secret.defaultMode ?? 0o644).toString(8), volumeDirs[v.name]])
// Each Secret volume's directory stays searchable (the files keep their defaultMode).
for (const v of pod.volumes ?? []) if (v.secret) spawnSync('chmod', ['g+x', volumeDirs[v.name]])

const r = spawnSync('unshare', ['--mount', '--net', '--pid', '--fork', '--kill-child', '--propagation', 'private', 'bash', path.join(work, 'pod.sh')],
                    {encoding: 'utf8', timeout: 150000})
process.stdout.write(r.stdout ?? '')
process.stderr.write(r.stderr ?? '')
const ok = r.status === 0 && /RESULT equal/.test(r.stdout ?? '')
if (!ok) {
  for (const f of fs.readdirSync(work).filter(f => f.endsWith('.log')))
    console.log(`--- ${f}\n` + fs.readFileSync(path.join(work, f), 'utf8').split('\n').slice(-25).join('\n'))
}
fs.rmSync(work, {recursive: true, force: true})
console.log(ok ? '1 passed, 0 failed' : '0 passed, 1 failed')
process.exit(ok ? 0 : 1)
