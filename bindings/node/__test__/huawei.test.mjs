// Huawei BSS interop through the addon: imports of real response shapes, request bodies built
// from validated commands, answers read per customer, paging plans and query splits.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd, thrown, rejected } from './helpers.mjs'

const fx = pd.huaweiFixtures()
const now = new Date('2025-03-20T09:00:00Z')
const intlPartner = /** @type {const} */ ({ id: 'p-1', name: 'Example Partner', site: 'international', tier: 'distributor' })

test('the fixtures are there, by file name', () => {
  for (const name of ['list_sub_customers.intl.page1.json', 'freeze.request.json', 'budget.show.json']) {
    assert.equal(typeof fx[name], 'string', name)
    JSON.parse(fx[name])
  }
})

test('ListSubCustomers pages merge into an empty desk, and the desk is searchable', () => {
  const desk = pd.Desk.empty(intlPartner, now)
  assert.equal(desk.size, 0)
  assert.equal(desk.partner.currency, 'USD')
  assert.equal(desk.partner.tier, 'distributor')
  const provider = pd.Desk.empty({ id: 'p-2', name: 'Provider', site: 'china' })
  assert.equal(provider.partner.tier, 'solution_provider', 'the tier defaults to solution_provider')
  assert.equal(provider.partner.currency, 'CNY')
  // @ts-expect-error a site that does not exist
  assert.throws(() => pd.Desk.empty({ id: 'p-3', name: 'Nowhere', site: 'mars' }), { code: 'INVALID_ARGUMENT' })
  const report = desk.importHuawei('list_sub_customers', [fx['list_sub_customers.intl.page1.json'], fx['list_sub_customers.intl.page2.json']])
  assert.ok(report.added.length > 0)
  assert.equal(report.updated.length, 0)
  assert.equal(desk.size, report.added.length)
  assert.equal(typeof report.items, 'number')
  assert.ok(Array.isArray(report.warnings))
  assert.deepEqual(report.budgetRecords, [], 'a customer list reads no budget records')
  assert.deepEqual(report.huaweiBudgetUsed, [])
  const page = desk.search('*', { limit: 1000 })
  assert.equal(page.total, desk.size)
  for (const row of page.rows) assert.match(row.name, /\*\*\*$|^$/, 'imported names are masked in rows')
  // Importing the same pages again updates instead of adding.
  const again = desk.importHuawei('list_sub_customers', [fx['list_sub_customers.intl.page1.json']], { now })
  assert.equal(again.added.length, 0)
  assert.ok(again.updated.length > 0)
})

test('a budget response keeps its amount exactly', () => {
  const desk = pd.Desk.empty(intlPartner, now)
  desk.importHuawei('list_sub_customers', [fx['list_sub_customers.intl.json']])
  const [id] = desk.searchIds('assoc=reseller', { limit: 1 }).ids
  const report = desk.importHuawei('budget', [fx['budget.show.json']], { customer: id })
  assert.equal(report.budgetsSet, 1)
  const usage = desk.budgetUsage(id)
  assert.deepEqual(usage?.amount, { amount: '1500.5', currency: 'USD' })
  // Huawei's own (delayed) figure of the budget's use, to reconcile with the desk's.
  assert.deepEqual(report.huaweiBudgetUsed, [{ customerId: id, used: { amount: '230.12', currency: 'USD' } }])
})

test('budget records come back one by one, oldest first, amounts exact', () => {
  const desk = pd.Desk.empty(intlPartner, now)
  desk.importHuawei('list_sub_customers', [fx['list_sub_customers.intl.json']])
  const id = '06ffbcd46880d3f30f62c001a49be460'
  const report = desk.importHuawei('budget_records', [fx['budget.records.json']], { customer: id, now })
  assert.ok(Array.isArray(report.budgetRecords))
  assert.equal(report.budgetRecords.length, 2)
  const [first, second] = report.budgetRecords
  assert.equal(first.customerId, id)
  assert.equal(first.operation, 'setting')
  assert.equal(first.kind, 'monthly')
  assert.equal(first.operator, 'partner_admin')
  assert.ok(first.at instanceof Date)
  assert.equal(first.at.toISOString(), '2025-02-01T03:00:00.000Z')
  assert.equal(Number(first.amount.amount), 1000)
  assert.equal(first.amount.currency, 'USD')
  assert.equal(second.amount.amount, '1500.5', 'the amount is a decimal string written from the JSON text')
  assert.equal(second.operator, 'ops_wang')
  assert.ok(first.at < second.at, 'oldest first')
  assert.throws(() => desk.importHuawei('budget_records', [fx['budget.records.json']]), { code: 'INVALID_ARGUMENT' })
})

