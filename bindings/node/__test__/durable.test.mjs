// Durable desks: a desk on a SQLite file (and on PostgreSQL when PARTNERDESK_PG_URL is set)
// commits every change before the call returns, so another process opening the store sees the
// change and the refusal's audit record; two desks on one file conflict, then converge.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { pd, thrown, rejected } from './helpers.mjs'

/** @typedef {import('../index.d.ts').Desk} Desk */
/** @typedef {import('../index.d.ts').Actor} Actor */

const dir = mkdtempSync(join(tmpdir(), 'partnerdesk-durable-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
/** A new SQLite file location in the test's temp folder. */
const fresh = () => join(dir, `desk-${++files}.db`)

/** @type {Actor} */
const admin = { kind: 'operator', id: 'admin' }
/** @type {Actor} */
const billing = { kind: 'operator', id: 'ops_billing' }

/** What a reopen must see again: the event log, the audit log and the snapshot. @param {Desk} d */
const state = (d) => ({ events: d.eventsJson(), audit: JSON.stringify(d.auditLog()), snapshot: d.toSnapshotJson() })

const INDEX = fileURLToPath(new URL('../index.js', import.meta.url))

/**
 * Opens the desk at `location` in another Node process and returns what it sees: proof that the
 * data is on disk (or on the server), not in this process's memory.
 * @param {string} location @param {string} partner
 * @returns {{ kind: string | null, events: string, audit: string, snapshot: string }}
 */
function inAnotherProcess(location, partner) {
  const script = `
    const pd = require(${JSON.stringify(INDEX)})
    pd.Desk.open(process.argv[1], { partner: process.argv[2] }).then((d) => {
      process.stdout.write(JSON.stringify({ kind: d.storeKind, events: d.eventsJson(), audit: JSON.stringify(d.auditLog()), snapshot: d.toSnapshotJson() }))
    }, (e) => { process.stderr.write(e.code + ': ' + e.message); process.exit(1) })`
  return JSON.parse(execFileSync(process.execPath, ['-e', script, location, partner], { encoding: 'utf8' }))
}

/**
 * Saves `desk` to `location`, makes a governed change and a refused one, and checks that a
 * reopen in this process and in another one sees both (the refusal's audit record too).
 * @param {Desk} desk @param {string} location @param {'sqlite' | 'postgresql'} kind
 */
async function changesSurviveAReopen(desk, location, kind) {
  assert.equal(desk.storeKind, null, 'in memory until saved')
  await desk.saveTo(location)
  assert.equal(desk.storeKind, kind)
  const audited = desk.auditLog().length
  desk.grantPermissions(admin, 'ops_billing', ['PD_VIEW_SPEND'])
  assert.equal(thrown(() => desk.grantPermissions(billing, 'ops_billing', ['PD_REVEAL_SENSITIVE'])).code, 'ADMINISTRATOR_ONLY')
  const audit = desk.auditLog()
  assert.equal(audit.length, audited + 2)
  assert.ok(audit.some((r) => !r.allowed && r.deniedCode === 'ADMINISTRATOR_ONLY'))
  const want = state(desk)
  const partner = desk.partner.id

  const reopened = await pd.Desk.open(location, { partner })
  assert.equal(reopened.storeKind, kind)
  assert.deepEqual(state(reopened), want)
  const other = inAnotherProcess(location, partner)
  assert.equal(other.kind, kind)
  assert.deepEqual({ events: other.events, audit: other.audit, snapshot: other.snapshot }, want)
}

test('saveTo, a change and a refusal, reopen here and in another process: all of it is on disk', async () => {
  await changesSurviveAReopen(pd.Desk.demo(30, 7), fresh(), 'sqlite')
})

test('on PostgreSQL when PARTNERDESK_PG_URL is set', async (t) => {
  const url = process.env.PARTNERDESK_PG_URL
  if (!url) {
    if (process.env.CI) assert.fail('CI is set but PARTNERDESK_PG_URL is not: scripts/test.sh starts a server with scripts/pg.sh')
    t.skip('PARTNERDESK_PG_URL is not set (eval "$(scripts/pg.sh start)" starts a local server)')
    return
  }
  // A partner of its own per run: the server outlives this test.
  const partner = `node_${randomBytes(6).toString('hex')}`
  const desk = pd.Desk.empty({ id: partner, name: 'Node test', site: 'international', tier: 'solution_provider' })
  desk.addOperator('admin', 'Admin', { role: 'administrator' })
  desk.addOperator('ops_billing', 'Billing', { role: 'operator' })
  await changesSurviveAReopen(desk, url, 'postgresql')
})

test('mask policies are committed: a reopen has the row and export policies set before', async () => {
  const location = fresh()
  const desk = pd.Desk.demo(30, 7)
  await desk.saveTo(location)
  /** @type {import('../index.d.ts').MaskPolicy} */
  const rows = { ...desk.rowPolicy(), name: { kind: 'keep', first: 0, last: 1 }, accountName: { kind: 'hidden' } }
  /** @type {import('../index.d.ts').MaskPolicy} */
  const exports = { ...desk.exportPolicy(), mobile: { kind: 'pseudonym' } }
  assert.notDeepEqual(desk.rowPolicy(), rows)
  desk.setRowPolicy(rows)
  desk.setExportPolicy(exports)
  assert.deepEqual(desk.events().slice(-2).map((e) => e.kind), ['mask_policy_set', 'mask_policy_set'])
  const partner = desk.partner.id

  // Another instance opened on the file (here and in another process) reads them back.
  const reopened = await pd.Desk.open(location, { partner })
  assert.deepEqual(reopened.rowPolicy(), rows)
  assert.deepEqual(reopened.exportPolicy(), exports)
  const other = inAnotherProcess(location, partner)
  assert.deepEqual(JSON.parse(other.snapshot).row_policy, JSON.parse(desk.toSnapshotJson()).row_policy)
  assert.equal(other.snapshot, desk.toSnapshotJson())
})

test('two desks on one file: CONCURRENT_CHANGE with one attempt, then refresh converges', async () => {
  const location = fresh()
  const a = pd.Desk.demo(30, 7)
  await a.saveTo(location, { maxAttempts: 1 })
  const b = await pd.Desk.open(location, { maxAttempts: 1 })
  a.grantPermissions(admin, 'ops_billing', ['PD_VIEW_SPEND'])
  const events = a.events().length
  const late = thrown(() => b.grantPermissions(admin, 'ops_billing', ['PD_REVEAL_SENSITIVE']))
  assert.equal(late.code, 'CONCURRENT_CHANGE')
  // Nothing of B's change was committed, and B has caught up with A.
  assert.equal(b.events().length, events)
  assert.equal(b.toSnapshotJson(), a.toSnapshotJson())
  b.grantPermissions(admin, 'ops_billing', ['PD_REVEAL_SENSITIVE'])
  assert.equal(a.refresh(), 1)
  assert.equal(a.refresh(), 0, 'nothing more')
  assert.equal(a.toSnapshotJson(), b.toSnapshotJson())
  assert.equal(a.eventsJson(), b.eventsJson())
  // With the default attempts the same race resolves by itself.
  const c = await pd.Desk.open(location)
  a.revokePermissions(admin, 'ops_billing', ['PD_REVEAL_SENSITIVE'])
  c.revokePermissions(admin, 'ops_billing', ['PD_VIEW_SPEND'])
  const ops = c.operators().find((o) => o.id === 'ops_billing')
  assert.ok(ops && !ops.permissions.includes('PD_VIEW_SPEND') && !ops.permissions.includes('PD_REVEAL_SENSITIVE'))
  assert.equal(a.refresh(), 1, "C's change, after A's")
})

test('follow resolves when another instance commits, and times out otherwise', async () => {
  const location = fresh()
  const a = pd.Desk.demo(30, 7)
  await a.saveTo(location)
  const b = await pd.Desk.open(location)
  assert.equal(await b.follow(50), false, 'nothing new')
  const waiting = b.follow(10_000)
  // While follow waits on a worker thread, the desk is held: calls throw DESK_BUSY.
  await new Promise((resolve) => setTimeout(resolve, 50))
  const busy = thrown(() => b.size)
  assert.equal(busy.code, 'DESK_BUSY')
  assert.ok(busy instanceof pd.PartnerDeskError, 'the addon\'s own code is a PartnerDeskError too')
  assert.deepEqual(busy.details, {})
  a.grantPermissions(admin, 'ops_billing', ['PD_VIEW_SPEND'])
  assert.equal(await waiting, true)
  assert.equal(b.toSnapshotJson(), a.toSnapshotJson())
  for (const bad of [-1, Number.NaN, 3_600_001, Infinity]) {
    assert.equal(thrown(() => b.follow(bad)).code, 'INVALID_ARGUMENT', String(bad))
  }
  assert.equal(await pd.Desk.demo(5, 1).follow(0), false, 'in memory: false at once')
})

test('a checkpoint, then a reopen gives the same snapshot; in memory there is no store', async () => {
  const location = fresh()
  const d = pd.Desk.demo(30, 7)
  await d.saveTo(location, { checkpointEvery: 0 })
  d.grantPermissions(admin, 'ops_billing', ['PD_VIEW_SPEND'])
  assert.equal(await d.checkpoint(), d.events().length)
  d.revokePermissions(admin, 'ops_billing', ['PD_VIEW_SPEND'])
  const reopened = await pd.Desk.open(location)
  assert.equal(reopened.toSnapshotJson(), d.toSnapshotJson())
  assert.equal(reopened.eventsJson(), d.eventsJson())

  const memory = pd.Desk.demo(5, 1)
  assert.equal(memory.storeKind, null)
  assert.equal(memory.refresh(), 0)
  assert.equal((await rejected(memory.checkpoint())).code, 'INVALID_ARGUMENT')
})

test('open without a partner: the one desk of the store; with two desks name one', async () => {
  const location = fresh()
  assert.equal((await rejected(pd.Desk.open(location))).code, 'STORE_UNAVAILABLE', 'an empty store')
  const first = pd.Desk.demo(30, 7)
  await first.saveTo(location)
  const only = await pd.Desk.open(location)
  assert.equal(only.partner.id, first.partner.id)
  assert.equal(only.toSnapshotJson(), first.toSnapshotJson())
  await pd.Desk.empty({ id: 'other_partner', name: 'Other', site: 'china', tier: 'distributor' }).saveTo(location)
  const two = await rejected(pd.Desk.open(location))
  assert.equal(two.code, 'INVALID_ARGUMENT')
  assert.match(two.message, /partner/)
  const named = await pd.Desk.open(location, { partner: 'other_partner' })
  assert.equal(named.partner.id, 'other_partner')
  assert.equal((await rejected(pd.Desk.open(location, { partner: 'no_such_partner' }))).code, 'STORE_UNAVAILABLE')
  assert.equal((await rejected(pd.Desk.open(location, { partner: '' }))).code, 'INVALID_ID')
  assert.equal((await rejected(pd.Desk.open('  '))).code, 'INVALID_ARGUMENT')
  assert.equal((await rejected(pd.Desk.open(location, { maxAttempts: 65 }))).code, 'INVALID_ARGUMENT')
})

test('saveTo refuses a store that holds the partner already, and a failed saveTo leaves the desk in memory', async () => {
  const location = fresh()
  await pd.Desk.demo(30, 7).saveTo(location)
  const again = pd.Desk.demo(30, 7)
  assert.equal((await rejected(again.saveTo(location))).code, 'INVALID_ARGUMENT')
  assert.equal(again.storeKind, null)
  assert.equal((await rejected(again.saveTo(join(dir, 'no', 'such', 'folder', 'desk.db')))).code, 'STORE_UNAVAILABLE')
  assert.equal(again.storeKind, null)
  assert.equal((await rejected(again.saveTo(fresh(), { maxAttempts: 0 }))).code, 'INVALID_ARGUMENT')
  await again.saveTo(fresh())
  assert.equal(again.storeKind, 'sqlite')
})

test('a multi-step Huawei import commits each step as it goes; an adapter error keeps its code', async () => {
  const location = fresh()
  const d = pd.Desk.empty({ id: 'p-huawei', name: 'Partner', site: 'international', tier: 'solution_provider' })
  await d.saveTo(location)
  const fixtures = pd.huaweiFixtures()
  const err = await rejected(d.importHuaweiAsync([
    { kind: 'list_sub_customers', pages: [fixtures['list_sub_customers.intl.json']] },
    { kind: 'list_sub_customers', pages: [fixtures['list_sub_customers.missing_id.json']] },
  ]))
  assert.equal(err.code, 'HUAWEI_INVALID_DATA', 'the adapter\'s own code, through the durable change')
  assert.ok(d.size > 0, 'the first step stays imported')
  const reopened = await pd.Desk.open(location)
  assert.equal(reopened.size, d.size, 'and it was committed')
  assert.equal(reopened.toSnapshotJson(), d.toSnapshotJson())
  assert.throws(() => d.importHuawei('orders', ['not json']), { code: 'MALFORMED_JSON' })
  assert.equal((await pd.Desk.open(location)).eventsJson(), d.eventsJson(), 'nothing of a refused step')
})

test('an export on a durable desk: its audit record and its job are committed', async () => {
  const location = fresh()
  const d = pd.Desk.demo(30, 7)
  await d.saveTo(location)
  const bytes = await d.exportToBuffer(admin, '*')
  assert.ok(bytes.length > 0)
  assert.equal(d.exports().length, 1)
  const reopened = await pd.Desk.open(location)
  assert.deepEqual(reopened.exports(), d.exports())
  assert.deepEqual(state(reopened), state(d))
})

const KEY = Buffer.from("the host's event key, 32 bytes!!")
const OTHER = Buffer.from("another host's key, also 32 b..")

test('a store sealed with eventKey reopens with that key only: STORE_CORRUPT without it or with another', async () => {
  const location = fresh()
  const desk = pd.Desk.demo(30, 7)
  await desk.saveTo(location, { eventKey: KEY })
  desk.grantPermissions(admin, 'ops_billing', ['PD_VIEW_SPEND'])
  const want = state(desk)
  const head = desk.chainHead()
  assert.equal(head.length, 64)
  assert.equal(desk.events().at(-1)?.link, head)

  for (const options of [{}, { eventKey: OTHER }]) {
    const err = await rejected(pd.Desk.open(location, options))
    assert.equal(err.code, 'STORE_CORRUPT', JSON.stringify(options))
    assert.match(err.message, /EVENT_CHAIN_BROKEN/)
  }
  const reopened = await pd.Desk.open(location, { eventKey: KEY })
  assert.deepEqual(state(reopened), want)
  assert.equal(reopened.chainHead(), head)
  // It keeps sealing with the key: a further change opens again with it.
  reopened.grantPermissions(admin, 'ops_billing', ['PD_REVEAL_SENSITIVE'])
  const again = await pd.Desk.open(location, { eventKey: KEY })
  assert.deepEqual(state(again), state(reopened))
})

test('saveTo of a desk with an event key needs that key; a durable desk keeps its key', async () => {
  const desk = pd.Desk.demo(20, 3)
  desk.setEventKey(KEY)
  for (const options of [undefined, { eventKey: OTHER }, { eventKey: Buffer.from('short') }]) {
    const keyed = await rejected(desk.saveTo(fresh(), options))
    assert.ok(pd.PartnerDeskError.is(keyed, 'INVALID_ARGUMENT'))
    assert.equal(keyed.details.field, 'event_key')
    assert.equal(desk.storeKind, null, 'still in memory')
  }
  const location = fresh()
  await desk.saveTo(location, { eventKey: KEY })
  assert.equal(desk.storeKind, 'sqlite')
  desk.setEventKey(KEY) // the key it has: accepted
  for (const key of [null, OTHER]) {
    const onDurable = thrown(() => desk.setEventKey(key))
    assert.ok(pd.PartnerDeskError.is(onDurable, 'INVALID_ARGUMENT'))
    assert.equal(onDurable.details.field, 'key')
  }
  desk.grantPermissions(admin, 'ops_billing', ['PD_VIEW_SPEND'])
  assert.deepEqual(state(await pd.Desk.open(location, { eventKey: KEY })), state(desk))
})
