// The customer lifecycle: authorizations, orders on behalf, disassociation requests, operators,
// and the console's spend, order and renewal views.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd, thrown, NOW } from './helpers.mjs'

/** @typedef {import('../index.d.ts').Actor} Actor */
/** @type {Actor} */
const admin = { kind: 'operator', id: 'admin' }
/** @param {string} id @returns {Actor} */
const customer = (id) => ({ kind: 'customer', id })

function fresh() {
  const desk = pd.Desk.demo(300, 11)
  const ids = desk.searchIds('assoc=reseller and frozen=false', { limit: 40 }).ids
  return { desk, ids }
}

/**
 * The first of `ids` whose partner-initiated disassociation request is not blocked.
 * @param {import('../index.d.ts').Desk} desk @param {string[]} ids
 */
function requestable(desk, ids) {
  for (const id of ids) {
    try {
      return { id, request: desk.requestPartnerDisassociation(admin, id, 'portfolio cleanup') }
    } catch (err) {
      assert.equal(/** @type {{ code?: string }} */ (err).code, 'DISASSOCIATION_BLOCKED')
    }
  }
  throw new Error('no customer without a blocker')
}

test('authorization: commitment letter, pending, approved by the customer, then orders on behalf', () => {
  const { desk, ids } = fresh()
  const id = ids[0]
  assert.throws(() => desk.requestAuthorization(admin, id, ['place_orders'], 30), { code: 'COMMITMENT_LETTER_REQUIRED' })
  const auth = desk.requestAuthorization(admin, id, ['place_orders'], 30, { acceptCommitmentLetter: true })
  assert.equal(desk.authorization(auth).state, 'pending')
  assert.equal(desk.mayActOnBehalf(id, 'place_orders'), false)
  assert.throws(() => desk.placeOrderOnBehalf(admin, id, '10.00'), { code: 'AUTHORIZATION_REQUIRED' })
  desk.decideAuthorization(customer(id), auth, 'approve')
  const a = desk.authorization(auth)
  assert.equal(a.state, 'active')
  assert.ok(a.approvedAt instanceof Date && a.expiresAt instanceof Date)
  assert.deepEqual(a.scopes, ['place_orders'])
  assert.equal(desk.mayActOnBehalf(id, 'place_orders'), true)
  assert.equal(desk.mayActOnBehalf(id, 'operate_resources'), false)
  assert.throws(() => desk.decideAuthorization(customer(id), auth, 'approve'), { code: 'INVALID_TRANSITION' })
  const orderId = desk.placeOrderOnBehalf(admin, id, '10.00', { kind: 'new' })
  assert.equal(typeof orderId, 'string')
  assert.throws(() => desk.placeOrderOnBehalf(admin, id, '99999999.00'), { code: 'OVER_BUDGET' })
  assert.throws(() => desk.placeOrderOnBehalf(admin, id, '1.001'), { code: 'INVALID_MONEY' })
  assert.throws(() => desk.placeOrderOnBehalf(admin, id, '10.00', { kind: /** @type {any} */ ('gift') }), { code: 'INVALID_ARGUMENT' })
  assert.ok(desk.authorizationsOf(id).some((x) => x.id === auth))
  desk.decideAuthorization(customer(id), auth, 'revoke', { reason: 'no longer needed' })
  assert.equal(desk.authorization(auth).state, 'revoked')
  assert.throws(() => desk.authorization('auth-999999'), { code: 'AUTHORIZATION_NOT_FOUND' })
  assert.throws(() => desk.decideAuthorization(admin, auth, /** @type {any} */ ('maybe')), { code: 'INVALID_ARGUMENT' })
  assert.ok(desk.events().some((e) => e.kind === 'order_placed' && e.customerId === id))
})