test('import arguments and bad data are refused with codes, and nothing is imported', () => {
  const desk = pd.Desk.empty(intlPartner, now)
  assert.throws(() => desk.importHuawei('budget', [fx['budget.show.json']]), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.importHuawei('monthly_bills', [fx['bills.monthly.json']]), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.importHuawei('monthly_bills', [fx['bills.monthly.json']], { cycle: '2025-13' }), { code: 'INVALID_DATE' })
  assert.throws(() => desk.importHuawei('list_sub_customers', [fx['list_sub_customers.missing_id.json']]), { code: 'HUAWEI_INVALID_DATA' })
  assert.throws(() => desk.importHuawei('list_sub_customers', ['{"count": ']), { code: 'MALFORMED_JSON' })
  // @ts-expect-error an import kind that does not exist
  assert.throws(() => desk.importHuawei('customers', [fx['list_sub_customers.intl.json']]), { code: 'INVALID_ARGUMENT' })
  const api = thrown(() => desk.importHuawei('list_sub_customers', [fx['error.denied.json']]))
  assert.equal(api.code, 'HUAWEI_API_ERROR')
  assert.match(api.message, /CBC\.0151/)
  assert.ok(!api.message.includes('Access denied'), "Huawei's error_msg stays out of messages")
  assert.equal(desk.size, 0)
})

test('a desk from the fixtures of each site', () => {
  const cn = pd.Desk.fromHuaweiFixtures('china', now)
  assert.ok(cn.size >= 100)
  assert.equal(cn.partner.currency, 'CNY')
  const intl = pd.Desk.fromHuaweiFixtures('international')
  assert.ok(intl.size > 0)
  assert.equal(intl.partner.site, 'international')
  assert.equal(intl.count('frozen=unknown') + intl.count('frozen=false') + intl.count('frozen=account') + intl.count('frozen=account_and_resources'), intl.count('*'))
})

test('several imports run on a worker thread with progress per step', async () => {
  const desk = pd.Desk.empty({ ...intlPartner, site: 'china' }, now)
  /** @type {import('../index.d.ts').Progress[]} */
  const progress = []
  const reports = await desk.importHuaweiAsync([
    { kind: 'list_sub_customers', pages: [fx['list_sub_customers.cn.json'], fx['list_sub_customers.cn.large.json']] },
    { kind: 'on_demand_resources', pages: [fx['resources.on_demand.json']] },
    { kind: 'orders', pages: [fx['orders.json']] },
    { kind: 'monthly_bills', cycle: '2025-03', pages: [fx['bills.monthly.json']] },
  ], { onProgress: (p) => progress.push(p) })
  await new Promise((r) => setImmediate(r))
  assert.equal(reports.length, 4)
  assert.deepEqual(progress, [1, 2, 3, 4].map((done) => ({ done, total: 4 })))
  assert.ok(desk.size >= 100)
  for (const r of reports) assert.ok(Array.isArray(r.budgetRecords) && Array.isArray(r.huaweiBudgetUsed))
  const err = await rejected(desk.importHuaweiAsync([{ kind: 'orders', pages: ['not json'] }]))
  assert.equal(err.code, 'MALFORMED_JSON')
  // Every step is checked before any runs: a budget step without its customer is refused at once.
  assert.throws(() => desk.importHuaweiAsync([
    { kind: 'orders', pages: [fx['orders.json']] },
    { kind: 'budget', pages: [fx['budget.show.cny.json']] },
  ]), { code: 'INVALID_ARGUMENT' })
  const cn = '9f8e7d6c5b4a39281706f5e4d3c2b1a0'
  const [budget] = await desk.importHuaweiAsync([{ kind: 'budget', customer: cn, pages: [fx['budget.show.cny.json']] }], { now })
  assert.equal(budget.budgetsSet, 1)
  assert.deepEqual(desk.budgetUsage(cn, { now })?.amount, { amount: '10', currency: 'CNY' })
})

