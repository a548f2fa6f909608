// A customer's detail pages (orders, resources, spend details, the portfolio's renewals) and
// their export: each list agrees with what the desk already shows, pages by cursor read every
// line once, a bad option is a typed error naming it, and an export's job is a `detail` job
// that survives a reopen of a durable desk.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pd, thrown, rejected, NOW } from './helpers.mjs'

/** @typedef {import('../index.d.ts').Actor} Actor */
/** @type {Actor} */
const admin = { kind: 'operator', id: 'admin' }

const dir = mkdtempSync(join(tmpdir(), 'partnerdesk-detail-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const desk = pd.Desk.demo(300, 3)
/** The demo's billing month at `NOW` (2026-11-29T09:00Z in every site's offset). */
const MONTH = '2026-11'
const customerId = desk
  .selectIds('*')
  .find((id) => desk.orderOverview(admin, { customer: id }).all > 2 && desk.orderOverview(admin, { customer: id }).unpaid > 0 &&
    desk.customerResources(admin, id, { now: NOW }).total > 2 && desk.spendDetails(admin, id, MONTH).total > 2)
if (!customerId) throw new Error('the demo has a customer with orders, resources and spend')

/** An amount as an exact integer of 1/10,000 (decimal strings, never floats). @param {string} text */
function units(text) {
  const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(text)
  assert.ok(m, `${text} is a decimal string`)
  const v = BigInt(m[2]) * 10_000n + BigInt((m[3] ?? '').padEnd(4, '0'))
  return m[1] ? -v : v
}

/**
 * Every line of a list, read page by page through `nextCursor`.
 * @template T
 * @param {(cursor: string | undefined) => { items: T[], total: number, nextCursor?: string }} read
 */
function byCursor(read) {
  /** @type {T[]} */
  const lines = []
  let cursor
  let pages = 0
  do {
    const page = read(cursor)
    lines.push(...page.items)
    cursor = page.nextCursor
    assert.ok(++pages <= 1000, 'paging ends')
  } while (cursor)
  return { lines, pages }
}

test('orders: the totals are the order overview, newest first, unpaid ones pending payment', () => {
  const overview = desk.orderOverview(admin, { customer: customerId })
  const all = desk.customerOrders(admin, customerId, { limit: 1000 })
  assert.equal(all.total, overview.all)
  assert.equal(all.items.length, overview.all)
  assert.equal(all.nextCursor, undefined)
  for (let i = 1; i < all.items.length; i++) {
    assert.ok(all.items[i - 1].createdAt.getTime() >= all.items[i].createdAt.getTime(), 'newest first')
  }
  for (const o of all.items) {
    assert.ok(o.createdAt instanceof Date)
    assert.equal(o.amount.currency, 'CNY')
    units(o.amount.amount)
  }
  const unpaid = desk.customerOrders('admin', customerId, { scope: 'unpaid', limit: 1000 })
  assert.equal(unpaid.total, overview.unpaid)
  assert.equal(desk.customerRow(customerId, NOW).unpaidOrders, overview.unpaid)
  assert.ok(unpaid.items.every((o) => o.status === 'pending_payment' && o.paidAt === undefined))
  const ids = new Set(all.items.map((o) => o.id))
  assert.ok(unpaid.items.every((o) => ids.has(o.id)))
})

test('resources: a filter and an order; those expiring soon include every resource to renew', () => {
  const all = desk.customerResources(admin, customerId, { limit: 1000, now: NOW })
  assert.ok(all.items.every((r) => r.customerId === customerId && r.startsAt instanceof Date))
  const soon = desk.customerResources(admin, customerId, { expiringWithinDays: 400, limit: 1000, now: NOW })
  const renew = desk.resourcesToRenew(admin, 400, { customer: customerId, now: NOW })
  assert.ok(renew.length > 0 && soon.total > renew.length, 'some to renew, some renewing themselves')
  const found = new Set(soon.items.map((r) => r.id))
  for (const r of renew) assert.ok(found.has(r.resourceId), `${r.resourceId} expires within 400 days`)
  // What expires soon but is not to renew renews itself.
  const toRenew = new Set(renew.map((r) => r.resourceId))
  for (const r of soon.items.filter((r) => !toRenew.has(r.id))) assert.equal(r.expiryPolicy, 'auto_renew')
  for (let i = 1; i < soon.items.length; i++) {
    assert.ok(Number(soon.items[i - 1].expiresAt) <= Number(soon.items[i].expiresAt), 'soonest first')
  }
  const kind = all.items[0].kind
  const ofKind = desk.customerResources(admin, customerId, { kinds: [kind], sort: 'newest_first', limit: 1000, now: NOW })
  assert.equal(ofKind.total, all.items.filter((r) => r.kind === kind).length)
  assert.ok(ofKind.items.every((r) => r.kind === kind))
  for (let i = 1; i < ofKind.items.length; i++) {
    assert.ok(ofKind.items[i - 1].startsAt.getTime() >= ofKind.items[i].startsAt.getTime(), 'newest first')
  }
  const none = desk.customerResources(admin, customerId, { statuses: ['released'], kinds: ['pay_per_use', 'savings_plan'], now: NOW })
  assert.ok(none.items.every((r) => r.status === 'released'))
})

test('spend details: records, by product and by day sum to the same; days agree with dailySpend', () => {
  const records = desk.spendDetails(admin, customerId, MONTH, { limit: 1000 })
  assert.ok(records.items.every((l) => l.records === 1 && l.day?.startsWith(MONTH) && l.product && l.mode))
  const sum = (/** @type {{ amount: { amount: string } }[]} */ lines) => lines.reduce((s, l) => s + units(l.amount.amount), 0n)
  const byProduct = desk.spendDetails(admin, customerId, MONTH, { group: 'product', limit: 1000 })
  assert.ok(byProduct.items.every((l) => l.product && l.day === undefined && l.mode === undefined))
  assert.equal(sum(byProduct.items), sum(records.items))
  assert.equal(byProduct.items.reduce((n, l) => n + l.records, 0), records.total)
  const byDay = desk.spendDetails(admin, customerId, MONTH, { group: 'day', limit: 1000 })
  const daily = new Map(desk.dailySpend(admin, `${MONTH}-01`, `${MONTH}-30`, { customer: customerId }).map((d) => [d.label, units(d.amount.amount)]))
  for (const l of byDay.items) assert.equal(units(l.amount.amount), daily.get(l.day ?? ''), `${l.day}`)
  const byMode = desk.spendDetails(admin, customerId, MONTH, { group: 'charging_mode', limit: 1000 })
  assert.equal(sum(byMode.items), sum(records.items))
})

test('renewals: the pages are resourcesToRenew over the portfolio, in its order', () => {
  const big = pd.Desk.demo(2000, 11)
  const want = big.resourcesToRenew(admin, 30, { now: NOW }).map((r) => `${r.customerId}/${r.resourceId}`)
  assert.ok(want.length > 5, `${want.length} resources to renew`)
  const { lines, pages } = byCursor((cursor) => big.renewalsPage(admin, 30, { limit: 4, cursor, now: NOW }))
  assert.deepEqual(lines.map((r) => `${r.customerId}/${r.id}`), want)
  assert.equal(pages, Math.ceil(want.length / 4))
  assert.equal(big.renewalsPage(admin, 30, { limit: 1, now: NOW }).total, want.length)
  const second = big.renewalsPage(admin, 30, { limit: 2, offset: 2, now: NOW })
  assert.deepEqual(second.items.map((r) => `${r.customerId}/${r.id}`), want.slice(2, 4))
})

test('paging by cursor reads every line once, in the order of one page', () => {
  const orders = byCursor((cursor) => desk.customerOrders(admin, customerId, { limit: 1, cursor }))
  const one = desk.customerOrders(admin, customerId, { limit: 1000 })
  assert.deepEqual(orders.lines.map((o) => o.id), one.items.map((o) => o.id))
  assert.equal(orders.pages, one.total)
  const resources = byCursor((cursor) => desk.customerResources(admin, customerId, { limit: 2, cursor, now: NOW }))
  const all = desk.customerResources(admin, customerId, { limit: 1000, now: NOW })
  assert.deepEqual(resources.lines.map((r) => r.id), all.items.map((r) => r.id))
  assert.equal(new Set(resources.lines.map((r) => r.id)).size, all.total)
  const spend = byCursor((cursor) => desk.spendDetails(admin, customerId, MONTH, { limit: 2, cursor }))
  assert.deepEqual(spend.lines, desk.spendDetails(admin, customerId, MONTH, { limit: 1000 }).items)
  const err = thrown(() => desk.customerOrders(admin, customerId, { offset: 1, cursor: 'x' }))
  assert.equal(err.code, 'INVALID_ARGUMENT')
  assert.match(err.message, /offset/)
  assert.equal(thrown(() => desk.customerOrders(admin, customerId, { cursor: 'not-a-cursor' })).code, 'INVALID_CURSOR')
})

test('a bad option is a typed error naming it', () => {
  /** @type {[() => unknown, string, RegExp][]} */
  const cases = [
    [() => desk.customerOrders(admin, customerId, { scope: 'Unpaid' }), 'INVALID_ARGUMENT', /scope/],
    [() => desk.customerResources(admin, customerId, { kinds: ['monthly'] }), 'INVALID_ARGUMENT', /kinds/],
    [() => desk.customerResources(admin, customerId, { statuses: ['gone'] }), 'INVALID_ARGUMENT', /statuses/],
    [() => desk.customerResources(admin, customerId, { sort: 'oldest_first' }), 'INVALID_ARGUMENT', /sort/],
    [() => desk.spendDetails(admin, customerId, '2026-13'), 'INVALID_DATE', /month/],
    [() => desk.spendDetails(admin, customerId, MONTH, { group: 'week' }), 'INVALID_ARGUMENT', /group/],
    [() => desk.customerOrders(admin, customerId, { limit: 0 }), 'INVALID_PAGE', /limit/],
    [() => desk.customerOrders(admin, 'not an id!'), 'INVALID_ID', /./],
    [() => desk.customerOrders(admin, 'ffffffffffffffffffffffffffffffff'), 'CUSTOMER_NOT_FOUND', /./],
    [() => desk.exportDetailToBuffer(admin, { list: 'invoices', customerId }), 'INVALID_ARGUMENT', /list/],
    [() => desk.exportDetailToBuffer(admin, { list: 'spend', customerId }), 'INVALID_ARGUMENT', /month/],
    [() => desk.exportDetailToBuffer(admin, { list: 'orders', customerId }, { format: 'xlsx', bom: true }), 'INVALID_ARGUMENT', /bom/],
    [() => desk.exportDetailToBuffer(admin, { list: 'orders', customerId, scope: 'Unpaid' }), 'INVALID_ARGUMENT', /scope/],
    [() => desk.exportDetailToBuffer(admin, /** @type {any} */ ({ customerId })), 'INVALID_ARGUMENT', /list/],
  ]
  const before = desk.exports().length
  for (const [call, code, names] of cases) {
    const err = thrown(call)
    assert.equal(err.code, code, String(call))
    assert.match(err.message, names, String(call))
  }
  assert.equal(desk.exports().length, before, 'nothing recorded')
})

test('permissions: an operator without the spend item is PERMISSION_DENIED on spend details, not on orders', async () => {
  const d = pd.Desk.demo(50, 3)
  // Views own and resellers' customers, no spend item.
  d.addOperator('viewer', 'Viewer', { role: 'operator', permissions: ['BPC_ITEM_SUBCUSTSERV_010100', 'BPC_ITEM_SUBCUSTSERV_010500'] })
  const [id] = d.selectIds('*')
  assert.ok(d.customerOrders('viewer', id).total >= 0)
  const err = thrown(() => d.spendDetails('viewer', id, MONTH))
  assert.equal(err.code, 'PERMISSION_DENIED')
  assert.equal(thrown(() => d.customerOrders({ kind: 'operator', id: 'nobody' }, id)).code, 'PERMISSION_DENIED')
  // An export needs the item that shows the list (not the administrator, unlike the customer
  // list): the orders are exported, the spend refused, audited, and not recorded as a job.
  const refused = await rejected(d.exportDetailToBuffer('viewer', { list: 'spend', customerId: id, month: MONTH }))
  assert.equal(refused.code, 'PERMISSION_DENIED')
  assert.equal(d.exports().length, 0)
  assert.ok(d.auditLog({ kind: 'export_detail' }).some((r) => !r.allowed && r.deniedCode === 'PERMISSION_DENIED'))
  await d.exportDetailToBuffer('viewer', { list: 'orders', customerId: id })
  assert.deepEqual(d.exports().map((j) => [j.selection, j.actor.id]), [['detail', 'viewer']])
})

test('a CSV export read back: a header and a line per order; the job is a detail job, downloaded again', async () => {
  const path = join(dir, 'orders.csv')
  /** @type {import('../index.d.ts').Progress[]} */
  const progress = []
  const job = await desk.exportDetailToFile(admin, { list: 'orders', customerId }, path, { fileName: 'orders.csv', now: NOW, onProgress: (p) => progress.push(p) })
  const orders = desk.customerOrders(admin, customerId, { limit: 1000 })
  const lines = readFileSync(path, 'utf8').trimEnd().split(/\r?\n/)
  assert.equal(lines.length, orders.total + 1, 'a header and a line per order')
  assert.match(lines[0], /^Order ID,/)
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), orders.items.map((o) => o.id))
  assert.equal(job.selection, 'detail')
  assert.equal(job.ids, undefined)
  assert.equal(job.status, 'completed')
  assert.equal(job.rows, orders.total)
  assert.equal(job.fileName, 'orders.csv')
  assert.deepEqual(desk.exports().find((j) => j.id === job.id), job)
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(progress.at(-1), { done: orders.total, total: orders.total })
  const again = join(dir, 'again.csv')
  assert.equal(await desk.downloadExport(admin, job.id, again), orders.total)
  assert.equal(readFileSync(again, 'utf8'), readFileSync(path, 'utf8'))

  const bytes = await desk.exportDetailToBuffer(admin, { list: 'spend', customerId, month: MONTH, group: 'product' }, { bom: true, now: NOW })
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf])
  const spend = desk.spendDetails(admin, customerId, MONTH, { group: 'product', limit: 1000 })
  assert.equal(bytes.subarray(3).toString('utf8').trimEnd().split(/\r?\n/).length, spend.total + 1)
  assert.equal(desk.exports().at(-1)?.selection, 'detail')
})

