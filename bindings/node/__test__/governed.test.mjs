// Governed operations: the core's rules reach JS as outcomes per customer or thrown codes, and
// every attempt lands in the audit log, every change in the event stream.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd, thrown, NOW } from './helpers.mjs'

/** @typedef {import('../index.d.ts').Actor} Actor */
/** @type {Actor} */
const admin = { kind: 'operator', id: 'admin' }
/** @type {Actor} */
const billing = { kind: 'operator', id: 'ops_billing' }
/** @type {Actor} */
const manager = { kind: 'operator', id: 'am_000' }

/** @param {string} [currency] */
const budget = (currency = 'CNY') => ({ currency, kind: /** @type {const} */ ('monthly'), autoFreeze: true })

function fresh() {
  const desk = pd.Desk.demo(300, 11)
  const reseller = desk.searchIds('assoc=reseller and frozen=false', { limit: 20 }).ids
  const referral = desk.searchIds('assoc=referral', { limit: 5 }).ids
  assert.ok(reseller.length >= 12 && referral.length >= 1)
  return { desk, reseller, referral }
}

test('freeze answers per customer; rows, events and the audit log follow', () => {
  const { desk, reseller, referral } = fresh()
  const ids = [reseller[0], reseller[1], referral[0]]
  const out = desk.freeze(admin, ids, 'overdue invoices', { scope: 'account' })
  assert.equal(out.succeeded, 2)
  assert.equal(out.failed, 1)
  assert.deepEqual(out.items.map((i) => i.customerId), ids)
  assert.deepEqual(out.items.map((i) => i.ok), [true, true, false])
  assert.equal(out.items[2].code, 'WRONG_ASSOCIATION_TYPE')
  assert.equal(typeof out.items[2].message, 'string')
  assert.equal(out.items[2].details.id, referral[0])
  assert.deepEqual(out.items[0].details, {})
  const row = desk.customerRow(reseller[0])
  assert.equal(row.freezeScope, 'account')
  assert.equal(row.freezeOrigin, 'manual')
  assert.equal(desk.count(`frozen=account and id=${reseller[0]}`), 1)
  const frozen = desk.events().filter((e) => e.kind === 'frozen')
  assert.deepEqual(frozen.map((e) => e.customerId), [reseller[0], reseller[1]])
  assert.deepEqual(frozen[0].actor, { kind: 'operator', id: 'admin' })
  assert.ok(frozen[0].at instanceof Date)
  assert.ok(!frozen[0].summary.includes('overdue'), 'no reason in event text')
  const audit = desk.auditLog({ kind: 'freeze' })
  assert.ok(audit.some((r) => r.customerId === referral[0] && !r.allowed && r.deniedCode === 'WRONG_ASSOCIATION_TYPE'))
  assert.ok(audit.some((r) => r.customerId === reseller[0] && r.allowed))
  assert.deepEqual(desk.events({ since: frozen[0].seq }).map((e) => e.seq), desk.events().filter((e) => e.seq > frozen[0].seq).map((e) => e.seq))
})

test('freeze and unfreeze refusals per customer: already frozen, scope mismatch, not frozen', () => {
  const { desk, reseller } = fresh()
  desk.freeze(admin, [reseller[0]], 'risk', { scope: 'account_and_resources' })
  const again = desk.freeze(admin, [reseller[0]], 'risk', { scope: 'account' })
  assert.equal(again.items[0].code, 'ALREADY_FROZEN')
  const wrong = desk.unfreeze(admin, [reseller[0]], 'paid', { scope: 'account' })
  assert.equal(wrong.items[0].code, 'FREEZE_SCOPE_MISMATCH')
  const right = desk.unfreeze(admin, [reseller[0]], 'paid', { scope: 'account_and_resources' })
  assert.equal(right.items[0].ok, true)
  const not = desk.unfreeze(admin, [reseller[0]], 'paid', { scope: 'account' })
  assert.equal(not.items[0].code, 'NOT_FROZEN')
})

