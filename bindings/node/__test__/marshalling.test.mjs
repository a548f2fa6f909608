// Marshalling: JS shapes of rows, money, dates, enums, queries and the partner.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd, desk, QUICKSTART, NOW } from './helpers.mjs'

const DECIMAL = /^-?\d+(\.\d+)?$/

test('rows are plain objects with camelCase keys, decimal-string money and Date times', () => {
  const page = desk.search(QUICKSTART, { sort: 'mtd', descending: true, limit: 20, now: NOW })
  assert.ok(page.total > 0)
  assert.equal(page.rows.length, Math.min(20, page.total))
  for (const row of page.rows) {
    assert.equal(Object.getPrototypeOf(row), Object.prototype)
    assert.equal(typeof row.id, 'string')
    assert.equal(typeof row.accountName, 'string')
    assert.match(row.name, /\*\*\*$/, 'names are masked')
    assert.equal(typeof row.monthToDate.amount, 'string')
    assert.match(row.monthToDate.amount, DECIMAL)
    assert.equal(row.monthToDate.currency, 'CNY')
    assert.match(row.lastMonth.amount, DECIMAL)
    assert.ok(row.associatedAt instanceof Date)
    assert.ok(!Number.isNaN(row.associatedAt.getTime()))
    assert.ok(row.nextExpiry === undefined || row.nextExpiry instanceof Date)
    assert.ok(Array.isArray(row.tags))
    assert.ok(row.tags.includes('vip') || row.tags.includes('gold'))
    assert.equal(row.associationType, 'reseller')
    assert.ok(['unset', 'individual', 'enterprise'].includes(row.customerType))
    assert.match(row.level, /^V[0-5]$/)
    assert.equal(typeof row.unpaidOrders, 'number')
    if (row.mobile !== undefined) assert.match(row.mobile, /\*\*\*\*/)
    if (row.email !== undefined) assert.match(row.email, /\*\*\*@/)
    if (row.budget !== undefined) {
      assert.ok(['monthly', 'one_off'].includes(row.budget.kind))
      assert.match(row.budget.amount.amount, DECIMAL)
      assert.match(row.budget.used.amount, DECIMAL)
      assert.match(row.budget.percent, DECIMAL)
      assert.equal(typeof row.budget.autoFreeze, 'boolean')
    }
  }
})

test('money keeps every cent: amounts are exact decimal strings, sorted as decimals', () => {
  const page = desk.search(QUICKSTART, { sort: 'mtd', descending: true, limit: 50 })
  const cents = page.rows.map((r) => {
    const [whole, frac = ''] = r.monthToDate.amount.split('.')
    assert.ok(frac.length <= 2, `at most 2 decimals in ${r.monthToDate.amount}`)
    return BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2))
  })
  for (let i = 1; i < cents.length; i++) assert.ok(cents[i - 1] >= cents[i], 'descending')
  for (const c of cents) assert.ok(c >= 100000n, 'mtd>=1000')
})

test('the desk: size and partner; no time of its own', () => {
  assert.equal(desk.size, 1000)
  const p = desk.partner
  assert.deepEqual(Object.keys(p).sort(), ['billingOffsetMinutes', 'currency', 'id', 'name', 'site', 'tier'])
  assert.equal(p.currency, 'CNY')
  assert.equal(p.billingOffsetMinutes, 480, 'the China site bills in UTC+8')
  assert.equal(p.site, 'china')
  assert.equal(/** @type {any} */ (desk).now, undefined, 'now is an argument, never a property')
  assert.ok(NOW instanceof Date)
})

test('the same seed gives the same desk', () => {
  const a = pd.Desk.demo(200, 7).searchIds('*', { limit: 200 })
  const b = pd.Desk.demo(200, 7).searchIds('*', { limit: 200 })
  assert.deepEqual(a, b)
})

test('query builders match their text filters', () => {
  const built = pd.Query.associationType('reseller')
    .and(pd.Query.monthToDate('1000'))
    .and(pd.Query.tag('vip').or(pd.Query.tag('gold')))
  assert.equal(built.toString(), QUICKSTART)
  assert.ok(built.equals(pd.Query.parse(QUICKSTART)))
  const opts = /** @type {const} */ ({ sort: 'mtd', descending: true, limit: 30 })
  assert.deepEqual(desk.search(built, opts), desk.search(QUICKSTART, opts))
  assert.equal(desk.count(built), desk.count(QUICKSTART))
})