test('an XLSX export is a ZIP; a cancelled one is recorded as cancelled and leaves the file alone', async () => {
  const bytes = await desk.exportDetailToBuffer(admin, { list: 'resources', customerId, sort: 'kind' }, { format: 'xlsx', now: NOW })
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK')
  const job = desk.exports().at(-1)
  assert.equal(job?.selection, 'detail')
  assert.equal(job?.format, 'xlsx')
  const path = join(dir, 'keep.xlsx')
  await desk.exportDetailToFile(admin, { list: 'orders', customerId }, path, { format: 'xlsx' })
  const old = readFileSync(path)
  const cancel = new pd.CancelToken()
  cancel.cancel()
  const err = await rejected(desk.exportDetailToFile(admin, { list: 'orders', customerId }, path, { cancel }))
  assert.equal(err.code, 'EXPORT_CANCELLED')
  assert.equal(desk.exports().at(-1)?.status, 'cancelled')
  assert.deepEqual(readFileSync(path), old)
})

test('on a durable desk the detail export is committed: its job is there after a reopen', async () => {
  const d = pd.Desk.demo(40, 5)
  const [id] = d.selectIds('*')
  const location = join(dir, 'detail.db')
  await d.saveTo(location)
  const job = await d.exportDetailToFile(admin, { list: 'resources', customerId: id }, join(dir, 'resources.csv'), { now: NOW })
  const reopened = await pd.Desk.open(location)
  const found = reopened.exports().find((j) => j.id === job.id)
  assert.deepEqual(found, job)
  assert.equal(found?.selection, 'detail')
  assert.ok(reopened.auditLog({ kind: 'export_detail' }).some((r) => r.allowed))
  // And the reopened desk downloads it again.
  assert.equal(await reopened.downloadExport(admin, job.id, join(dir, 'resources-again.csv')), job.rows)
  assert.equal(readFileSync(join(dir, 'resources-again.csv'), 'utf8'), readFileSync(join(dir, 'resources.csv'), 'utf8'))
})