test('a frozen customer gets no orders on its behalf', () => {
  const { desk, ids } = fresh()
  const id = ids[1]
  const auth = desk.requestAuthorization(admin, id, ['place_orders'], 10, { acceptCommitmentLetter: true })
  desk.decideAuthorization(customer(id), auth, 'approve')
  desk.freeze(admin, [id], 'risk', { scope: 'account' })
  assert.throws(() => desk.placeOrderOnBehalf(admin, id, '1', { kind: 'renewal' }), { code: 'CUSTOMER_FROZEN' })
})

test('disassociation: blockers, the 3-per-3-months quota, decisions by the other party', () => {
  const { desk, ids } = fresh()
  desk.freeze(admin, [ids[2]], 'overdue', { scope: 'account' })
  assert.throws(() => desk.requestPartnerDisassociation(admin, ids[2], 'x'), { code: 'DISASSOCIATION_BLOCKED' })
  const { id, request } = requestable(desk, ids.slice(3))
  desk.decideDisassociation(customer(id), request, false, 'I stay')
  for (let i = 0; i < 2; i++) {
    const r = desk.requestPartnerDisassociation(admin, id, 'again')
    desk.decideDisassociation(customer(id), r, false, 'still no')
  }
  assert.throws(() => desk.requestPartnerDisassociation(admin, id, 'fourth'), { code: 'DISASSOCIATION_QUOTA_EXCEEDED' })
  const requests = desk.disassociationRequests().filter((r) => r.customerId === id)
  assert.equal(requests.length, 3)
  assert.ok(requests.every((r) => r.status === 'rejected' && r.initiator === 'partner'))
  assert.deepEqual(requests[0].requestedBy, admin)
  assert.ok(requests[0].decidedAt instanceof Date)
})

test('an approved disassociation ends the association and is in the history', () => {
  const { desk, ids } = fresh()
  const { id, request } = requestable(desk, ids)
  desk.decideDisassociation(customer(id), request, true, 'agreed')
  assert.equal(desk.count(`id=${id}`), 0, 'no longer in searches')
  const history = desk.associationHistory({ customer: id })
  assert.equal(history.at(-1)?.change, 'disassociated')
  assert.equal(history.at(-1)?.initiator, 'partner')
  assert.equal(desk.freeze(admin, [id], 'x', { scope: 'account' }).items[0].code, 'NOT_ASSOCIATED')
})

test('operators: added once, administrator-only items refused, then they can act', () => {
  const now = new Date('2025-03-20T09:00:00Z')
  const desk = pd.Desk.empty({ id: 'r-1', name: 'Reseller Co', site: 'international', tier: 'reseller' }, now)
  desk.importHuawei('list_sub_customers', [pd.huaweiFixtures()['list_sub_customers.intl.json']])
  desk.addOperator('admin', 'Desk Admin', { role: 'administrator' })
  assert.throws(() => desk.addOperator('admin', 'Again', { role: 'administrator' }), { code: 'DUPLICATE_OPERATOR' })
  assert.throws(() => desk.addOperator('op1', 'Op', { role: 'operator', permissions: ['PD_EXPORT'] }), { code: 'ADMINISTRATOR_ONLY' })
  assert.throws(() => desk.addOperator('op1', 'Op', { role: /** @type {any} */ ('boss') }), { code: 'INVALID_ARGUMENT' })
  // A reseller's authorization needs its distributor's approval before the customer's.
  const [id] = desk.searchIds('*', { limit: 1 }).ids
  const auth = desk.requestAuthorization(admin, id, ['operate_resources'], 30, { acceptCommitmentLetter: true })
  assert.equal(desk.authorization(auth).state, 'awaiting_distributor')
  assert.throws(() => desk.decideAuthorization(customer(id), auth, 'approve'), { code: 'DISTRIBUTOR_APPROVAL_REQUIRED' })
})

