// The alert rules and the dashboard on a real Prometheus (Debian's 2.42), scraping a real
// `tidemark-sidecar run` next to a real redis-server, loopback only. The policy and redis.conf
// fragment are the ones the operator renders for examples/hybrid.yaml (its golden file).
//
// Things really break, and Prometheus's /api/v1/alerts must show the matching alert firing, with
// the summary naming the pod and the resource, then resolved after the repair:
//   - BGSAVE fails: Redis's `dir` is set to a directory that is then removed (root cannot write
//     there either) -> TidemarkBgsaveFailed; repaired by setting `dir` back and saving again.
//   - the backup store is replaced by a plain file (ENOTDIR, also for root) and a backup is
//     requested -> TidemarkBackupFailing; repaired by putting the store back, backing up again.
//   - the sidecar stops -> TidemarkSidecarDown; repaired by starting it again.
//   - Redis stops -> TidemarkSidecarCutOffFromRedis; repaired by starting it again.
// A restore drill of the first backup passes (the drill panels need one). Every dashboard panel's
// query returns data, and the dashboard's variables find this pod.
// Redis runs with the operator's redis.conf fragment plus `enable-protected-configs local`, the
// one test-only setting (Redis 7 refuses CONFIG SET dir without it).
//
// The one difference from the shipped rules: every `for:` is shortened to 1s in the copy
// Prometheus loads (scrape and evaluation every second), so the test takes seconds, not hours.
// The rules' timing itself is covered by promtool (tidemark-alerts.test.yaml).
//
// usage: node alerts_e2e.mjs --prometheus BIN --sidecar BIN --modules DIR --source DIR
// Prints one line per check and "N passed, M failed"; exits 1 if any check failed.
import fs from 'node:fs'
import os from 'node:os'
import net from 'node:net'
import path from 'node:path'
import {spawn, execFileSync} from 'node:child_process'
import {createRequire} from 'node:module'
import assert from 'node:assert/strict'

const args = {}
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]
for (const k of ['prometheus', 'sidecar', 'modules', 'source'])
  if (!args[k]) { console.error(`alerts_e2e: --${k} missing`); process.exit(2) }
for (const k of ['prometheus', 'sidecar'])
  if (!fs.existsSync(args[k])) {
    console.error(`alerts_e2e: no ${k} at ${args[k]}${k === 'prometheus' ? ': run scripts/setup.sh (Debian package prometheus)' : ''}`)
    process.exit(2)
  }
const require = createRequire(path.join(path.resolve(args.modules), 'noop.js'))
const YAML = require('yaml')

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidemark-alerts-e2e-'))
const dataDir = path.join(tmp, 'data'), store = path.join(tmp, 'store'), socket = path.join(tmp, 'redis.sock')
for (const d of [dataDir, store, path.join(tmp, 'config'), path.join(tmp, 'prometheus')]) fs.mkdirSync(d)
const target = {namespace: 'e2e', pod: 'cache-0', resource: 'cache'}
const children = new Set()

