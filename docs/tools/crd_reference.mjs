// Generates docs/reference.md, the RedisPersistence field reference, from the CRD's schema:
// every field with its type, default, constraints and description, and the CEL rules.
//
// usage: node crd_reference.mjs --modules DIR --crd FILE [--check FILE | --write FILE]
//   --write: (re)writes FILE.  --check: exits 1 when FILE differs from what would be written
//   (a test runs this, so the reference can never go stale).
import fs from 'node:fs'
import path from 'node:path'
import {createRequire} from 'node:module'

const args = {}
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]
if (!args.modules || !args.crd || !(args.check || args.write)) {
  console.error('usage: --modules DIR --crd FILE (--check FILE | --write FILE)')
  process.exit(2)
}
const require = createRequire(path.join(path.resolve(args.modules), 'noop.js'))
const YAML = require('yaml')
const crd = YAML.parse(fs.readFileSync(args.crd, 'utf8'))
const version = crd.spec.versions[0]
const root = version.schema.openAPIV3Schema

const oneLine = s => (s ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')
function typeOf(node) {
  if (node['x-kubernetes-int-or-string']) return 'int or string'
  if (node.type === 'array') return `[]${node.items ? typeOf(node.items) : 'any'}`
  if (node.type === 'object' && node.additionalProperties) return `map[string]${typeOf(node.additionalProperties)}`
  return node.type ?? 'any'
}
function constraints(node) {
  const c = []
  if (node.enum) c.push('one of ' + node.enum.map(v => `\`${v}\``).join(', '))
  if (node.minimum !== undefined) c.push(`≥ ${node.minimum}`)
  if (node.maximum !== undefined) c.push(`≤ ${node.maximum}`)
  if (node.minLength !== undefined) c.push(`length ≥ ${node.minLength}`)
  if (node.maxLength !== undefined) c.push(`length ≤ ${node.maxLength}`)
  if (node.minItems !== undefined) c.push(`items ≥ ${node.minItems}`)
  if (node.maxItems !== undefined) c.push(`items ≤ ${node.maxItems}`)
  if (node.pattern) c.push(`pattern \`${node.pattern.replace(/\|/g, '\\|')}\``)
  if (node.format) c.push(`format ${node.format}`)
  return c.join('; ')
}

const rows = []
const rules = []
function walk(node, where, required) {
  for (const r of node['x-kubernetes-validations'] ?? []) rules.push({where: where || '(resource)', ...r})
  if (where) {
    const def = node.default !== undefined ? `\`${JSON.stringify(node.default)}\`` : ''
    rows.push(`| \`${where}\` | ${typeOf(node)}${required ? ' (required)' : ''} | ${def} | ${constraints(node)} | ${oneLine(node.description)} |`)
  }
  const props = node.type === 'array' ? node.items?.properties : node.properties
  const req = new Set((node.type === 'array' ? node.items?.required : node.required) ?? [])
  const base = node.type === 'array' ? `${where}[]` : where
  for (const [name, child] of Object.entries(props ?? {})) {
    if (!where && ['apiVersion', 'kind', 'metadata'].includes(name)) continue
    walk(child, base ? `${base}.${name}` : name, req.has(name))
  }
  if (node.type === 'array' && node.items?.['x-kubernetes-validations'] && !node.items.properties)
    for (const r of node.items['x-kubernetes-validations']) rules.push({where: `${where}[]`, ...r})
}
walk(root, '', false)

const out = `# RedisPersistence reference

<!-- Generated from ${path.basename(args.crd)} by docs/tools/crd_reference.mjs; do not edit.
     A test (docs.reference_is_current) fails when this file is stale. -->

\`${crd.spec.group}/${version.name}\`, kind \`${crd.spec.names.kind}\` (plural \`${crd.spec.names.plural}\`,
short name \`${(crd.spec.names.shortNames ?? []).join(', ')}\`), ${crd.spec.scope.toLowerCase()}, with the status
subresource. ${oneLine(root.description)}

\`kubectl explain redispersistence.spec\` prints the same descriptions from a cluster.

## Fields

| field | type | default | constraints | description |
|---|---|---|---|---|
${rows.join('\n')}

## Rules across fields (CEL, checked by the API server)

| where | rule | message |
|---|---|---|
${rules.map(r => `| \`${r.where}\` | \`${oneLine(r.rule)}\` | ${oneLine(r.message ?? r.messageExpression)} |`).join('\n')}
`

if (args.write) {
  fs.writeFileSync(args.write, out)
} else {
  const have = fs.existsSync(args.check) ? fs.readFileSync(args.check, 'utf8') : ''
  if (have !== out) {
    console.error(`${args.check} is stale: run node docs/tools/crd_reference.mjs --modules tools/node_modules --crd ${args.crd} --write ${args.check}`)
    console.log('0 passed, 1 failed')
    process.exit(1)
  }
  console.log('1 passed, 0 failed')
}