test('operators: permission items by name or Huawei code; a misspelled one adds nothing', () => {
  const { desk } = fresh()
  const held = (/** @type {string} */ login) => desk.operators().find((o) => o.id === login)
  desk.addOperator('ops_x', 'X', { permissions: ['FREEZE_UNFREEZE'] })
  const x = held('ops_x')
  assert.equal(x?.role, 'operator', 'the default role')
  assert.equal(x?.accountManager, false)
  assert.deepEqual(x?.permissions, ['BPC_ITEM_SUBCUSTSERV_010115'])
  const before = desk.operators()
  const err = thrown(() => desk.addOperator('ops_y', 'Y', { permissions: ['FREEZE_UNFROZE'] }))
  assert.ok(pd.PartnerDeskError.is(err, 'INVALID_ARGUMENT'))
  assert.equal(err.details.field, 'items')
  assert.equal(held('ops_y'), undefined, 'no operator added')
  assert.deepEqual(desk.operators(), before)
  // Granted and revoked by name, as by code.
  desk.grantPermissions(admin, 'ops_x', ['VIEW_SPEND'], { now: NOW })
  assert.ok(held('ops_x')?.permissions.includes('PD_VIEW_SPEND'))
  desk.revokePermissions(admin, 'ops_x', ['view_spend', 'BPC_ITEM_SUBCUSTSERV_010115'], { now: NOW })
  assert.deepEqual(held('ops_x')?.permissions, [])
  const misspelled = thrown(() => desk.grantPermissions(admin, 'ops_x', ['VIEW_SPENDING'], { now: NOW }))
  assert.ok(pd.PartnerDeskError.is(misspelled, 'INVALID_ARGUMENT'))
  assert.equal(misspelled.details.field, 'items')
  assert.deepEqual(held('ops_x')?.permissions, [])
})

test('insertCustomer takes snapshot customer JSON text; a NewCustomer with an unknown level inserts nothing', () => {
  const { desk } = fresh()
  const saved = JSON.parse(desk.toSnapshotJson()).customers[0]
  const id = 'fedcba9876543210fedcba9876543210'
  assert.equal(desk.count(`id=${id}`), 0)
  desk.insertCustomer(JSON.stringify({ ...saved, id }))
  assert.deepEqual(desk.searchIds(`id=${id}`).ids, [id])
  assert.equal(desk.customerRow(id).accountName, desk.customerRow(saved.id).accountName)
  assert.equal(thrown(() => desk.insertCustomer(JSON.stringify({ ...saved, id }))).code, 'DUPLICATE_CUSTOMER')
  assert.equal(thrown(() => desk.insertCustomer('{ not json')).code, 'MALFORMED_JSON')
  const size = desk.size
  const other = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
  const err = thrown(() =>
    // @ts-expect-error: not a CustomerLevel (refused at run time too)
    desk.insertCustomer({ id: other, accountName: 'nine', name: 'Nine Ltd.', association: 'referral', associatedAt: NOW, level: 'V9', tags: [] }),
  )
  assert.ok(pd.PartnerDeskError.is(err, 'INVALID_ARGUMENT'))
  assert.equal(err.details.field, 'level')
  assert.equal(desk.size, size, 'nothing inserted')
  assert.equal(thrown(() => desk.customerRow(other)).code, 'CUSTOMER_NOT_FOUND')
  // @ts-expect-error: not an AssociationType (refused at run time too)
  const unknown = thrown(() => desk.upsertCustomer({ id: other, accountName: 'nine', name: 'Nine Ltd.', association: 'partner', associatedAt: NOW, tags: [] }))
  assert.ok(pd.PartnerDeskError.is(unknown, 'INVALID_ARGUMENT'))
  assert.equal(unknown.details.field, 'association')
  assert.equal(desk.size, size, 'nothing upserted')
})