test('every builder produces a query that parses back from its text', () => {
  const Q = pd.Query
  const from = new Date('2025-01-01T00:00:00Z')
  const to = new Date('2026-01-01T00:00:00Z')
  const queries = [
    Q.all(), Q.nameContains('acme'), Q.nameEquals('Acme Ltd'), Q.accountNameContains('qi'),
    Q.accountNameEquals('qihe_1'), Q.customerId('c-1'), Q.manager('am_001'),
    Q.managerNameContains('Li'), Q.hasManager(true), Q.hasManager(false),
    Q.monthToDate('10.50', '99'), Q.monthToDate(undefined, '5'), Q.budgetUsage('80'),
    Q.expiresWithinDays(7), Q.expiresBetween(from, to), Q.noUpcomingExpiry(),
    Q.mobileEquals('13800000000'), Q.mobileEndsWith('5678'), Q.tag('vip'),
    Q.anyTag(['vip', 'gold']), Q.allTags(['vip', 'gold']), Q.associationType('referral'),
    Q.associatedBetween(from, to), Q.frozen(), Q.notFrozen(), Q.freezeScope('account'),
    Q.freezeOrigin('budget'), Q.reseller('r-1'), Q.level('V3'), Q.tag('vip').not(),
  ]
  for (const q of queries) {
    // The text parses back to a query that finds the same customers (a range may come back as
    // two criteria joined by `and`, so compare results, then the canonical text of the parse).
    const again = Q.parse(q.toString())
    assert.equal(desk.count(again), desk.count(q), q.toString())
    assert.equal(Q.parse(again.toString()).toString(), again.toString())
  }
})

test('including disassociated customers is a flag on the query', () => {
  const q = pd.Query.all()
  assert.equal(q.includesDisassociated, false)
  const all = q.includingDisassociated(true)
  assert.equal(all.includesDisassociated, true)
  assert.ok(desk.count(all) >= desk.count(q))
  assert.equal(desk.count(all), desk.size)
})

test('customerRow returns the same masked row as the search', () => {
  const [first] = desk.search(QUICKSTART, { limit: 1, now: NOW }).rows
  assert.deepEqual(desk.customerRow(first.id, NOW), first)
})

test('a search at another moment gives other month-to-date figures', () => {
  const nextMonth = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() + 2, 1))
  const here = desk.search('*', { sort: 'mtd', descending: true, limit: 1, now: NOW }).rows[0]
  const there = desk.search('*', { sort: 'mtd', descending: true, limit: 1, now: nextMonth }).rows[0]
  assert.notDeepEqual(here.monthToDate, there.monthToDate)
})

test('snapshots round-trip through JSON, sync and async', async () => {
  const small = pd.Desk.demo(100, 3)
  const json = small.toSnapshotJson()
  assert.equal(JSON.parse(json).format, 'partnerdesk.snapshot')
  const again = pd.Desk.fromSnapshotJson(json)
  assert.deepEqual(again.searchIds('*', { limit: 100 }), small.searchIds('*', { limit: 100 }))
  const loaded = await pd.Desk.loadSnapshot(await small.saveSnapshot())
  assert.ok(loaded instanceof pd.Desk)
  assert.equal(loaded.toSnapshotJson(), json)
  const built = await pd.Desk.demoAsync(100, 3)
  assert.equal(built.toSnapshotJson(), json)
})

test('error codes and version are exported', () => {
  const codes = pd.errorCodes()
  assert.ok(codes.includes('FILTER_SYNTAX'))
  assert.ok(codes.includes('CUSTOMER_NOT_FOUND'))
  assert.equal(new Set(codes).size, codes.length)
  assert.match(pd.version(), /^\d+\.\d+\.\d+/)
})

test('snapshots go to and from a file on a worker thread, without a JS string', async () => {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'pd-snapshot-'))
  try {
    const small = pd.Desk.demo(100, 3)
    const path = join(dir, 'desk.json')
    assert.equal(await small.saveSnapshotFile(path), undefined)
    assert.equal(readFileSync(path, 'utf8'), small.toSnapshotJson())
    const again = await pd.Desk.fromSnapshotFile(path)
    assert.ok(again instanceof pd.Desk)
    assert.equal(again.toSnapshotJson(), small.toSnapshotJson())
    /** @typedef {{ code: string, message: string, details: Record<string, unknown> }} Failure */
    await assert.rejects(pd.Desk.fromSnapshotFile(join(dir, 'missing.json')), (/** @type {Failure} */ err) =>
      err.code === 'INVALID_ARGUMENT' && err.details.field === 'path' && !err.message.includes('missing'))
    await assert.rejects(small.saveSnapshotFile(join(dir, 'no-such-folder', 'desk.json')), (/** @type {Failure} */ err) =>
      err.code === 'EXPORT_WRITE_FAILED')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
