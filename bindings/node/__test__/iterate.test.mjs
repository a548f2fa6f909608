// Iteration the way JS iterates: a page is iterable over its rows (an id page over its ids),
// and `desk.searchAll` is an async iterable over every matching row, page after page by cursor
// on the worker pool, one row at a time reaching the JS thread.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { pd, desk, thrown, rejected, NOW, QUICKSTART } from './helpers.mjs'

/** Keeps the JS thread busy for `ms` milliseconds. @param {number} ms */
const spin = (ms) => {
  const until = performance.now() + ms
  while (performance.now() < until) { /* the turn's budget runs out */ }
}

/** Whether `p` settles within a few microtask turns. @param {Promise<unknown>} p */
const settlesWithinMicrotasks = async (p) => {
  let settled = false
  p.then(() => { settled = true }, () => { settled = true })
  for (let i = 0; i < 5; i++) await null
  return settled
}

test('a page is iterable over its rows and stays the same plain object', () => {
  const page = desk.search(QUICKSTART, { limit: 7, now: NOW })
  assert.ok(page.rows.length > 0)
  assert.deepEqual([...page], page.rows)
  /** @type {string[]} */
  const ids = []
  for (const row of page) ids.push(row.id)
  assert.deepEqual(ids, page.rows.map((r) => r.id))
  assert.deepEqual(Array.from(page, (r) => r.id), ids)
  // Nothing else changed: the same keys, the same JSON, deep-equal to the plain record.
  assert.deepEqual(Object.keys(page), ['rows', 'total', 'nextCursor'])
  assert.deepEqual(JSON.parse(JSON.stringify(page)).rows.length, page.rows.length)
  assert.deepEqual(page, { rows: page.rows, total: page.total, nextCursor: page.nextCursor })
  assert.deepEqual({ ...page }, { rows: page.rows, total: page.total, nextCursor: page.nextCursor })
})

test('an id page is iterable over its ids; the pages of `pages()` are iterable too', () => {
  const ids = desk.searchIds(QUICKSTART, { limit: 9, now: NOW })
  assert.deepEqual([...ids], ids.ids)
  let seen = 0
  for (const page of desk.pages(QUICKSTART, { limit: 50, now: NOW })) {
    assert.deepEqual([...page], page.rows)
    seen += [...page].length
  }
  assert.equal(seen, desk.count(QUICKSTART, NOW))
})

test('searchAll yields every matching row in sort order, page after page', async () => {
  const options = { sort: /** @type {const} */ ('mtd'), descending: true, now: NOW }
  const expected = await desk.collectRows(QUICKSTART, options)
  assert.ok(expected.length > 20, 'several pages at limit 7')
  /** @type {import('../index.d.ts').CustomerRow[]} */
  const rows = []
  for await (const row of desk.searchAll(QUICKSTART, { ...options, limit: 7 })) rows.push(row)
  assert.deepEqual(rows, expected)
  // The default page size, and the whole desk.
  let all = 0
  for await (const row of desk.searchAll('*', { now: NOW })) {
    assert.equal(typeof row.id, 'string')
    all++
  }
  assert.equal(all, desk.count('*', NOW))
  // Nothing matches: done at once.
  const none = desk.searchAll('name~no-such-customer-at-all', { now: NOW })
  assert.deepEqual(await none.next(), { done: true })
})

test('a page is searched on the worker pool; the rows fetched with it resolve at once', async () => {
  const it = desk.searchAll('*', { limit: 3, now: NOW })
  const first = it.next()
  assert.equal(await settlesWithinMicrotasks(first), false, 'the first page needs a turn of the event loop')
  const a = await first
  assert.equal(a.done, false)
  const second = it.next()
  assert.equal(await settlesWithinMicrotasks(second), true, 'the page\'s second row is already here')
  const third = it.next()
  assert.equal(await settlesWithinMicrotasks(third), true)
  const fourth = it.next()
  assert.equal(await settlesWithinMicrotasks(fourth), false, 'the next page is searched off the JS thread')
  const ids = [a, await second, await third, await fourth].map((s) => s.value?.id)
  assert.deepEqual(ids, desk.searchIds('*', { limit: 4, now: NOW }).ids)
})

test('next() called again before the last one settled: rows in call order, every one once', async () => {
  const it = desk.searchAll('*', { limit: 3, now: NOW })
  const steps = await Promise.all(Array.from({ length: 100 }, () => it.next()))
  assert.deepEqual(steps.map((s) => s.value?.id), desk.searchIds('*', { limit: 100, now: NOW }).ids)
  // And the rest, still in order, after a page boundary fetched by the worker.
  const more = await Promise.all([it.next(), it.next()])
  assert.deepEqual(more.map((s) => s.value?.id), desk.searchIds('*', { limit: 102, now: NOW }).ids.slice(100))
})

