// Masking policies for lists and exports, keyed pseudonyms, and event replay.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd, rejected } from './helpers.mjs'

/** @type {import('../index.d.ts').Actor} */
const admin = { kind: 'operator', id: 'admin' }
/** @param {string} kind @returns {import('../index.d.ts').MaskRule} */
const r = (kind) => ({ kind: /** @type {any} */ (kind) })

test('row policies: the console default, configurable, never clear for names', () => {
  const desk = pd.Desk.demo(100, 4)
  const policy = desk.rowPolicy()
  assert.equal(policy.name.kind, 'default')
  const [id] = desk.searchIds('*', { limit: 1 }).ids
  desk.setRowPolicy({ ...policy, name: { kind: 'fixed', text: '[customer]' }, accountName: r('hidden') })
  const row = desk.customerRow(id)
  assert.equal(row.name, '[customer]')
  assert.equal(row.accountName, '')
  assert.deepEqual(desk.rowPolicy().name, { kind: 'fixed', text: '[customer]' })
  const before = desk.rowPolicy()
  assert.throws(() => desk.setRowPolicy({ ...policy, name: r('clear') }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.setRowPolicy({ ...policy, mobile: r('pseudonym') }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.setRowPolicy({ ...policy, email: r('sparkles') }), { code: 'INVALID_ARGUMENT' })
  assert.deepEqual(desk.rowPolicy(), before, 'nothing changed')
  desk.setRowPolicy({ ...policy, name: { kind: 'keep', first: 2, last: 1 } })
  assert.deepEqual(desk.rowPolicy().name, { kind: 'keep', first: 2, last: 1 })
})

test('exports with keyed pseudonyms: stable per value, refused without a key', async () => {
  const desk = pd.Desk.demo(50, 4)
  const masks = { ...desk.exportPolicy(), name: r('pseudonym') }
  const ids = desk.searchIds('*', { limit: 3 }).ids
  const opts = { columns: ['customer_id', 'name'], masks }
  assert.equal((await rejected(desk.exportToBuffer(admin, ids, opts))).code, 'INVALID_ARGUMENT')
  assert.throws(() => desk.setPseudonymKey(Buffer.from('short')), { code: 'INVALID_ARGUMENT' })
  desk.setPseudonymKey(Buffer.from('a partner secret of 32 bytes....'))
  const csv = (await desk.exportToBuffer(admin, ids, opts)).toString('utf8')
  const names = csv.trimEnd().split(/\r?\n/).slice(1).map((l) => l.split(',')[1])
  for (const n of names) assert.match(n, /^pn_[0-9a-f]{20}$/)
  const again = (await desk.exportToBuffer(admin, ids, opts)).toString('utf8')
  assert.equal(again, csv, 'pseudonyms are stable')
  assert.throws(() => desk.setExportPolicy({ ...desk.exportPolicy(), email: r('clear') }), { code: 'INVALID_ARGUMENT' })
})

test('replaying the event log onto the first snapshot gives the live desk', () => {
  const desk = pd.Desk.demo(200, 6)
  const initial = desk.toSnapshotJson()
  const ids = desk.searchIds('assoc=reseller and frozen=false', { limit: 5 }).ids
  desk.freeze(admin, ids.slice(0, 2), 'overdue', { scope: 'account' })
  desk.setBudget(admin, ids[2], '777.70', { kind: 'one_off' })
  const assigned = desk.assignManager(admin, ids.slice(3), 'am_002').succeeded
  const events = desk.eventsJson()
  assert.equal(JSON.parse(events).length, 3 + assigned)
  const replayed = pd.Desk.replay(initial, events)
  const all = /** @type {const} */ ({ limit: 1000, sort: 'id' })
  assert.deepEqual(replayed.search('*', all), desk.search('*', all))
  assert.equal(JSON.parse(desk.eventsJson({ since: 3 })).length, JSON.parse(events).length - 3)
  assert.throws(() => pd.Desk.replay(initial, '[{"seq": 1}]'), { code: 'MALFORMED_JSON' })
})
