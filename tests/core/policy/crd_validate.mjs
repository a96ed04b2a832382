// Validates manifests against the RedisPersistence CRD the way the API server would:
// YAML 1.1 parsing (as kubectl), structural defaulting, the OpenAPI schema with strict field
// validation (unknown fields refused; checked by ajv, a real JSON-schema validator), then the
// CEL rules (x-kubernetes-validations, evaluated by cel-js with Kubernetes' quantity()).
//
// usage: node crd_validate.mjs --modules DIR --crd CRD.yaml --examples DIR
//   DIR/*.yaml must be accepted; DIR/invalid/*.yaml must be refused as their header says:
//     # expect: <the message tidemark's validation prints>
//     # rejected-by: schema | cel | tidemark
//   schema: the OpenAPI schema refuses it; cel: the schema accepts it and a CEL rule refuses it
//   with exactly the expected message; tidemark: the CRD cannot tell, only tidemark's own
//   validation refuses it (the CRD must then accept it).
// Also checks that every `default` in the CRD is valid against its own schema and that every
// CEL rule compiles. Exits 0 when all checks pass, 1 when one fails, 2 on usage or setup errors
// (the npm modules are missing: run scripts/setup.sh).
import fs from 'node:fs'
import path from 'node:path'
import {createRequire} from 'node:module'
import {pathToFileURL} from 'node:url'

function die(message) {
  console.error(`crd_validate: ${message}`)
  process.exit(2)
}

const args = {}
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]
if (!args.modules || !args.crd || !args.examples) die('usage: --modules DIR --crd FILE --examples DIR')

let Ajv, addFormats, YAML, cel
try {
  const require = createRequire(path.join(path.resolve(args.modules), 'noop.js'))
  Ajv = require('ajv')
  addFormats = require('ajv-formats')
  YAML = require('yaml')
  cel = await import(pathToFileURL(path.join(path.resolve(args.modules), '@marcbachmann/cel-js/lib/index.js')).href)
} catch (e) {
  die(`cannot load ajv, ajv-formats, yaml and @marcbachmann/cel-js from ${args.modules}: ${e.message}\n` +
      'crd_validate: install them with: bash scripts/setup.sh')
}

const crd = YAML.parse(fs.readFileSync(args.crd, 'utf8'))
const version = crd.spec.versions[0]
const expectedApiVersion = `${crd.spec.group}/${version.name}`
const rootSchema = version.schema.openAPIV3Schema

// --- CEL with the Kubernetes quantity library (the part the rules use) ---
class Quantity { constructor(value) { this.value = value } }
const kSuffix = {'': 1n, k: 1000n, M: 1000n ** 2n, G: 1000n ** 3n, T: 1000n ** 4n, P: 1000n ** 5n, E: 1000n ** 6n,
  Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n}
function parseQuantity(text) {
  const m = /^([0-9]+)(?:\.([0-9]+))?([KMGTPE]i|[kMGTPE])?$/.exec(text)
  if (!m) throw new Error(`quantity(): unsupported quantity ${text}`)
  const frac = m[2] ?? ''
  // value * 10^len(frac), compared consistently below by scaling both sides.
  return new Quantity({scaled: BigInt(m[1] + frac) * kSuffix[m[3] ?? ''], scale: 10n ** BigInt(frac.length)})
}
const celEnv = new cel.Environment()
  .registerType('Quantity', Quantity)
  .registerVariable('self', 'dyn')
  .registerFunction('quantity(string): Quantity', parseQuantity)
  .registerFunction({name: 'isGreaterThan', receiverType: 'Quantity', returnType: 'bool',
    params: [{name: 'other', type: 'Quantity'}],
    handler: (a, b) => a.value.scaled * b.value.scale > b.value.scaled * a.value.scale})

// CEL sees JSON integers as int (BigInt here), as the API server does.
function toCel(value) {
  if (Array.isArray(value)) return value.map(toCel)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]))
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value)
  return value
}

// --- schema walking ---
function childSchemas(schema, fn) {
  for (const [k, s] of Object.entries(schema.properties ?? {})) fn(s, k)
  if (schema.items) fn(schema.items, '[]')
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') fn(schema.additionalProperties, '*')
}

// Structural defaulting: a missing property with a default gets it, in objects that exist.
function applyDefaults(schema, value) {
  if (Array.isArray(value)) { if (schema.items) value.forEach(v => applyDefaults(schema.items, v)); return }
  if (!value || typeof value !== 'object') return
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    if (value[k] === undefined && s.default !== undefined) value[k] = structuredClone(s.default)
    if (value[k] !== undefined) applyDefaults(s, value[k])
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    for (const [k, v] of Object.entries(value)) if (!(schema.properties ?? {})[k]) applyDefaults(schema.additionalProperties, v)
}

