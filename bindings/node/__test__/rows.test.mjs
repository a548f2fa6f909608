// Search pages are built in one call (issue #18 item 6: the binding's overhead): their rows
// must be the very objects the row-by-row conversions make. `customerRow` (napi-rs's own
// conversion) gives the values, `collectRows` (the row function) the order of the keys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd, NOW } from './helpers.mjs'

const ID = 'abcdef0123456789abcdef0123456789'
const desk = pd.Desk.demo(400, 7)
// Texts outside ASCII, one outside the BMP (two UTF-16 code units), in every kind of field.
desk.upsertCustomer({
  id: ID,
  accountName: 'kumo😀_é账户',
  name: '张三丰',
  association: 'referral',
  associatedAt: NOW,
  email: 'zhāng.sān@例え.jp',
  tags: ['vip', 'clé'],
})
const everyone = pd.Query.all().includingDisassociated(true)

/** Every page of `search` for `everyone`, 37 rows a page. */
function rowPages() {
  const out = []
  /** @type {string | undefined} */
  let cursor
  do {
    const page = desk.search(everyone, { limit: 37, now: NOW, cursor })
    out.push(page)
    cursor = page.nextCursor
  } while (cursor !== undefined)
  return out
}

/** Every page of `searchIds` for `everyone`, 37 ids a page. */
function idPages() {
  const out = []
  /** @type {string | undefined} */
  let cursor
  do {
    const page = desk.searchIds(everyone, { limit: 37, now: NOW, cursor })
    out.push(page)
    cursor = page.nextCursor
  } while (cursor !== undefined)
  return out
}

test('the rows of search pages equal customerRow, their keys in the order collectRows gives', async () => {
  const reference = new Map((await desk.collectRows(everyone, { now: NOW })).map((r) => [r.id, r]))
  const seen = { rows: 0, budget: 0, frozen: 0, disassociated: 0, expiry: 0, tags: 0, nonAscii: 0 }
  for (const page of rowPages()) {
    assert.deepStrictEqual(Object.keys(page), page.nextCursor === undefined ? ['rows', 'total'] : ['rows', 'total', 'nextCursor'])
    assert.equal(page.total, reference.size)
    for (const row of page.rows) {
      assert.deepStrictEqual(row, desk.customerRow(row.id, NOW))
      const like = reference.get(row.id)
      assert.ok(like, row.id)
      assert.deepStrictEqual(row, like)
      assert.deepStrictEqual(Object.keys(row), Object.keys(like))
      if (row.budget && like.budget) {
        assert.deepStrictEqual(Object.keys(row.budget), Object.keys(like.budget))
        seen.budget++
      }
      assert.ok(row.associatedAt instanceof Date)
      seen.rows++
      if (row.freezeScope !== undefined) seen.frozen++
      if (row.disassociatedAt !== undefined) seen.disassociated++
      if (row.nextExpiry !== undefined) seen.expiry++
      if (row.tags.length > 0) seen.tags++
      if (/[^\x00-\x7f]/.test(JSON.stringify(row))) seen.nonAscii++
    }
  }
  assert.equal(seen.rows, reference.size)
  for (const [what, n] of Object.entries(seen)) assert.ok(n > 0, `no row with ${what}`)
  const mine = desk.search(pd.Query.customerId(ID), { now: NOW }).rows[0]
  assert.equal(mine.email, desk.customerRow(ID, NOW).email)
  assert.deepStrictEqual(mine.tags, ['clé', 'vip'])
})

test('a page is iterable over its rows, an id page over its ids, neither symbol enumerable', () => {
  const rows = rowPages()
  const ids = idPages()
  assert.equal(ids.length, rows.length)
  for (const [i, page] of ids.entries()) {
    assert.deepStrictEqual(Object.keys(page), page.nextCursor === undefined ? ['ids', 'total'] : ['ids', 'total', 'nextCursor'])
    assert.deepStrictEqual(page.ids, rows[i].rows.map((r) => r.id))
    assert.deepStrictEqual([...page], page.ids)
    assert.deepStrictEqual([...rows[i]], rows[i].rows)
    assert.equal(page.total, rows[i].total)
    assert.equal(page.nextCursor, rows[i].nextCursor)
    for (const p of [page, rows[i]]) {
      const d = Object.getOwnPropertyDescriptor(p, Symbol.iterator)
      assert.ok(d && d.writable && d.configurable && !d.enumerable)
    }
  }
})

test('a built Query is taken as before, and an invalid Date in the options is still refused', () => {
  const q = pd.Query.parse('assoc=reseller and mtd>=1000')
  assert.deepStrictEqual(desk.searchIds(q, { now: NOW }), desk.searchIds('assoc=reseller and mtd>=1000', { now: NOW }))
  assert.throws(() => desk.searchIds(q, { now: new Date(NaN) }), { code: 'INVALID_DATE' })
  assert.throws(() => desk.search(q, { now: new Date(NaN) }), { code: 'INVALID_DATE' })
})

test('searchAll steps are { done, value } with the rows of pages, whether at once, on a later turn or from the worker pool', async () => {
  const reference = new Map((await desk.collectRows(everyone, { now: NOW })).map((r) => [r.id, r]))
  let rows = 0
  let nonAscii = 0
  // Pages of 37: some steps fetch a page on the worker pool, most resolve at once or on the
  // next turn; a step's row is made by the row function (`FACTORY`), a page's by `PAGE`.
  const it = desk.searchAll(everyone, { limit: 37, now: NOW })
  for (;;) {
    const step = await it.next()
    if (step.done) {
      assert.deepStrictEqual(step, { done: true })
      break
    }
    assert.deepStrictEqual(Object.keys(step), ['done', 'value'])
    const row = step.value
    const like = reference.get(row.id)
    assert.ok(like, row.id)
    assert.deepStrictEqual(row, like)
    assert.deepStrictEqual(Object.keys(row), Object.keys(like))
    assert.deepStrictEqual(row, desk.customerRow(row.id, NOW))
    if (/[^\x00-\x7f]/.test(JSON.stringify(row))) nonAscii++
    rows++
  }
  assert.equal(rows, reference.size)
  assert.ok(nonAscii > 0, 'no row outside ASCII')
})
