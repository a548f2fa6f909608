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
  const report = desk.importHuawei({
    kind: 'list_sub_customers',
    pages: [fx['list_sub_customers.intl.page1.json'], fx['list_sub_customers.intl.page2.json']],
  })
  assert.ok(report.added.length > 0)
  assert.equal(report.updated.length, 0)
  assert.equal(desk.size, report.added.length)
  assert.equal(typeof report.items, 'number')
  assert.ok(Array.isArray(report.warnings))
  const page = desk.search('*', { limit: 1000 })
  assert.equal(page.total, desk.size)
  for (const row of page.rows) assert.match(row.name, /\*\*\*$|^$/, 'imported names are masked in rows')
  // Importing the same pages again updates instead of adding.
  const again = desk.importHuawei({ kind: 'list_sub_customers', pages: [fx['list_sub_customers.intl.page1.json']] })
  assert.equal(again.added.length, 0)
  assert.ok(again.updated.length > 0)
})

test('a budget response keeps its amount exactly', () => {
  const desk = pd.Desk.empty(intlPartner, now)
  desk.importHuawei({ kind: 'list_sub_customers', pages: [fx['list_sub_customers.intl.json']] })
  const [id] = desk.searchIds('assoc=reseller', { limit: 1 }).ids
  const report = desk.importHuawei({ kind: 'budget', customerId: id, pages: [fx['budget.show.json']] })
  assert.equal(report.budgetsSet, 1)
  const usage = desk.budgetUsage(id)
  assert.deepEqual(usage?.amount, { amount: '1500.5', currency: 'USD' })
})