test('request bodies equal the SDK-shaped fixtures and come from validated commands', () => {
  const freeze = pd.huaweiFreezeBody(['06ffbcd46880d3f30f62c001a49be460'], 'Budget overrun pending review', { scope: 'account_and_resources' })
  assert.equal(typeof freeze, 'string', 'a body is JSON text')
  assert.deepEqual(JSON.parse(freeze), JSON.parse(fx['freeze.request.json']))
  const unfreeze = pd.huaweiUnfreezeBody(
    ['06ffbcd46880d3f30f62c001a49be460', '00000000000000000000000000001002'],
    'Budget raised',
    { scope: 'account', reseller: '0b5e9bb21980d20c0f0fc00874a9e000' },
  )
  assert.deepEqual(JSON.parse(unfreeze), JSON.parse(fx['unfreeze.request.json']))
  // The scope defaults to `account`.
  assert.deepEqual(
    JSON.parse(pd.huaweiUnfreezeBody(['06ffbcd46880d3f30f62c001a49be460', '00000000000000000000000000001002'], 'Budget raised', { reseller: '0b5e9bb21980d20c0f0fc00874a9e000' })),
    JSON.parse(fx['unfreeze.request.json']),
  )
  const budget = pd.huaweiBudgetBody('06ffbcd46880d3f30f62c001a49be460', '1500.50', 'USD', { kind: 'monthly', autoFreeze: true, unfreeze: true })
  assert.deepEqual(JSON.parse(budget), JSON.parse(fx['budget.request.json']))
  assert.match(budget, /"budget_amount":1500\.5[0]?[,}]/, 'the amount is a JSON number written from its decimal text')
  const ids = Array.from({ length: 11 }, (_, i) => `0000000000000000000000000000${1000 + i}`)
  assert.throws(() => pd.huaweiFreezeBody(ids, 'x', { scope: 'account' }), { code: 'TOO_MANY_IDS' })
  assert.throws(() => pd.huaweiFreezeBody([ids[0]], '', { scope: 'account' }), { code: 'INVALID_REASON' })
  for (const amount of ['0', '2147483648', '1.001', '-5']) {
    assert.throws(() => pd.huaweiBudgetBody(ids[0], amount, 'CNY', { kind: 'monthly', autoFreeze: false }), { code: 'INVALID_MONEY' }, amount)
  }
  const notDecimal = thrown(() => pd.huaweiBudgetBody(ids[0], 'abc', 'CNY'))
  assert.ok(pd.PartnerDeskError.is(notDecimal, 'INVALID_MONEY'))
  assert.equal(notDecimal.details.field, 'amount')
  // An amount is a decimal string, never a JS number (which would lose cents).
  // @ts-expect-error a number is not a decimal string
  const number = thrown(() => pd.huaweiBudgetBody(ids[0], 1500.5, 'CNY'))
  assert.ok(pd.PartnerDeskError.is(number, 'INVALID_ARGUMENT'))
  assert.equal(number.details.field, 'amount')
})

test("Huawei's answers are read per customer, with retry advice", () => {
  const ok = '06ffbcd46880d3f30f62c001a49be460'
  const bad = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
  const partial = pd.huaweiBatchOutcome([ok, bad], fx['freeze.partial_failure.json'], { httpStatus: 200 })
  assert.equal(partial.succeeded, 1)
  assert.deepEqual(partial.items.map((i) => [i.customerId, i.ok, i.code ?? null]), [[ok, true, null], [bad, false, 'WRONG_ASSOCIATION_TYPE']])
  assert.equal(partial.items[1].huaweiCode, 'CBC.5024')
  // Huawei's own text, verbatim, for the operator's eyes (never in an error).
  assert.equal(partial.items[1].huaweiMessage, 'The association type of the customer is incorrect.')
  assert.equal(partial.items[0].huaweiMessage, undefined)
  assert.equal(partial.asBatch.items[1].code, 'WRONG_ASSOCIATION_TYPE')
  const throttled = pd.huaweiBatchOutcome([ok], fx['error.throttled.json'], { httpStatus: 429 })
  assert.equal(throttled.retryable, true)
  assert.equal(throttled.items[0].code, 'THROTTLED')
  assert.equal(throttled.items[0].retryAfterMs, 1000)
  assert.equal(throttled.items[0].huaweiMessage, JSON.parse(fx['error.throttled.json']).error_msg)
  const unknown = pd.huaweiBatchOutcome([ok], fx['error.unknown_code.json'], { httpStatus: 400 })
  assert.equal(unknown.items[0].code, 'HUAWEI_UNKNOWN_ERROR')
  assert.match(unknown.items[0].huaweiCode ?? '', /^CBC\./)
  assert.equal(typeof unknown.items[0].huaweiMessage, 'string')
  const success = pd.huaweiBatchOutcome([ok, bad], fx['freeze.success.json'], { httpStatus: 200 })
  assert.equal(success.failed, 0)
  // The status is optional.
  assert.equal(pd.huaweiBatchOutcome([ok, bad], fx['freeze.success.json']).succeeded, 2)
  assert.throws(() => pd.huaweiBatchOutcome(['not an id!'], fx['freeze.success.json']), { code: 'INVALID_ID' })
})