test('console views: orders overview, spend summary, renewals, rankings, daily spend', () => {
  const { desk, ids } = fresh()
  const overview = desk.orderOverview(admin)
  assert.ok(overview.all >= overview.unpaid)
  const mine = desk.orderOverview(admin, { customer: ids[0] })
  assert.ok(mine.all <= overview.all)
  const s = desk.spendSummary(admin)
  assert.match(s.monthToDate.amount, /^-?\d+(\.\d+)?$/)
  assert.equal(s.monthToDate.currency, 'CNY')
  assert.ok(s.changePercent === undefined || /^-?\d+(\.\d{1,2})?$/.test(s.changePercent))
  const week = desk.resourcesToRenew(admin, 7, { now: NOW })
  const month = desk.resourcesToRenew(admin, 30, { now: NOW })
  assert.ok(month.length >= week.length)
  for (const r of week) assert.ok(r.expiresAt instanceof Date && r.expiresAt.getTime() <= NOW.getTime() + 7 * 86_400_000)
  const top = desk.productRanking(admin, '2026-11-01', '2026-11-29', { n: 3 })
  assert.ok(top.length <= 3)
  for (let i = 1; i < top.length; i++) assert.ok(Number(top[i - 1].amount.amount) >= Number(top[i].amount.amount))
  const days = desk.dailySpend(admin, '2026-11-20', '2026-11-22', { customer: ids[0] })
  assert.deepEqual(days.map((d) => d.label), ['2026-11-20', '2026-11-21', '2026-11-22'])
  assert.throws(() => desk.dailySpend(admin, '2026-11-31', '2026-12-01'), { code: 'INVALID_DATE' })
  const err = thrown(() => desk.spendSummary({ kind: 'operator', id: 'nobody' }))
  assert.equal(err.code, 'PERMISSION_DENIED')
})

test('associate: a new reseller-model customer starts frozen; an associated one is refused', () => {
  const { desk } = fresh()
  /** @type {import('../index.d.ts').NewCustomer} */
  const newcomer = {
    id: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    accountName: 'newco_cloud',
    name: 'Newco Ltd.',
    association: 'reseller',
    associatedAt: NOW,
    customerType: 'enterprise',
    level: 'V2',
    mobile: '138 0013 8000',
    countryCode: '+86',
    email: 'ops@newco.example',
    tags: ['new'],
  }
  /** @type {import('../index.d.ts').AssociateOptions} */
  const options = {
    associationType: 'reseller',
    customerType: 'enterprise',
    level: 'V2',
    mobile: '138 0013 8000',
    mobileCountryCode: '+86',
    email: 'ops@newco.example',
    tags: ['new'],
  }
  desk.associate(customer(newcomer.id), newcomer.id, newcomer.accountName, newcomer.name, { ...options, invitedBy: 'am_001' })
  const row = desk.customerRow(newcomer.id)
  assert.equal(row.name, 'N***')
  assert.equal(row.freezeScope, 'account')
  assert.equal(row.freezeOrigin, 'default')
  assert.equal(row.accountManager, 'am_001')
  assert.equal(row.level, 'V2')
  assert.deepEqual(row.tags, ['new'])
  assert.match(row.mobile ?? '', /^\+86 138\*{4}8000$/)
  assert.equal(desk.associationHistory({ customer: newcomer.id }).at(-1)?.change, 'associated')
  assert.throws(() => desk.associate(admin, newcomer.id, 'a', 'n', options), { code: 'ALREADY_ASSOCIATED' })
  assert.throws(() => desk.associate(admin, '4a1b2c3d4e5f60718293a4b5c6d7e8f9', 'a', 'n', { mobileCountryCode: '+86' }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.insertCustomer(newcomer), { code: 'DUPLICATE_CUSTOMER' })
  assert.throws(() => desk.insertCustomer({ ...newcomer, id: '1a1b2c3d4e5f60718293a4b5c6d7e8f9', mobile: '1', countryCode: '86x' }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.associate({ kind: 'operator', id: 'am_000' }, '2a1b2c3d4e5f60718293a4b5c6d7e8f9', 'a', 'n', options), { code: 'ADMINISTRATOR_ONLY' })
  desk.insertCustomer({ ...newcomer, id: '3a1b2c3d4e5f60718293a4b5c6d7e8f9', association: 'referral' })
  assert.equal(desk.customerRow('3a1b2c3d4e5f60718293a4b5c6d7e8f9').associationType, 'referral')
})