test('import arguments and bad data are refused with codes, and nothing is imported', () => {
  const desk = pd.Desk.empty(intlPartner, now)
  assert.throws(() => desk.importHuawei({ kind: 'budget', pages: [fx['budget.show.json']] }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.importHuawei({ kind: 'monthly_bills', pages: [fx['bills.monthly.json']] }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => desk.importHuawei({ kind: 'monthly_bills', cycle: '2025-13', pages: [fx['bills.monthly.json']] }), { code: 'INVALID_DATE' })
  assert.throws(() => desk.importHuawei({ kind: 'list_sub_customers', pages: [fx['list_sub_customers.missing_id.json']] }), { code: 'HUAWEI_INVALID_DATA' })
  assert.throws(() => desk.importHuawei({ kind: 'list_sub_customers', pages: ['{"count": '] }), { code: 'MALFORMED_JSON' })
  const api = thrown(() => desk.importHuawei({ kind: 'list_sub_customers', pages: [fx['error.denied.json']] }))
  assert.equal(api.code, 'HUAWEI_API_ERROR')
  assert.match(api.message, /CBC\.0151/)
  assert.ok(!api.message.includes('Access denied'), "Huawei's error_msg stays out of messages")
  assert.equal(desk.size, 0)
})

test('a desk from the fixtures of each site', () => {
  const cn = pd.Desk.fromHuaweiFixtures('china', now)
  assert.ok(cn.size >= 100)
  assert.equal(cn.partner.currency, 'CNY')
  const intl = pd.Desk.fromHuaweiFixtures('international', now)
  assert.ok(intl.size > 0)
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
  const err = await rejected(desk.importHuaweiAsync([{ kind: 'orders', pages: ['not json'] }]))
  assert.equal(err.code, 'MALFORMED_JSON')
})

test('request bodies equal the SDK-shaped fixtures and come from validated commands', () => {
  const freeze = pd.huaweiFreezeBody({ customerIds: ['06ffbcd46880d3f30f62c001a49be460'], scope: 'account_and_resources', reason: 'Budget overrun pending review' })
  assert.deepEqual(JSON.parse(freeze), JSON.parse(fx['freeze.request.json']))
  const unfreeze = pd.huaweiUnfreezeBody(
    { customerIds: ['06ffbcd46880d3f30f62c001a49be460', '00000000000000000000000000001002'], scope: 'account', reason: 'Budget raised' },
    '0b5e9bb21980d20c0f0fc00874a9e000',
  )
  assert.deepEqual(JSON.parse(unfreeze), JSON.parse(fx['unfreeze.request.json']))
  const budget = pd.huaweiBudgetBody('06ffbcd46880d3f30f62c001a49be460', { amount: { amount: '1500.50', currency: 'USD' }, kind: 'monthly', autoFreeze: true, unfreeze: true })
  assert.deepEqual(JSON.parse(budget), JSON.parse(fx['budget.request.json']))
  assert.match(budget, /"budget_amount":1500\.5[0]?[,}]/, 'the amount is a JSON number written from its decimal text')
  const ids = Array.from({ length: 11 }, (_, i) => `0000000000000000000000000000${1000 + i}`)
  assert.throws(() => pd.huaweiFreezeBody({ customerIds: ids, scope: 'account', reason: 'x' }), { code: 'TOO_MANY_IDS' })
  assert.throws(() => pd.huaweiFreezeBody({ customerIds: [ids[0]], scope: 'account', reason: '' }), { code: 'INVALID_REASON' })
  for (const amount of ['0', '2147483648', '1.001', '-5']) {
    assert.throws(() => pd.huaweiBudgetBody(ids[0], { amount: { amount, currency: 'CNY' }, kind: 'monthly', autoFreeze: false }), { code: 'INVALID_MONEY' }, amount)
  }
})

test("Huawei's answers are read per customer, with retry advice", () => {
  const ok = '06ffbcd46880d3f30f62c001a49be460'
  const bad = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
  const partial = pd.huaweiBatchOutcome([ok, bad], 200, fx['freeze.partial_failure.json'])
  assert.equal(partial.succeeded, 1)
  assert.deepEqual(partial.items.map((i) => [i.customerId, i.ok, i.code ?? null]), [[ok, true, null], [bad, false, 'WRONG_ASSOCIATION_TYPE']])
  assert.equal(partial.items[1].huaweiCode, 'CBC.5024')
  assert.equal(partial.asBatch.items[1].code, 'WRONG_ASSOCIATION_TYPE')
  const throttled = pd.huaweiBatchOutcome([ok], 429, fx['error.throttled.json'])
  assert.equal(throttled.retryable, true)
  assert.equal(throttled.items[0].code, 'THROTTLED')
  assert.equal(throttled.items[0].retryAfterMs, 1000)
  const unknown = pd.huaweiBatchOutcome([ok], 400, fx['error.unknown_code.json'])
  assert.equal(unknown.items[0].code, 'HUAWEI_UNKNOWN_ERROR')
  assert.match(unknown.items[0].huaweiCode ?? '', /^CBC\./)
  const success = pd.huaweiBatchOutcome([ok, bad], 200, fx['freeze.success.json'])
  assert.equal(success.failed, 0)
})

test('paging plans cover a portfolio exactly once within the bounds', () => {
  const plan = pd.huaweiPagePlan(250, 100)
  assert.deepEqual(plan, [{ offset: 0, limit: 100 }, { offset: 100, limit: 100 }, { offset: 200, limit: 50 }])
  assert.equal(plan.reduce((n, p) => n + p.limit, 0), 250)
  assert.throws(() => pd.huaweiPagePlan(10, 101), { code: 'INVALID_PAGE' })
  assert.throws(() => pd.huaweiPagePlan(50_000_000, 100), { code: 'HUAWEI_PAGING_OUT_OF_BOUNDS' })
  assert.throws(() => pd.huaweiPagePlan(-1, 10), { code: 'INVALID_ARGUMENT' })
})

test('a query splits into the API filter and the local rest', () => {
  const split = pd.huaweiSplitQuery('assoc=reseller and mtd>=100 and name~acme', 'international', 50)
  assert.deepEqual(JSON.parse(split.apiBody), { customer: 'acme', offset: 0, limit: 50, association_type: '3' })
  assert.equal(split.localFilter, 'mtd>=100')
  const all = pd.huaweiSplitQuery(pd.Query.all(), 'china')
  assert.equal(all.localFilter, '*')
})

test('adapter codes are exported', () => {
  assert.deepEqual(pd.huaweiErrorCodes(), ['HUAWEI_API_ERROR', 'HUAWEI_INVALID_DATA', 'HUAWEI_PAGING_OUT_OF_BOUNDS'])
})