let passed = 0, failed = 0
async function check(name, fn) {
  try { await fn(); passed++; console.log(`ok   ${name}`) } catch (e) { failed++; console.log(`FAIL ${name}: ${e.message}`) }
}
const sleep = ms => new Promise(r => setTimeout(r, ms))
async function waitFor(what, fn, ms = 25000) {
  const deadline = Date.now() + ms
  let last
  for (;;) {
    try { last = await fn(); if (last) return last } catch (e) { last = e.message }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`)
    await sleep(200)
  }
}
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) })
    s.on('error', reject)
  })
}
function start(bin, argv, log, env = {}) {
  const out = fs.openSync(path.join(tmp, log), 'a')
  const child = spawn(bin, argv, {stdio: ['ignore', out, out], env: {...process.env, ...env}})
  fs.closeSync(out)
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}
async function stop(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(r => child.once('exit', r))
  child.kill(signal)
  await Promise.race([exited, sleep(10000).then(() => child.kill('SIGKILL'))])
  await exited
}
const cli = (...a) => execFileSync('redis-cli', ['-s', socket, ...a], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}).trim()
const logTail = name => { try { return fs.readFileSync(path.join(tmp, name), 'utf8').split('\n').slice(-8).join('\n') } catch { return '' } }

// The operator's rendering of examples/hybrid.yaml: its ConfigMap's two files.
function renderedFiles() {
  const golden = JSON.parse(fs.readFileSync(path.join(args.source, 'tests/operator/reconcile/golden/hybrid.json'), 'utf8'))
  const found = {}
  const walk = o => {
    if (Array.isArray(o)) o.forEach(walk)
    else if (o && typeof o === 'object')
      for (const [k, v] of Object.entries(o)) { if (k === 'policy.json' || k === 'persistence.conf') found[k] = v; walk(v) }
  }
  walk(golden)
  assert.ok(found['policy.json'] && found['persistence.conf'], 'hybrid golden file without its ConfigMap data')
  return found
}

const files = renderedFiles()
const policyPath = path.join(tmp, 'config/policy.json'), confPath = path.join(tmp, 'config/persistence.conf')
fs.writeFileSync(policyPath, files['policy.json'])
fs.writeFileSync(confPath, files['persistence.conf'])
fs.writeFileSync(path.join(tmp, 'redis.conf'),
  `include ${confPath}\nport 0\nunixsocket ${socket}\ndir ${dataDir}\ndaemonize no\n` +
  // The one test-only setting: lets the test's local connection CONFIG SET dir (protected in
  // Redis 7) to make BGSAVE fail. It does not change how Redis persists.
  'enable-protected-configs local\n')

let redis, sidecar, prometheus
const sidecarPort = await freePort(), promPort = await freePort()
const sidecarUrl = `http://127.0.0.1:${sidecarPort}`, promUrl = `http://127.0.0.1:${promPort}`

async function startRedis() {
  redis = start('redis-server', [path.join(tmp, 'redis.conf')], 'redis.log')
  await waitFor('redis-server to answer PING', () => cli('PING') === 'PONG', 10000)
}
async function startSidecar() {
  sidecar = start(args.sidecar, ['run', '--redis', `unix:${socket}`, '--store', store, '--policy', policyPath,
                                 '--redis-conf', confPath, '--listen', `127.0.0.1:${sidecarPort}`,
                                 '--work-dir', tmp],
                  'sidecar.log', {POD_NAME: target.pod})
  await waitFor('the sidecar to be ready', async () => (await fetch(`${sidecarUrl}/readyz`)).status === 200, 15000)
}
async function requestBackup() {
  const r = await fetch(`${sidecarUrl}/v1/backups`, {method: 'POST'})
  assert.equal(r.status, 202, `POST /v1/backups: ${r.status} ${await r.text()}`)
}
async function sidecarStatus() { return (await fetch(`${sidecarUrl}/v1/status`)).json() }

async function query(expr) {
  const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)
  const body = await r.json()
  if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`)
  return body.data.result
}
async function firing(alertname) {
  const r = await (await fetch(`${promUrl}/api/v1/alerts`)).json()
  return r.data.alerts.filter(a => a.labels.alertname === alertname && a.state === 'firing')
}
// Fires for our pod, with the summary naming it; then `repair()`, and it must be gone.
async function firesThenResolves(alertname, summary, repair) {
  const [alert] = await waitFor(`${alertname} to fire`, async () => { const a = await firing(alertname); return a.length ? a : null })
  for (const [k, v] of Object.entries(target)) assert.equal(alert.labels[k], v, `${alertname}: label ${k}`)
  assert.equal(alert.annotations.summary, `Redis ${target.namespace}/${target.pod} (RedisPersistence ${target.resource}): ${summary}`)
  assert.match(alert.annotations.runbook_url, new RegExp(`docs/alerts\\.md#${alertname.toLowerCase()}$`))
  await repair()
  await waitFor(`${alertname} to resolve`, async () => (await firing(alertname)).length === 0)
}

const rulesText = fs.readFileSync(path.join(args.source, 'helm/tidemark/files/tidemark-alerts.yaml'), 'utf8')
const dashboard = JSON.parse(fs.readFileSync(path.join(args.source, 'helm/tidemark/files/tidemark-dashboard.json'), 'utf8'))
const rules = YAML.parse(rulesText).groups.flatMap(g => g.rules)

try {
  // Prometheus first: its start is the slow part, the rest overlaps it.
  const fastRules = rulesText.replace(/^(\s+)for: .*$/gm, '$1for: 1s')
  assert.notEqual(fastRules, rulesText)
  fs.writeFileSync(path.join(tmp, 'rules.yaml'), fastRules)
  fs.writeFileSync(path.join(tmp, 'prometheus.yml'), YAML.stringify({
    global: {scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '900ms'},
    rule_files: [path.join(tmp, 'rules.yaml')],
    scrape_configs: [{job_name: 'tidemark-sidecar', static_configs: [{targets: [`127.0.0.1:${sidecarPort}`], labels: target}]}],
  }))
  prometheus = start(args.prometheus, [`--config.file=${path.join(tmp, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(tmp, 'prometheus')}`, `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn'], 'prometheus.log')
  await startRedis()
  cli('SET', 'order:1', 'paid')
  cli('HSET', 'cart:7', 'sku', '42', 'qty', '3')
  await startSidecar()
  await waitFor('Prometheus to be ready', async () => (await fetch(`${promUrl}/-/ready`)).status === 200, 30000)

  await check('Prometheus scrapes the sidecar with the target labels the rules expect', async () => {
    const [up] = await waitFor('a successful scrape', async () => (await query('up{job="tidemark-sidecar"} == 1')).length ? query('up{job="tidemark-sidecar"}') : null)
    for (const [k, v] of Object.entries(target)) assert.equal(up.metric[k], v)
  })

  await check('every sidecar metric the rules and the dashboard use is in the running sidecar\'s /metrics', async () => {
    const exposition = await (await fetch(`${sidecarUrl}/metrics`)).text()
    const exprs = [...rules.map(r => r.expr), ...dashboard.panels.flatMap(p => (p.targets || []).map(t => t.expr))]
    const used = new Set(exprs.flatMap(e => e.match(/tidemark_[a-z0-9_]+/g) || []))
    assert.ok(used.size > 20, `only ${used.size} names found`)
    for (const name of used)
      if (!name.startsWith('tidemark_operator_'))  // the operator's: tests/docs/metrics_doc_test
        assert.match(exposition, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is not exported by tidemark-sidecar`)
  })

  await check('a first backup succeeds, a restore drill of it passes, and no Tidemark alert fires on a healthy pod', async () => {
    await requestBackup()
    await waitFor('the backup to be scraped', async () => (await query('tidemark_backup_last_size_bytes > 0')).length)
    // The drill panels (expected recovery time, time since the last drill) have data only after
    // a drill passed; a real one, of the backup just taken, into a scratch redis-server.
    const r = await fetch(`${sidecarUrl}/v1/drills`, {method: 'POST'})
    assert.equal(r.status, 202, `POST /v1/drills: ${r.status} ${await r.text()}`)
    await waitFor('the drill to pass and be scraped',
                  async () => (await query('tidemark_drill_last_success_timestamp_seconds > 0')).length, 60000)
    await sleep(3000)  // three evaluations
    const alerts = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()).data.alerts
    assert.deepEqual(alerts.map(a => `${a.labels.alertname} ${a.state}`), [])
  })

  await check('BGSAVE into a removed directory: TidemarkBgsaveFailed fires, and resolves after a good save', async () => {
    const gone = path.join(tmp, 'gone')
    fs.mkdirSync(gone)
    assert.equal(cli('CONFIG', 'SET', 'dir', gone), 'OK')
    fs.rmdirSync(gone)
    cli('BGSAVE')
    await waitFor('Redis to report the failed save', () => /rdb_last_bgsave_status:err/.test(cli('INFO', 'persistence')))
    await firesThenResolves('TidemarkBgsaveFailed', 'the last BGSAVE failed', async () => {
      cli('CONFIG', 'SET', 'dir', dataDir)
      cli('BGSAVE')
      await waitFor('Redis to report a good save', () => /rdb_last_bgsave_status:ok/.test(cli('INFO', 'persistence')))
    })
  })

  await check('the backup store replaced by a file: TidemarkBackupFailing fires, and resolves after a good backup', async () => {
    const moved = `${store}.moved`
    fs.renameSync(store, moved)
    fs.writeFileSync(store, 'not a directory\n')
    await requestBackup()
    await waitFor('the failed backup', async () => (await sidecarStatus()).backup.lastResult === 'failure')
    await firesThenResolves('TidemarkBackupFailing', 'the last backup attempt failed', async () => {
      fs.unlinkSync(store)
      fs.renameSync(moved, store)
      await waitFor('the sidecar to accept a backup', async () => {
        const r = await fetch(`${sidecarUrl}/v1/backups`, {method: 'POST'})
        return r.status === 202
      })
      await waitFor('the good backup', async () => (await sidecarStatus()).backup.lastResult === 'success')
    })
  })

  await check('every dashboard panel\'s query returns data from Prometheus', async () => {
    const values = {'$namespace': target.namespace, '$resource': target.resource, '$pod': '.+',
                    '$__rate_interval': '20s', '$__range': '5m'}
    const substitute = e => e.replace(/\$[a-z_]+/g, v => { assert.ok(v in values, `unknown variable ${v}`); return values[v] })
    const targets = dashboard.panels.flatMap(p => (p.targets || []).map(t => ({panel: p.title, expr: t.expr})))
    assert.ok(targets.length >= 15, `${targets.length} queries`)
    const empty = []
    for (const t of targets) if (!(await query(substitute(t.expr))).length) empty.push(`${t.panel}: ${t.expr}`)
    assert.deepEqual(empty, [], 'panels without data')
  })

  await check('the dashboard\'s variables list this namespace, resource and pod', async () => {
    for (const v of dashboard.templating.list.filter(v => v.type === 'query')) {
      const m = /^label_values\((.*), *([a-z_]+)\)$/.exec(v.query.query)
      assert.ok(m, `${v.name}: ${v.query.query}`)
      const selector = m[1].replace('$namespace', target.namespace).replace('$resource', target.resource)
      const r = await (await fetch(`${promUrl}/api/v1/label/${m[2]}/values?match[]=${encodeURIComponent(selector)}`)).json()
      assert.deepEqual(r.data, [target[v.name]], v.name)
    }
  })

  await check('the sidecar stopped: TidemarkSidecarDown fires, and resolves when it is back', async () => {
    await stop(sidecar)
    await firesThenResolves('TidemarkSidecarDown', 'the Tidemark sidecar does not answer', startSidecar)
  })

  await check('Redis stopped: TidemarkSidecarCutOffFromRedis fires, and resolves when Redis is back', async () => {
    try { cli('SHUTDOWN', 'NOSAVE') } catch { /* the connection closes under redis-cli */ }
    await new Promise(r => redis.exitCode !== null ? r() : redis.once('exit', r))
    await firesThenResolves('TidemarkSidecarCutOffFromRedis', 'the sidecar cannot reach Redis', startRedis)
  })
} catch (e) {
  failed++
  console.log(`FAIL setup: ${e.message}`)
} finally {
  if (failed) for (const log of ['sidecar.log', 'redis.log', 'prometheus.log']) console.log(`--- ${log} (tail)\n${logTail(log)}`)
  for (const c of [...children]) await stop(c)
  // Under the sanitizer build, a report in the sidecar's output (written as it exits) fails the test.
  const sidecarLog = fs.readFileSync(path.join(tmp, 'sidecar.log'), 'utf8')
  // Not LeakSanitizer: when the sidecar is stopped with an HTTP request in flight, cpprestsdk's
  // task scheduler leaves a few hundred bytes of pplx tasks behind at exit (seen once in an ASan
  // CI run, 640 bytes, every stack inside libcpprest); leaks of our own code are caught by the
  // ASan runs of the test binaries.
  if (/ERROR: AddressSanitizer|runtime error:/.test(sidecarLog)) {
    failed++
    console.log(`FAIL the sidecar's output has a sanitizer report:\n${sidecarLog.slice(-4000)}`)
  }
  fs.rmSync(tmp, {recursive: true, force: true})
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
