// Parity: every operation of bindings/host/operations.toml exists in Node (camelCase), and the
// operations Node gained for parity behave.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { pd, thrown, NOW } from './helpers.mjs'

const LIST = new URL('../../host/operations.toml', import.meta.url)

/** The `[desk]`, `[module]` and `[naming]` keys of the list, in file order. */
function operations() {
  /** @type {Record<string, string[]>} */
  const found = {}
  /** @type {Record<string, string>} */
  const rules = {}
  let section = ''
  for (const line of readFileSync(LIST, 'utf8').split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line.trim())
    if (header) {
      section = header[1]
      found[section] = []
      continue
    }
    const entry = /^(\w+) = "([^"]*)"/.exec(line)
    if (entry) {
      found[section].push(entry[1])
      if (section === 'naming') rules[entry[1]] = entry[2]
    }
  }
  return { found, rules }
}

/** @param {string} key @param {string} rule */
function hostName(key, rule) {
  if (rule === 'snake_case') return key
  return key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
}

test('the list is read and has no duplicates', () => {
  const { found, rules } = operations()
  assert.ok(found.desk.length >= 60 && found.module.length >= 10)
  for (const s of ['desk', 'module']) assert.equal(new Set(found[s]).size, found[s].length, s)
  assert.equal(rules.node, 'camelCase')
})

test('Node has every operation', () => {
  const { found, rules } = operations()
  const name = (/** @type {string} */ k) => hostName(k, rules.node)
  const onDesk = (/** @type {string} */ n) => n in pd.Desk.prototype || n in pd.Desk
  const missing = [
    ...found.desk.map(name).filter((n) => !onDesk(n)).map((n) => `Desk.${n}`),
    ...found.module.map(name).filter((n) => !(n in pd)),
  ]
  assert.deepEqual(missing, [], `Node lacks: ${missing.join(', ')}`)
})

/** @type {import('../index.d.ts').Actor} */
const admin = { kind: 'operator', id: 'admin' }

test('selectIds lists every match in sort order', () => {
  const desk = pd.Desk.demo(300, 4)
  const ids = desk.selectIds('assoc=reseller', { sort: 'mtd', descending: true })
  assert.equal(ids.length, desk.count('assoc=reseller'))
  assert.ok(ids.length > 20)
  const first = desk.searchIds('assoc=reseller', { sort: 'mtd', descending: true, limit: 20 })
  assert.deepEqual(ids.slice(0, 20), first.ids)
})

test('a shared cursor key makes cursors portable', () => {
  const a = pd.Desk.demo(200, 3)
  const b = pd.Desk.fromSnapshotJson(a.toSnapshotJson())
  const cursor = a.search('', { limit: 10 }).nextCursor
  // Loaded from a's snapshot, b shares its key; a new secret on b refuses a's cursors until
  // both hold it.
  const secret = Buffer.from('a shared secret of 32 bytes.....')
  b.setCursorKey(secret)
  assert.equal(thrown(() => b.search('', { limit: 10, cursor })).code, 'INVALID_CURSOR')
  a.setCursorKey(secret)
  const next = a.search('', { limit: 10 }).nextCursor
  assert.deepEqual(b.search('', { limit: 10, cursor: next }).rows, a.search('', { limit: 10, cursor: next }).rows)
  assert.equal(thrown(() => a.setCursorKey(Buffer.from('short'))).code, 'INVALID_ARGUMENT')
})

test('the upkeep operations answer', () => {
  const desk = pd.Desk.demo(50, 6)
  const id = desk.selectIds('')[0]
  assert.ok(desk.operators().some((o) => o.id === 'admin' && o.role === 'administrator'))
  assert.ok(desk.tick({ now: NOW }) > 0, 'the demo has authorizations and budgets due at its now')
  assert.equal(desk.tick({ now: NOW }), 0, 'a second tick at the same instant finds nothing to do')
  assert.equal(thrown(() => desk.requireAuthorization(id, 'place_orders')).code, 'AUTHORIZATION_REQUIRED')
  assert.ok(Array.isArray(desk.managerHistory(id)))
  assert.ok(Array.isArray(desk.budgetRecords(id)))
  assert.equal(desk.managerSpend(admin, 'am_001', '2026-11-01', '2026-11-29').currency, 'CNY')
  assert.equal(thrown(() => desk.managerSpend(admin, 'am_001', '2026-11', '2026-11-29')).code, 'INVALID_DATE')
  desk.rollTo({ now: NOW })
  desk.removeCustomer(id)
  assert.equal(thrown(() => desk.customerRow(id)).code, 'CUSTOMER_NOT_FOUND')
})

test('applyEvents replays what another desk emitted', () => {
  const a = pd.Desk.demo(30, 8)
  const b = pd.Desk.fromSnapshotJson(a.toSnapshotJson())
  a.grantPermissions(admin, 'am_001', ['PD_VIEW_SPEND'])
  b.applyEvents(a.eventsJson())
  assert.equal(b.chainHead(), a.chainHead())
  assert.equal(thrown(() => b.applyEvents('not json')).code, 'MALFORMED_JSON')
})

test('setBudget takes alert thresholds', () => {
  const desk = pd.Desk.demo(50, 6)
  const id = desk.selectIds('assoc=reseller')[0]
  desk.setBudget(admin, id, '1000', { thresholds: ['50', '80'] })
  const saved = JSON.parse(desk.toSnapshotJson()).customers.find((/** @type {any} */ c) => c.id === id)
  assert.deepEqual(saved.budget.thresholds.map(String), ['50', '80'])
  assert.equal(thrown(() => desk.setBudget(admin, id, '1000', { thresholds: ['x'] })).code, 'INVALID_ARGUMENT')
})