test('every code an answer can mean is listed', () => {
  const kinds = pd.huaweiApiKinds()
  assert.ok(Array.isArray(kinds))
  for (const code of ['WRONG_ASSOCIATION_TYPE', 'THROTTLED', 'PERMISSION_DENIED', 'HUAWEI_UNKNOWN_ERROR']) {
    assert.ok(kinds.includes(code), code)
  }
  assert.equal(new Set(kinds).size, kinds.length, 'no duplicates')
  const ok = '06ffbcd46880d3f30f62c001a49be460'
  for (const [name, status] of [['error.throttled.json', 429], ['error.unknown_code.json', 400], ['error.wrong_association.json', 400], ['error.denied.json', 403]]) {
    const item = pd.huaweiBatchOutcome([ok], fx[/** @type {string} */ (name)], { httpStatus: /** @type {number} */ (status) }).items[0]
    assert.ok(kinds.includes(item.code ?? ''), `${name}: ${item.code}`)
  }
})

test('paging plans cover a portfolio exactly once within the bounds', () => {
  const plan = pd.huaweiPagePlan(250, { limit: 100 })
  assert.deepEqual(plan, [{ offset: 0, limit: 100 }, { offset: 100, limit: 100 }, { offset: 200, limit: 50 }])
  assert.equal(plan.reduce((n, p) => n + p.limit, 0), 250)
  assert.deepEqual(pd.huaweiPagePlan(250), plan, 'the limit defaults to 100')
  assert.deepEqual(pd.huaweiPagePlan(0), [])
  assert.throws(() => pd.huaweiPagePlan(10, { limit: 101 }), { code: 'INVALID_PAGE' })
  assert.throws(() => pd.huaweiPagePlan(50_000_000, { limit: 100 }), { code: 'HUAWEI_PAGING_OUT_OF_BOUNDS' })
  // Within the offsets but over a million pages: refused before any page is made (it built
  // forty million of them, 5 GB, and held the event loop for minutes).
  assert.throws(() => pd.huaweiPagePlan(40_000_001, { limit: 1 }), { code: 'HUAWEI_PAGING_OUT_OF_BOUNDS', message: /over 1000000/ })
  assert.throws(() => pd.huaweiPagePlan(-1, { limit: 10 }), { code: 'INVALID_ARGUMENT' })
})

test('a query splits into the API filter and the local rest', () => {
  const split = pd.huaweiSplitQuery('assoc=reseller and mtd>=100 and name~acme', 'international', { limit: 50 })
  assert.deepEqual(JSON.parse(split.apiBody), { customer: 'acme', offset: 0, limit: 50, association_type: '3' })
  assert.equal(split.localFilter, 'mtd>=100')
  const later = pd.huaweiSplitQuery('assoc=reseller and mtd>=100 and name~acme', 'international', { offset: 100, limit: 50 })
  assert.deepEqual(JSON.parse(later.apiBody), { customer: 'acme', offset: 100, limit: 50, association_type: '3' })
  // A built `Query` is read through its canonical `filter` text, and splits as that text does.
  const query = pd.Query.parse('assoc=reseller and mtd>=100 and name~acme')
  assert.equal(query.filter, query.toString())
  assert.deepEqual(pd.huaweiSplitQuery(query, 'international', { limit: 50 }), split)
  const all = pd.huaweiSplitQuery(pd.Query.all(), 'china')
  assert.equal(all.localFilter, '*')
  assert.throws(() => pd.huaweiSplitQuery('name~', 'china'), { code: 'FILTER_SYNTAX' })
  // @ts-expect-error neither a Query nor a filter text
  assert.throws(() => pd.huaweiSplitQuery(42, 'china'), { code: 'INVALID_ARGUMENT' })
})

test('adapter codes are exported', () => {
  assert.deepEqual(pd.huaweiErrorCodes(), ['HUAWEI_API_ERROR', 'HUAWEI_INVALID_DATA', 'HUAWEI_PAGING_OUT_OF_BOUNDS'])
})