// kubectl's strict field validation refuses unknown fields; the CRD cannot say
// additionalProperties: false (forbidden in structural schemas), so it is added here.
function strictCopy(schema) {
  const copy = structuredClone(schema)
  const walk = s => {
    if (s.type === 'object' && s.properties && s.additionalProperties === undefined) s.additionalProperties = false
    childSchemas(s, walk)
  }
  walk(copy)
  return copy
}

function celErrors(schema, value, where, out) {
  if (value === undefined || value === null) return
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    const ok = celEnv.evaluate(rule.rule, {self: toCel(value)})
    if (ok !== true) out.push(`${where}${rule.fieldPath ?? ''}: ${rule.message}`)
  }
  if (Array.isArray(value)) { if (schema.items) value.forEach((v, i) => celErrors(schema.items, v, `${where}[${i}]`, out)); return }
  if (typeof value !== 'object') return
  for (const [k, s] of Object.entries(schema.properties ?? {})) celErrors(s, value[k], where ? `${where}.${k}` : k, out)
}

const ajv = new Ajv({strict: true, strictTypes: false, allErrors: true})  // int-or-string nodes put pattern beside anyOf
addFormats(ajv)
for (const k of ['x-kubernetes-validations', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource'])
  ajv.addKeyword(k)
const validateSchema = ajv.compile(strictCopy(rootSchema))

let passed = 0, failed = 0
function check(ok, label, detail = []) {
  if (ok) { passed++; console.log(`ok   ${label}`) } else { failed++; console.log(`FAIL ${label}`); detail.forEach(d => console.log(`     ${d}`)) }
}

// The CRD's own consistency.
const defaultsChecked = []
;(function walk(schema, where) {
  if (schema.default !== undefined) {
    const v = ajv.compile(strictCopy({...schema, default: undefined}))
    const ok = v(structuredClone(schema.default))
    defaultsChecked.push(where)
    if (!ok) check(false, `default of ${where} is valid`, v.errors.map(e => `${e.instancePath} ${e.message}`))
  }
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    try { celEnv.parse(rule.rule) } catch (e) { check(false, `CEL rule at ${where} compiles: ${rule.rule}`, [e.message]) }
  }
  childSchemas(schema, (s, k) => walk(s, k === '[]' ? `${where}[]` : `${where}.${k}`))
})(rootSchema, '')
check(defaultsChecked.length > 10, `the CRD declares defaults (${defaultsChecked.length}) and each is valid`)

// Everything the API server would report for a manifest.
function review(file) {
  const text = fs.readFileSync(file, 'utf8')
  const docs = YAML.parseAllDocuments(text, {version: '1.1'})
  if (docs.length !== 1 || docs[0].errors.length) return {schema: [`${file}: not one YAML document`], cel: []}
  const obj = docs[0].toJS()
  const schema = []
  if (obj?.apiVersion !== expectedApiVersion || obj?.kind !== crd.spec.names.kind)
    schema.push(`apiVersion/kind must be ${expectedApiVersion} ${crd.spec.names.kind}`)
  applyDefaults(rootSchema, obj)
  if (!validateSchema(obj)) schema.push(...validateSchema.errors.map(e => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`))
  const celOut = []
  if (schema.length === 0) celErrors(rootSchema, obj, '', celOut)
  return {schema, cel: celOut}
}

const yamls = dir => fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort().map(f => path.join(dir, f))
const valid = yamls(args.examples)
const invalid = yamls(path.join(args.examples, 'invalid'))
check(valid.length >= 5 && invalid.length >= 10, `found ${valid.length} examples and ${invalid.length} negative examples`)

for (const file of valid) {
  const r = review(file)
  check(r.schema.length === 0 && r.cel.length === 0, `accepted: ${path.basename(file)}`, [...r.schema, ...r.cel])
}
for (const file of invalid) {
  const text = fs.readFileSync(file, 'utf8')
  const expect = /^# expect: (.*)$/m.exec(text)?.[1]
  const by = /^# rejected-by: (schema|cel|tidemark)$/m.exec(text)?.[1]
  const name = `invalid/${path.basename(file)}`
  if (!expect || !by) { check(false, `${name} has "# expect:" and "# rejected-by:" headers`); continue }
  const r = review(file)
  if (by === 'schema') check(r.schema.length > 0, `${name}: refused by the schema`, r.schema)
  else if (by === 'cel') check(r.schema.length === 0 && r.cel.includes(expect), `${name}: refused by CEL with "${expect}"`, [...r.schema, ...r.cel])
  else check(r.schema.length === 0 && r.cel.length === 0, `${name}: accepted by the CRD (tidemark alone refuses it)`, [...r.schema, ...r.cel])
}

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
