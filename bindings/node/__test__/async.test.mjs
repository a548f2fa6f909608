// Long work runs off the JS thread: timers keep firing, progress arrives on the JS thread.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pd } from './helpers.mjs'

// Sizes keep the dev-profile test build quick while the work still takes far longer than a
// 1 ms timer period.
const big = pd.Desk.demo(20_000, 42)
const medium = pd.Desk.demo(5_000, 42)

test('a timer fires while collectRows runs, and progress is reported', async () => {
  /** @type {import('../index.d.ts').Progress[]} */
  const progress = []
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 1)
  const started = performance.now()
  const rows = await big.collectRows('*', {
    sort: 'mtd',
    descending: true,
    onProgress: (p) => progress.push(p),
  })
  const elapsed = performance.now() - started
  clearInterval(timer)
  assert.equal(rows.length, big.count('*'))
  assert.ok(ticks >= 2, `the event loop turned ${ticks} times in ${elapsed.toFixed(0)} ms`)
  // Progress: rising `done`, constant `total`, ending at the total.
  await new Promise((r) => setImmediate(r))
  assert.ok(progress.length >= 2, `${progress.length} progress calls`)
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i].done > progress[i - 1].done)
    assert.equal(progress[i].total, rows.length)
  }
  assert.equal(progress.at(-1)?.done, rows.length)
  assert.deepEqual(rows.slice(0, 10), big.search('*', { sort: 'mtd', descending: true, limit: 10 }).rows)
})

test('a timer fires while a large snapshot is saved and loaded off the thread', async () => {
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 1)
  const json = await medium.saveSnapshot()
  const saved = ticks
  const again = await pd.Desk.loadSnapshot(json)
  clearInterval(timer)
  assert.ok(saved > 0, 'ticks during save')
  assert.ok(ticks > saved, 'ticks during load')
  assert.equal(again.size, medium.size)
})

/**
 * The longest the event loop went without running a 1 ms timer while `work` ran, in ms.
 * @param {() => Promise<unknown>} work
 */
async function longestStall(work) {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 1)
  await work()
  clearInterval(timer)
  return Math.max(longest, performance.now() - last)
}

test('searchAll never holds the event loop for a whole result, as collectRows does when it resolves', async () => {
  const options = { sort: /** @type {const} */ ('mtd'), descending: true }
  let rows = 0
  const iterating = await longestStall(async () => {
    for await (const _row of medium.searchAll('*', options)) rows++
  })
  assert.equal(rows, medium.count('*'))
  /** @type {unknown[]} */
  let all = []
  const collecting = await longestStall(async () => { all = await medium.collectRows('*', options) })
  assert.equal(all.length, rows)
  // collectRows converts every row on the JS thread at once; searchAll at most 64 at a time.
  assert.ok(iterating * 2 < collecting, `longest stall: searchAll ${iterating.toFixed(1)} ms, collectRows ${collecting.toFixed(1)} ms`)
})

test('collectRows throws the core code at once for a bad filter', async () => {
  assert.throws(() => big.collectRows('mtd>='), { code: 'FILTER_SYNTAX' })
})
