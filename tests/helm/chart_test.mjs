// The Helm chart, rendered and linted by the real helm binary: default and non-default values,
// security defaults, least-privilege RBAC equal to the chart's one table, the CRD identical to
// crds/, and values.schema.json refusing bad values at install time.
//
// usage: node chart_test.mjs --helm BIN --modules DIR --chart DIR --crds DIR --operator BIN
// Prints one line per check and "N passed, M failed"; exits 1 if any check failed.
import fs from 'node:fs'
import path from 'node:path'
import {execFileSync} from 'node:child_process'
import {createRequire} from 'node:module'
import assert from 'node:assert/strict'

const args = {}
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]
for (const k of ['helm', 'modules', 'chart', 'crds', 'operator'])
  if (!args[k]) { console.error(`chart_test: --${k} missing`); process.exit(2) }
if (!fs.existsSync(args.helm)) { console.error(`chart_test: no helm at ${args.helm}: run scripts/setup.sh`); process.exit(2) }
const require = createRequire(path.join(path.resolve(args.modules), 'noop.js'))
let YAML
try { YAML = require('yaml') } catch { console.error('chart_test: npm module yaml missing: run scripts/setup.sh'); process.exit(2) }

function helm(...a) {
  return execFileSync(args.helm, a, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
}
function helmFails(...a) {
  try { helm(...a) } catch (e) { return String(e.stderr) }
  return null
}
function render(...set) {
  const out = helm('template', 'rel', args.chart, '--namespace', 'ops', ...set.flatMap(s => ['--set', s]))
  return YAML.parseAllDocuments(out).map(d => d.toJS()).filter(Boolean)
}
// The first object (depth first) in `o` for which `pred` holds.
function findDeep(o, pred) {
  if (!o || typeof o !== 'object') return null
  if (!Array.isArray(o) && pred(o)) return o
  for (const v of Object.values(o)) { const r = findDeep(v, pred); if (r) return r }
  return null
}
const find = (docs, kind, name) => docs.filter(d => d.kind === kind && (!name || d.metadata.name === name))

let passed = 0, failed = 0
function check(name, fn) {
  try { fn(); passed++; console.log(`ok   ${name}`) } catch (e) { failed++; console.log(`FAIL ${name}: ${e.message}`) }
}

const table = YAML.parse(fs.readFileSync(path.join(args.chart, 'files/rbac-rules.yaml'), 'utf8'))

check('the rules file is the operator code\'s RBAC table (tidemark-operator --print-rbac)', () => {
  const printed = execFileSync(args.operator, ['--print-rbac'], {encoding: 'utf8'})
  const file = fs.readFileSync(path.join(args.chart, 'files/rbac-rules.yaml'), 'utf8')
  assert.equal(file, printed, 'stale: run tidemark-operator --print-rbac > helm/tidemark/files/rbac-rules.yaml')
  assert.ok(table.length > 0)
})

check('helm lint passes with default and non-default values', () => {
  helm('lint', '--strict', args.chart)
  helm('lint', '--strict', args.chart, '--set', 'replicaCount=3,watchNamespace=apps,metrics.serviceMonitor.enabled=true,logLevel=debug')
})

check('default render: cluster-wide RBAC from the one table, one operator, no leader election', () => {
  const docs = render()
  const roles = find(docs, 'ClusterRole')
  assert.equal(roles.length, 1)
  assert.deepEqual(roles[0].rules, table)
  assert.equal(find(docs, 'Role').length, 0)
  const binding = find(docs, 'ClusterRoleBinding')[0]
  assert.equal(binding.subjects[0].name, find(docs, 'ServiceAccount')[0].metadata.name)
  assert.equal(binding.subjects[0].namespace, 'ops')
  const dep = find(docs, 'Deployment')[0]
  assert.equal(dep.spec.replicas, 1)
  assert.ok(!dep.spec.template.spec.containers[0].args.includes('--leader-elect'))
  // Each set's NetworkPolicy is on unless the value turns it off.
  assert.ok(dep.spec.template.spec.containers[0].args.includes('--network-policy=true'))
  const off = find(render('networkPolicy.enabled=false'), 'Deployment')[0]
  assert.ok(off.spec.template.spec.containers[0].args.includes('--network-policy=false'))
})

check('no rule grants wildcards, escalation or secrets beyond the set token', () => {
  for (const rule of table) {
    for (const field of ['apiGroups', 'resources', 'verbs']) assert.ok(!rule[field].includes('*'), `${field} has *`)
    assert.ok(!rule.verbs.some(v => ['escalate', 'bind', 'impersonate'].includes(v)))
    // Secrets: the set's peer token only, read by name and created once; never listed, watched,
    // updated or deleted (a list or watch would read every Secret of a namespace).
    if (rule.resources.includes('secrets')) assert.deepEqual([...rule.verbs].sort(), ['create', 'get'])
  }
})

check('security defaults: non-root, read-only root, no escalation, no capabilities, RuntimeDefault', () => {
  const pod = find(render(), 'Deployment')[0].spec.template.spec
  assert.equal(pod.securityContext.runAsNonRoot, true)
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault')
  const c = pod.containers[0].securityContext
  assert.equal(c.runAsNonRoot, true)
  assert.equal(c.readOnlyRootFilesystem, true)
  assert.equal(c.allowPrivilegeEscalation, false)
  assert.deepEqual(c.capabilities.drop, ['ALL'])
  assert.equal(c.seccompProfile.type, 'RuntimeDefault')
})

check('more than one replica turns on leader election in the release namespace', () => {
  const dep = find(render('replicaCount=2'), 'Deployment')[0]
  const a = dep.spec.template.spec.containers[0].args
  assert.ok(a.includes('--leader-elect'))
  assert.ok(a.includes('--leader-election-namespace=ops'))
})

check('namespace-scoped mode: a Role in the watched namespace, leases in the release namespace', () => {
  const docs = render('watchNamespace=apps')
  // The one cluster-wide grant: reading StorageClasses (cluster-scoped, so no Role can).
  const clusterRoles = find(docs, 'ClusterRole')
  assert.equal(clusterRoles.length, 1)
  assert.deepEqual(clusterRoles[0].rules, table.filter(r => r.resources.includes('storageclasses')))
  assert.ok(clusterRoles[0].rules.length > 0 && clusterRoles[0].rules.every(r => r.verbs.every(v => v === 'get')))
  const crb = find(docs, 'ClusterRoleBinding')
  assert.equal(crb.length, 1)
  assert.equal(crb[0].roleRef.name, clusterRoles[0].metadata.name)
  assert.equal(crb[0].subjects[0].namespace, 'ops')
  const main = find(docs, 'Role').find(r => r.metadata.namespace === 'apps')
  assert.deepEqual(main.rules, table)
  const le = find(docs, 'Role').find(r => r.metadata.namespace === 'ops')
  assert.deepEqual(le.rules, table.filter(r => r.resources.includes('leases')))
  assert.ok(find(docs, 'Deployment')[0].spec.template.spec.containers[0].args.includes('--watch-namespace=apps'))
})

check('scheduling and image values reach the pod', () => {
  const docs = render('nodeSelector.disk=ssd', 'tolerations[0].key=dedicated', 'tolerations[0].operator=Exists',
                      'priorityClassName=high', 'image.tag=1.2.3', 'image.pullPolicy=Always')
  const pod = find(docs, 'Deployment')[0].spec.template.spec
  assert.equal(pod.nodeSelector.disk, 'ssd')
  assert.equal(pod.tolerations[0].key, 'dedicated')
  assert.equal(pod.priorityClassName, 'high')
  assert.match(pod.containers[0].image, /:1\.2\.3$/)
  assert.equal(pod.containers[0].imagePullPolicy, 'Always')
})

check('metrics Service by default; ServiceMonitor only when asked', () => {
  assert.equal(find(render(), 'Service').length, 1)
  assert.equal(find(render(), 'ServiceMonitor').length, 0)
  const sm = find(render('metrics.serviceMonitor.enabled=true'), 'ServiceMonitor')
  assert.equal(sm.length, 1)
  assert.equal(sm[0].spec.endpoints[0].path, '/metrics')
  assert.ok(helmFails('template', 'rel', args.chart, '--set', 'metrics.serviceMonitor.enabled=true,metrics.service.enabled=false'))
})

check('monitoring: nothing by default; the alerts, PodMonitor and dashboard only when asked, and they lint', () => {
  const docs = render()
  assert.equal(find(docs, 'PrometheusRule').length + find(docs, 'PodMonitor').length + find(docs, 'ConfigMap').length, 0)
  helm('lint', '--strict', args.chart, '--set',
       'monitoring.prometheusRule.enabled=true,monitoring.podMonitor.enabled=true,monitoring.dashboard.enabled=true')
  assert.ok(helmFails('template', 'rel', args.chart, '--set', 'monitoring.podMonitor.interval=often'))
  assert.ok(helmFails('template', 'rel', args.chart, '--set', 'monitoring.alerts=true'))
})

check('the PrometheusRule is the plain rules file, unchanged', () => {
  const rules = find(render('monitoring.prometheusRule.enabled=true', 'monitoring.prometheusRule.labels.release=kps'), 'PrometheusRule')
  assert.equal(rules.length, 1)
  assert.equal(rules[0].metadata.namespace, 'ops')
  assert.equal(rules[0].metadata.labels.release, 'kps')
  const file = YAML.parse(fs.readFileSync(path.join(args.chart, 'files/tidemark-alerts.yaml'), 'utf8'))
  assert.deepEqual(rules[0].spec, file)
  assert.ok(rules[0].spec.groups[0].rules.length >= 12)
})

check('the PodMonitor scrapes the sidecar port of the pods the operator renders, with the labels the rules expect', () => {
  // The operator's rendering of an example (tests/operator/reconcile keeps it current).
  const golden = JSON.parse(fs.readFileSync(path.join(args.chart, '../../tests/operator/reconcile/golden/hybrid.json'), 'utf8'))
  const sts = findDeep(golden, o => o.kind === 'StatefulSet')
  assert.ok(sts, 'no StatefulSet in the golden file')
  const podLabels = sts.spec.template.metadata.labels
  const sidecar = sts.spec.template.spec.containers.find(c => c.name === 'sidecar')
  const pm = find(render('monitoring.podMonitor.enabled=true'), 'PodMonitor')
  assert.equal(pm.length, 1)
  for (const [k, v] of Object.entries(pm[0].spec.selector.matchLabels)) assert.equal(podLabels[k], v, `pod label ${k}`)
  assert.deepEqual(pm[0].spec.namespaceSelector, {any: true})
  const ep = pm[0].spec.podMetricsEndpoints[0]
  assert.ok(sidecar.ports.some(p => p.name === ep.port), `the sidecar container has no port ${ep.port}`)
  assert.equal(ep.path, '/metrics')
  assert.deepEqual(ep.relabelings.find(r => r.targetLabel === 'job'), {targetLabel: 'job', replacement: 'tidemark-sidecar'})
  const resource = ep.relabelings.find(r => r.targetLabel === 'resource')
  assert.deepEqual(resource.sourceLabels, ['__meta_kubernetes_pod_label_app_kubernetes_io_instance'])
  assert.equal(podLabels['app.kubernetes.io/instance'], sts.metadata.name)  // the resource's name
  const scoped = find(render('monitoring.podMonitor.enabled=true', 'watchNamespace=apps'), 'PodMonitor')[0]
  assert.deepEqual(scoped.spec.namespaceSelector, {matchNames: ['apps']})
})

check('the dashboard ConfigMap carries the Grafana sidecar label and the dashboard file, unchanged', () => {
  const cms = find(render('monitoring.dashboard.enabled=true'), 'ConfigMap')
  assert.equal(cms.length, 1)
  assert.equal(cms[0].metadata.labels.grafana_dashboard, '1')
  assert.equal(cms[0].metadata.namespace, 'ops')
  const file = fs.readFileSync(path.join(args.chart, 'files/tidemark-dashboard.json'), 'utf8')
  assert.deepEqual(JSON.parse(cms[0].data['tidemark-persistence.json']), JSON.parse(file))
  const elsewhere = find(render('monitoring.dashboard.enabled=true', 'monitoring.dashboard.namespace=grafana'), 'ConfigMap')[0]
  assert.equal(elsewhere.metadata.namespace, 'grafana')
})

check('the chart CRD is the same file as crds/', () => {
  for (const f of fs.readdirSync(args.crds)) {
    const a = fs.readFileSync(path.join(args.crds, f))
    const b = fs.readFileSync(path.join(args.chart, 'crds', f))
    assert.ok(a.equals(b), `${f} differs between crds/ and the chart`)
  }
  assert.deepEqual(fs.readdirSync(path.join(args.chart, 'crds')).sort(), fs.readdirSync(args.crds).sort())
})

check('values.schema.json refuses bad values at install time', () => {
  const bad = ['replicaCount=0', 'securityContext.allowPrivilegeEscalation=true', 'image.pullPolicy=Sometimes',
               'logLevel=loud', 'watchNamespace=Bad_Name', 'notAValue=1', 'metrics.port=70000']
  for (const b of bad) assert.ok(helmFails('template', 'rel', args.chart, '--set', b), `accepted ${b}`)
})

check('NOTES.txt names the next steps', () => {
  // helm renders NOTES only on install, which needs a cluster; lint (above) renders it for syntax.
  const notes = fs.readFileSync(path.join(args.chart, 'templates/NOTES.txt'), 'utf8')
  assert.match(notes, /kubectl explain redispersistence\.spec/)
  assert.match(notes, /tidemark\.dev\/backup-now=/)  // the annotation the operator relays
  assert.match(notes, /POST http:\/\/127\.0\.0\.1:9121\/v1\/backups/)  // the sidecar's own API
  assert.match(notes, /rollout status/)
  assert.match(notes, /monitoring\.prometheusRule\.enabled=true/)  // the alerts are opt-in: say so
})

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
