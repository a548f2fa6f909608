// Issue #13, rows 9 and 10 through Node: idempotency keys answered only to their actor while it
// holds the item (every attempt audited), and forged or tampered event logs refused at their
// sequence number.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { pd, thrown } from './helpers.mjs'

/** @type {import('../index.d.ts').Actor} */
const admin = { kind: 'operator', id: 'admin' }
/** @type {import('../index.d.ts').Actor} */
const billing = { kind: 'operator', id: 'ops_billing' }
const budget = () => ({ currency: 'CNY', kind: /** @type {const} */ ('monthly'), autoFreeze: false })

/** What commands change: customers and the ledger without the audit trail. */
const state = (/** @type {import('../index.d.ts').Desk} */ d) => {
  const s = JSON.parse(d.toSnapshotJson())
  delete s.ledger.audit
  delete s.ledger.audit_seq
  return s
}

/** Seals an event as anyone can without a key: SHA-256 over the previous link, "\n" and the
 * event's JSON without its link. */
const seal = (/** @type {any} */ event, /** @type {string} */ previous) => {
  const { link, ...body } = event
  return { ...body, link: createHash('sha256').update(previous + '\n' + JSON.stringify(body)).digest('hex') }
}

test('another operator reusing an admin key is IDEMPOTENCY_CONFLICT, audited, and changes nothing', () => {
  const d = pd.Desk.demo(100, 3)
  const [id] = d.searchIds('assoc=reseller and frozen=false', { limit: 1 }).ids
  d.setBudget(admin, id, '100', { ...budget(), idempotencyKey: 'pay-run-7' })
  const before = state(d)
  assert.equal(thrown(() => d.setBudget(billing, id, '100', { ...budget(), idempotencyKey: 'pay-run-7' })).code, 'IDEMPOTENCY_CONFLICT')
  assert.deepEqual(state(d), before)
  assert.deepEqual(d.auditLog({ actor: billing, kind: 'set_budget' }).map((r) => r.deniedCode ?? 'allowed'), ['IDEMPOTENCY_CONFLICT'])
  d.setBudget(admin, id, '100', { ...budget(), idempotencyKey: 'pay-run-7' })
  assert.deepEqual(d.auditLog({ actor: admin, kind: 'set_budget' }).map((r) => r.allowed), [true, true])
})

test('a revoked operator replaying its own key is PERMISSION_DENIED, audited, and changes nothing', () => {
  const d = pd.Desk.demo(100, 3)
  const [id] = d.searchIds('assoc=reseller and frozen=false', { limit: 1 }).ids
  // Both budget items (own customers and resellers'), whichever the customer needs.
  d.grantPermissions(admin, 'ops_billing', ['BPC_ITEM_SUBCUSTSERV_010111', 'BPC_ITEM_SUBCUSTSERV_010503'])
  d.setBudget(billing, id, '100', { ...budget(), idempotencyKey: 'b-1' })
  d.revokePermissions(admin, 'ops_billing', ['BPC_ITEM_SUBCUSTSERV_010111', 'BPC_ITEM_SUBCUSTSERV_010503'])
  const before = state(d)
  assert.equal(thrown(() => d.setBudget(billing, id, '100', { ...budget(), idempotencyKey: 'b-1' })).code, 'PERMISSION_DENIED')
  assert.deepEqual(state(d), before)
  assert.deepEqual(d.auditLog({ actor: billing, kind: 'set_budget' }).map((r) => r.deniedCode ?? 'allowed'), ['allowed', 'PERMISSION_DENIED'])
})

test('a forged grant by an intern is INVALID_EVENT at its sequence number and reveals nothing', () => {
  const d = pd.Desk.demo(100, 3)
  d.addOperator('intern', 'Intern', { role: 'operator' })
  const start = d.toSnapshotJson()
  const head = d.chainHead()
  d.grantPermissions(admin, 'ops_billing', ['PD_VIEW_SPEND'])
  const [real] = JSON.parse(d.eventsJson({ since: d.events().length - 1 }))
  // Sealing is what the desk does: the real event re-sealed has its own link.
  assert.equal(seal(real, head).link, real.link)
  assert.equal(d.events().at(-1)?.link, real.link)
  const forged = seal({ ...real, actor: { operator: 'intern' }, kind: { type: 'permissions_granted', operator: 'intern', items: ['PD_REVEAL_SENSITIVE'] } }, head)
  const err = /** @type {any} */ (thrown(() => pd.Desk.replay(start, JSON.stringify([forged]))))
  assert.equal(err.code, 'INVALID_EVENT')
  assert.match(err.message, new RegExp(`\\b${real.seq}\\b`))
  const copy = pd.Desk.fromSnapshotJson(start)
  const [id] = copy.searchIds('*', { limit: 1 }).ids
  assert.equal(thrown(() => copy.reveal({ kind: 'operator', id: 'intern' }, id, 'mobile')).code, 'PERMISSION_DENIED')
})

test('a tampered or reordered log is EVENT_CHAIN_BROKEN; a keyed log needs its key', () => {
  const d = pd.Desk.demo(100, 3)
  const start = d.toSnapshotJson()
  const [id] = d.searchIds('assoc=reseller and frozen=false', { limit: 1 }).ids
  for (const amount of ['100', '200', '300']) d.setBudget(admin, id, amount, budget())
  const events = JSON.parse(d.eventsJson())
  const edited = structuredClone(events)
  edited[1].kind.budget.amount.amount = 1e20
  assert.equal(thrown(() => pd.Desk.replay(start, JSON.stringify(edited))).code, 'EVENT_CHAIN_BROKEN')
  const reordered = [events[1], events[0], events[2]]
  assert.equal(thrown(() => pd.Desk.replay(start, JSON.stringify(reordered))).code, 'EVENT_CHAIN_BROKEN')
  assert.deepEqual(state(pd.Desk.replay(start, d.eventsJson())), state(d))

  const key = Buffer.from('host secret, at least 16 bytes')
  const k = pd.Desk.demo(100, 3)
  k.setEventKey(key)
  const kStart = k.toSnapshotJson()
  k.setBudget(admin, id, '100', budget())
  const again = pd.Desk.replay(kStart, k.eventsJson(), key)
  assert.equal(again.chainHead(), k.chainHead())
  assert.equal(thrown(() => pd.Desk.replay(kStart, k.eventsJson())).code, 'EVENT_CHAIN_BROKEN')
  assert.equal(thrown(() => k.setEventKey(Buffer.from('short'))).code, 'INVALID_ARGUMENT')
})