test('whole-command refusals throw: too many ids, bad reason, no permission', () => {
  const { desk, reseller } = fresh()
  const before = desk.events().length
  assert.throws(() => desk.freeze(admin, reseller.slice(0, 11), 'x', { scope: 'account' }), { code: 'TOO_MANY_IDS' })
  assert.throws(() => desk.freeze(admin, [reseller[0]], '  ', { scope: 'account' }), { code: 'INVALID_REASON' })
  assert.throws(() => desk.freeze(admin, [reseller[0]], 'x', { scope: 'unknown' }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.freeze(manager, [reseller[0]], 'x', { scope: 'account' }), { code: 'PERMISSION_DENIED' })
  assert.equal(desk.events().length, before, 'nothing changed')
  const denied = desk.auditLog({ actor: manager })
  assert.ok(denied.length >= 1)
  assert.ok(denied.every((r) => !r.allowed && r.deniedCode === 'PERMISSION_DENIED'))
})

test('actors are checked: an id is needed for operators and customers', () => {
  const { desk, reseller } = fresh()
  const ids = [reseller[0]]
  assert.throws(() => desk.freeze({ kind: 'operator' }, ids, 'x'), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.freeze({ kind: 'system', id: 'x' }, ids, 'x'), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.freeze({ kind: 'operator', id: '' }, ids, 'x'), { code: 'INVALID_ID' })
  assert.throws(() => desk.freeze({ kind: 'system' }, ids, 'x'), { code: 'PERMISSION_DENIED' })
})

test('budgets: exact amounts, currency checks, usage as decimal strings', () => {
  const { desk, reseller, referral } = fresh()
  const id = reseller[2]
  // ops_billing holds the budget item for the partner's own customers only.
  const held = desk.customerRow(id).reseller !== undefined
  const viaBilling = () => desk.setBudget(billing, id, '100', budget())
  if (held) assert.throws(viaBilling, { code: 'PERMISSION_DENIED' })
  assert.throws(() => desk.setBudget(admin, id, '100.123', budget()), { code: 'INVALID_MONEY' })
  assert.throws(() => desk.setBudget(admin, id, 'abc', budget()), { code: 'INVALID_MONEY' })
  assert.throws(() => desk.setBudget(admin, id, '100', budget('usd')), { code: 'INVALID_CURRENCY' })
  assert.throws(() => desk.setBudget(admin, id, '100', budget('USD')), { code: 'CURRENCY_MISMATCH' })
  assert.throws(() => desk.setBudget(admin, referral[0], '100', budget()), { code: 'WRONG_ASSOCIATION_TYPE' })
  assert.throws(() => desk.setBudget(admin, 'no-such-customer', '100', budget()), { code: 'CUSTOMER_NOT_FOUND' })
  desk.setBudget(admin, id, '12345.67', { ...budget(), now: NOW })
  const usage = desk.budgetUsage(id, { now: NOW })
  assert.ok(usage)
  assert.deepEqual(usage.amount, { amount: '12345.67', currency: 'CNY' })
  assert.equal(usage.kind, 'monthly')
  assert.equal(usage.autoFreeze, true)
  assert.match(usage.percent, /^\d+\.\d{2}$/)
  assert.match(usage.remaining.amount, /^-?\d+(\.\d+)?$/)
  assert.equal(desk.customerRow(id, NOW).budget?.amount.amount, '12345.67')
  const record = desk.budgetRecords(id).at(-1)
  assert.deepEqual([record?.customerId, record?.operation, record?.amount.amount, record?.kind], [id, 'setting', '12345.67', 'monthly'])
  assert.equal(record?.at.getTime(), NOW.getTime())
  assert.equal(typeof desk.evaluateBudgets(), 'number')
})

test('account managers: unknown, not a manager, assigned, already held', () => {
  const { desk } = fresh()
  const ids = desk.searchIds('has_manager=false', { limit: 2 }).ids
  assert.equal(ids.length, 2)
  assert.throws(() => desk.assignManager(admin, ids, 'nobody'), { code: 'OPERATOR_NOT_FOUND' })
  assert.throws(() => desk.assignManager(admin, ids, 'ops_billing'), { code: 'NOT_ACCOUNT_MANAGER' })
  const out = desk.assignManager(admin, ids, 'am_001')
  assert.equal(out.succeeded, 2)
  assert.equal(desk.customerRow(ids[0]).accountManager, 'am_001')
  const again = desk.assignManager(admin, ids, 'am_001')
  assert.deepEqual(again.items.map((i) => i.code), ['INVALID_TRANSITION', 'INVALID_TRANSITION'])
  const un = desk.unassignManager(admin, [ids[0]])
  assert.equal(un.succeeded, 1)
  assert.equal(desk.customerRow(ids[0]).accountManager, undefined)
  // The history as records, at explicit moments (after the log's last event: time never goes back).
  const other = desk.searchIds('has_manager=false', { limit: 3 }).ids.find((c) => !ids.includes(c)) ?? ''
  const start = new Date(Date.now() + 60_000)
  const later = new Date(start.getTime() + 3_600_000)
  assert.equal(desk.assignManager(admin, [other], 'am_001', { now: start }).succeeded, 1)
  assert.equal(desk.unassignManager(admin, [other], { now: later }).succeeded, 1)
  const [period] = desk.managerHistory(other)
  assert.deepEqual([period.customerId, period.manager, period.start, period.end], [other, 'am_001', start, later])
  assert.deepEqual(period.assignedBy, admin)
  assert.equal(desk.managerAt(other, start), 'am_001')
  assert.equal(desk.managerAt(other, later), null)
})

test('permission grants are administrator-only', () => {
  const { desk, reseller } = fresh()
  assert.throws(() => desk.grantPermissions(billing, 'am_000', ['BPC_ITEM_SUBCUSTSERV_010115']), { code: 'ADMINISTRATOR_ONLY' })
  assert.throws(() => desk.grantPermissions(admin, 'am_000', ['PD_EXPORT']), { code: 'ADMINISTRATOR_ONLY' })
  assert.throws(() => desk.grantPermissions(admin, 'am_000', ['NO_SUCH_ITEM']), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.grantPermissions(admin, 'nobody', ['BPC_ITEM_SUBCUSTSERV_010115']), { code: 'OPERATOR_NOT_FOUND' })
  desk.grantPermissions(admin, 'am_000', ['BPC_ITEM_SUBCUSTSERV_010115', 'BPC_ITEM_SUBCUSTSERV_010501'])
  const out = desk.freeze(manager, [reseller[0]], 'granted now', { scope: 'account' })
  assert.equal(out.items[0].ok, true)
  desk.revokePermissions(admin, 'am_000', ['BPC_ITEM_SUBCUSTSERV_010115', 'BPC_ITEM_SUBCUSTSERV_010501'])
  assert.throws(() => desk.unfreeze(manager, [reseller[0]], 'x', { scope: 'account' }), { code: 'PERMISSION_DENIED' })
  assert.ok(desk.events().some((e) => e.kind === 'permissions_granted'))
})

test('idempotency keys: a retry returns the first outcome, another command with it is refused', () => {
  const { desk, reseller } = fresh()
  const ids = [reseller[0]]
  const first = desk.freeze(admin, ids, 'retry', { idempotencyKey: 'req-1' })
  const events = desk.events().length
  const retry = desk.freeze(admin, ids, 'retry', { idempotencyKey: 'req-1' })
  assert.deepEqual(retry, first)
  assert.equal(desk.events().length, events)
  assert.throws(() => desk.unfreeze(admin, ids, 'retry', { idempotencyKey: 'req-1' }), { code: 'IDEMPOTENCY_CONFLICT' })
})

test('a command at an explicit moment is recorded at that moment', () => {
  const { desk, reseller } = fresh()
  const at = new Date(NOW.getTime() + 3_600_000)
  desk.freeze(admin, [reseller[0]], 'later', { scope: 'account', now: at })
  const ev = desk.events().at(-1)
  assert.equal(ev?.at.getTime(), at.getTime())
})

test('an actor is an operator login or an Actor value, with the same outcome', () => {
  const byLogin = fresh()
  const byValue = fresh()
  const a = byLogin.desk.freeze('admin', byLogin.reseller.slice(0, 2), 'overdue', { now: NOW })
  const b = byValue.desk.freeze(admin, byValue.reseller.slice(0, 2), 'overdue', { now: NOW })
  assert.deepEqual(a, b)
  assert.deepEqual(byLogin.desk.events().at(-1)?.actor, admin, 'a login names an operator')
  assert.throws(() => byLogin.desk.freeze('am_000', [byLogin.reseller[3]], 'overdue'), { code: 'PERMISSION_DENIED' })
  assert.throws(() => byLogin.desk.freeze('', [byLogin.reseller[3]], 'overdue'), { code: 'INVALID_ID' })
  assert.equal(byLogin.desk.customerRow(byLogin.reseller[3]).freezeScope, undefined)
})
