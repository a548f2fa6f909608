// Paging: offsets, cursors, and iteration over pages.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd, desk, QUICKSTART, NOW } from './helpers.mjs'

const opts = /** @type {const} */ ({ sort: 'mtd', descending: true, limit: 7, now: NOW })

test('cursor paging walks every row once, in order', () => {
  const all = desk.searchIds(QUICKSTART, { ...opts, limit: 1000 })
  const seen = []
  let page = desk.searchIds(QUICKSTART, opts)
  seen.push(...page.ids)
  while (page.nextCursor) {
    page = desk.searchIds(QUICKSTART, { ...opts, cursor: page.nextCursor })
    assert.equal(page.total, all.total)
    seen.push(...page.ids)
  }
  assert.deepEqual(seen, all.ids)
  assert.equal(all.nextCursor, undefined)
})

test('offset paging agrees with cursor paging', () => {
  const first = desk.search(QUICKSTART, opts)
  const byOffset = desk.search(QUICKSTART, { ...opts, offset: 7 })
  const byCursor = desk.search(QUICKSTART, { ...opts, cursor: first.nextCursor })
  assert.deepEqual(byOffset.rows, byCursor.rows)
})

test('pages() is an iterator over pages that ends after the last one', () => {
  const it = desk.pages(QUICKSTART, opts)
  assert.equal(typeof it[Symbol.iterator], 'function')
  const pages = [...it]
  const total = desk.count(QUICKSTART, NOW)
  assert.equal(pages.length, Math.ceil(total / 7))
  const ids = pages.flatMap((p) => p.rows.map((r) => r.id))
  assert.equal(ids.length, total)
  assert.equal(new Set(ids).size, total)
  assert.deepEqual(ids, desk.searchIds(QUICKSTART, { ...opts, limit: 1000 }).ids)
  assert.equal(it.next().done, true)
})

test('pages() works with for..of and break, and with an empty result', () => {
  let n = 0
  for (const page of desk.pages('*', { limit: 100 })) {
    assert.equal(page.rows.length, 100)
    if (++n === 3) break
  }
  assert.equal(n, 3)
  const empty = [...desk.pages('mtd>=99999999')]
  assert.equal(empty.length, 1)
  assert.equal(empty[0].total, 0)
  assert.deepEqual(empty[0].rows, [])
})

test('pages() throws at once for a bad query or page size', () => {
  assert.throws(() => desk.pages('mtd>='), { code: 'FILTER_SYNTAX' })
  assert.throws(() => desk.pages('*', { limit: 0 }), { code: 'INVALID_PAGE' })
  assert.throws(() => desk.pages('*', { offset: 5 }), { code: 'INVALID_ARGUMENT' })
})

test('an iterator keeps its desk alive after the handle is dropped', () => {
  const it = pd.Desk.demo(300, 9).pages('*', { limit: 50 })
  globalThis.gc?.()
  assert.equal([...it].length, 6)
})