test('once a turn\'s budget of rows at once is spent, the next rows wait for the next turn, in order', async () => {
  const it = desk.searchAll('*', { limit: 1000, now: NOW })
  const first = await it.next()
  const second = it.next()
  assert.equal(await settlesWithinMicrotasks(second), true, 'the page\'s rows resolve at once')
  spin(5)
  // The budget (2 ms a turn for every iteration of the thread) is spent: this row is handed
  // over by the JS thread's pump on a later turn, and the two after it (asked for before it
  // settled) through the worker pool, after it.
  const third = it.next()
  const fourth = it.next()
  const fifth = it.next()
  assert.equal(await settlesWithinMicrotasks(third), false, 'the third row waits for the next turn')
  const steps = [first, await second, await third, await fourth, await fifth]
  assert.deepEqual(steps.map((s) => s.value?.id), desk.searchIds('*', { limit: 5, now: NOW }).ids)
  // A new turn, a new budget.
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(await settlesWithinMicrotasks(it.next()), true, 'a new turn hands rows over at once again')
})

test('many iterations at once share one budget a turn, and each gets every row in order', async () => {
  const big = pd.Desk.demo(5_000, 7)
  const expected = big.searchIds('*', { limit: 1000, now: NOW }).ids
  /**
   * Runs `iterations` iterations over every row at once; returns each one's first 1000 ids and
   * the most rows received between two runs of a `setImmediate` chain (one turn's worth).
   * @param {number} iterations
   */
  const run = async (iterations) => {
    let rowsThisTurn = 0
    let mostInATurn = 0
    let running = true
    const mark = () => {
      mostInATurn = Math.max(mostInATurn, rowsThisTurn)
      rowsThisTurn = 0
      if (running) setImmediate(mark)
    }
    setImmediate(mark)
    const all = await Promise.all(Array.from({ length: iterations }, async () => {
      const ids = []
      for await (const row of big.searchAll('*', { now: NOW })) {
        rowsThisTurn++
        if (ids.length < 1000) ids.push(row.id)
      }
      return ids
    }))
    running = false
    return { all, mostInATurn }
  }
  const alone = await run(1)
  const iterations = 20
  const together = await run(iterations)
  for (const ids of [...alone.all, ...together.all]) assert.deepEqual(ids, expected)
  // One budget (2 ms a turn) for every iteration of the thread: twenty iterations at once hand
  // over about as many rows in a turn as one alone, plus one row each from the pump. A budget
  // per iteration adds up instead: one of 64 rows each let twenty hand over 1,280 rows in a
  // turn where one alone handed over 64. (How many rows fit in the budget depends on what a
  // row costs, so the bound is the measured one alone's, not a number of rows.)
  assert.ok(together.mostInATurn < 2 * alone.mostInATurn + iterations,
    `${together.mostInATurn} rows in one turn with ${iterations} iterations, ${alone.mostInATurn} with one`)
})

test('break ends the iteration (return); the iterator is its own async iterator', async () => {
  const it = desk.searchAll('*', { limit: 5, now: NOW })
  assert.equal(it[Symbol.asyncIterator](), it)
  let n = 0
  for await (const _row of it) {
    if (++n === 3) break
  }
  assert.equal(n, 3)
  assert.deepEqual(await it.next(), { done: true }, 'after break, nothing more')
  assert.deepEqual(await it.return(), { done: true })
})

test('a bad query, limit or offset throws at once; a bad cursor rejects the first next()', async () => {
  const syntax = thrown(() => desk.searchAll('mtd>='))
  assert.ok(pd.PartnerDeskError.is(syntax, 'FILTER_SYNTAX'))
  assert.equal(thrown(() => desk.searchAll('*', { limit: 0 })).code, 'INVALID_PAGE')
  assert.equal(thrown(() => desk.searchAll('*', { limit: 1001 })).code, 'INVALID_PAGE')
  assert.equal(thrown(() => desk.searchAll('*', { offset: 3 })).code, 'INVALID_ARGUMENT')
  const it = desk.searchAll('*', { cursor: 'not-a-cursor' })
  const err = await rejected(it.next())
  assert.ok(pd.PartnerDeskError.is(err, 'INVALID_CURSOR'))
  assert.deepEqual(await it.next(), { done: true }, 'a failure ends the iteration')
  // A cursor from a page starts after it.
  const page = desk.search('*', { limit: 4, now: NOW })
  const after = await desk.searchAll('*', { cursor: page.nextCursor, now: NOW }).next()
  assert.equal(after.value?.id, desk.searchIds('*', { limit: 5, now: NOW }).ids[4])
})
