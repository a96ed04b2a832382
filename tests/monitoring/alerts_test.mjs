// The alert rules (helm/tidemark/files/tidemark-alerts.yaml) checked by the real promtool:
// `check rules`, `test rules` on tidemark-alerts.test.yaml, and that the unit tests cover every
// alert both firing and quiet. Each alert names the pod and the resource in its summary, has a
// severity and a runbook_url whose section exists in docs/alerts.md.
//
// usage: node alerts_test.mjs --promtool BIN --modules DIR --source DIR
// Prints one line per check and "N passed, M failed"; exits 1 if any check failed.
import fs from 'node:fs'
import path from 'node:path'
import {execFileSync} from 'node:child_process'
import {createRequire} from 'node:module'
import assert from 'node:assert/strict'

const args = {}
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]
for (const k of ['promtool', 'modules', 'source'])
  if (!args[k]) { console.error(`alerts_test: --${k} missing`); process.exit(2) }
if (!fs.existsSync(args.promtool)) {
  console.error(`alerts_test: no promtool at ${args.promtool}: run scripts/setup.sh (Debian package prometheus)`)
  process.exit(2)
}
const require = createRequire(path.join(path.resolve(args.modules), 'noop.js'))
const YAML = require('yaml')

const rulesFile = path.join(args.source, 'helm/tidemark/files/tidemark-alerts.yaml')
const testsFile = path.join(args.source, 'tests/monitoring/tidemark-alerts.test.yaml')
const runbook = fs.readFileSync(path.join(args.source, 'docs/alerts.md'), 'utf8')
const alerts = YAML.parse(fs.readFileSync(rulesFile, 'utf8')).groups.flatMap(g => g.rules).filter(r => r.alert)
const cases = YAML.parse(fs.readFileSync(testsFile, 'utf8')).tests.flatMap(t => t.alert_rule_test)

let passed = 0, failed = 0
function check(name, fn) {
  try { fn(); passed++; console.log(`ok   ${name}`) } catch (e) { failed++; console.log(`FAIL ${name}: ${e.message}`) }
}
function promtool(...a) {
  try {
    return execFileSync(args.promtool, a, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  } catch (e) {
    throw new Error(`promtool ${a.join(' ')} failed:\n${e.stdout}${e.stderr}`)
  }
}

check('promtool check rules accepts the rules file', () => {
  assert.match(promtool('check', 'rules', rulesFile), new RegExp(`SUCCESS: ${alerts.length} rules found`))
})

check('promtool test rules: every case passes', () => {
  assert.match(promtool('test', 'rules', testsFile), /SUCCESS/)
})

check('every alert has a unit test where it fires and one where it stays quiet', () => {
  assert.ok(alerts.length >= 12, `only ${alerts.length} alerts`)
  for (const a of alerts) {
    const mine = cases.filter(c => c.alertname === a.alert)
    assert.ok(mine.some(c => (c.exp_alerts || []).length > 0), `${a.alert}: no case where it fires`)
    assert.ok(mine.some(c => (c.exp_alerts || []).length === 0), `${a.alert}: no case where it is quiet`)
  }
  for (const c of cases) assert.ok(alerts.some(a => a.alert === c.alertname), `a case tests unknown alert ${c.alertname}`)
})

check('every alert: a severity, a summary naming namespace, pod and resource, a runbook section in docs/alerts.md', () => {
  // GitHub's anchor of "## TidemarkBgsaveFailed" is "#tidemarkbgsavefailed".
  const anchors = new Set([...runbook.matchAll(/^#+ +(.+)$/gm)].map(m => m[1].trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')))
  for (const a of alerts) {
    assert.ok(['critical', 'warning'].includes(a.labels?.severity), `${a.alert}: severity ${a.labels?.severity}`)
    for (const l of ['namespace', 'pod', 'resource'])
      assert.ok(a.annotations.summary.includes(`{{ $labels.${l} }}`), `${a.alert}: the summary lacks $labels.${l}`)
    const m = /^https:\/\/github\.com\/tidemark-dev\/tidemark\/blob\/main\/docs\/alerts\.md#(.+)$/.exec(a.annotations.runbook_url)
    assert.ok(m, `${a.alert}: runbook_url ${a.annotations.runbook_url} is not into docs/alerts.md`)
    assert.ok(anchors.has(m[1]), `${a.alert}: docs/alerts.md has no section #${m[1]}`)
  }
})

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
